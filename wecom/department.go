package wecom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// DepartmentService is the department API group (部门管理). The members of
// a department are read with UserService.List and UserService.SimpleList.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90204
type DepartmentService service

// Department is a department of the corp.
type Department struct {
	ID               int      `json:"id"`
	Name             string   `json:"name"`
	NameEN           string   `json:"name_en"`           // English name, when the corp has enabled it
	DepartmentLeader []string `json:"department_leader"` // userids of the leaders (department/get only)
	ParentID         int      `json:"parentid"`          // the parent; 0 for the root department (id 1)
	Order            int      `json:"order"`             // order among the siblings, larger first
}

// DepartmentRef is a department as department/simplelist returns it.
type DepartmentRef struct {
	ID       int `json:"id"`
	ParentID int `json:"parentid"`
	Order    int `json:"order"`
}

// DepartmentInput is the body of Create and Update: the fields to set. Zero
// values are left out, Order when nil.
type DepartmentInput struct {
	ID       int    `json:"id,omitempty"`   // required on Update; on Create, a chosen id greater than 1
	Name     string `json:"name,omitempty"` // 1 to 32 characters, none of \:*?"<>|
	NameEN   string `json:"name_en,omitempty"`
	ParentID int    `json:"parentid,omitempty"` // required on Create
	Order    *int   `json:"order,omitempty"`    // in [0, 2^32), larger first
}

// Create creates a department and returns its id (创建部门).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90205
func (s *DepartmentService) Create(ctx context.Context, d *DepartmentInput) (int, error) {
	return memberOf[int](ctx, s.client, s.CreateRequest(d), "id")
}

// GetMapUsers maps a field of the members of department id, or of every
// department when id is 0, to their userids: key "name" gives {"张三":
// "zhangsan"}. The field must be a string or a number; when two members
// share a value, the later one wins. It reads department/list (for id 0)
// then user/list for each department, one after the other.
func (s *DepartmentService) GetMapUsers(ctx context.Context, id int, key string, opt *UserListOptions) (map[string]string, error) {
	ids := []int{id}
	if id == 0 {
		deps, err := s.List(ctx, 0)
		if err != nil {
			return nil, err
		}
		ids = ids[:0]
		for _, d := range deps {
			ids = append(ids, d.ID)
		}
	}
	m := map[string]string{}
	for _, dep := range ids {
		var users []map[string]json.RawMessage
		if err := s.client.Do(ctx, s.client.User.ListRequest(dep, opt), &users); err != nil {
			return nil, err
		}
		for _, u := range users {
			var userID string
			if err := json.Unmarshal(u["userid"], &userID); err != nil {
				return nil, fmt.Errorf("wecom user/list: a member of department %d has no userid", dep)
			}
			v, err := scalarText(u[key])
			if err != nil {
				return nil, fmt.Errorf("wecom user/list: member %s: field %q: %w", userID, key, err)
			}
			m[v] = userID
		}
	}
	return m, nil
}

// scalarText is the text of a JSON string or number.
func scalarText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", errors.New("missing")
	}
	var s string
	if raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var n json.Number
	if raw[0] != '"' && json.Unmarshal(raw, &n) == nil && n != "" {
		return n.String(), nil
	}
	return "", fmt.Errorf("%s is not a string or a number", raw)
}
