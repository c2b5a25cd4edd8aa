package emulator

import (
	"strconv"
	"strings"
)

// maxDeptDepth is WeCom's limit on department tree depth (81002).
const maxDeptDepth = 15

type deptRequest struct {
	ID       *flexInt `json:"id"`
	Name     *string  `json:"name"`
	NameEn   *string  `json:"name_en"`
	ParentID *flexInt `json:"parentid"`
	Order    *flexInt `json:"order"`
}

type deptCreated struct {
	status
	ID int `json:"id"`
}

// departmentCreate serves POST department/create.
func (s *Server) departmentCreate(c *call, req deptRequest) (any, *apiError) {
	if req.Name == nil {
		return nil, errorf(60001, "name is required")
	}
	if e := checkDeptName(*req.Name); e != nil {
		return nil, e
	}
	if req.NameEn != nil && *req.NameEn != "" {
		if e := checkDeptName(*req.NameEn); e != nil {
			return nil, e
		}
	}
	if req.ParentID == nil {
		return nil, errorf(60004, "parentid is required")
	}
	parent := int(*req.ParentID)

	st := s.writeState()
	defer st.mu.Unlock()
	if st.depts[parent] == nil {
		return nil, errorf(60004, "parentid %d", parent)
	}
	if st.depth(parent)+1 > maxDeptDepth {
		return nil, newError(81002)
	}
	if e := st.checkSiblingName(parent, *req.Name, 0); e != nil {
		return nil, e
	}
	id := st.nextDeptID
	if req.ID != nil && *req.ID != 0 {
		id = int(*req.ID)
		if id <= 1 {
			return nil, errorf(40058, "id must be greater than 1")
		}
		if st.depts[id] != nil {
			return nil, errorf(60008, "id %d already exists", id)
		}
	}
	d := &Department{ID: id, Name: *req.Name, ParentID: parent}
	if req.NameEn != nil {
		d.NameEn = *req.NameEn
	}
	if req.Order != nil {
		d.Order = int(*req.Order)
	}
	st.depts[id] = d
	st.nextDeptID = max(st.nextDeptID, id+1)
	return deptCreated{createdStatus, id}, nil
}

// checkSiblingName fails with 60008 if another department than self under
// parent has this name.
func (st *state) checkSiblingName(parent int, name string, self int) *apiError {
	for id, d := range st.depts {
		if id != self && d.ParentID == parent && d.Name == name {
			return errorf(60008, "department %q already exists under %d", name, parent)
		}
	}
	return nil
}

// departmentUpdate serves POST department/update.
func (s *Server) departmentUpdate(c *call, req deptRequest) (any, *apiError) {
	if req.ID == nil {
		return nil, errorf(60003, "id is required")
	}
	id := int(*req.ID)
	if req.Name != nil {
		if e := checkDeptName(*req.Name); e != nil {
			return nil, e
		}
	}
	if req.NameEn != nil && *req.NameEn != "" {
		if e := checkDeptName(*req.NameEn); e != nil {
			return nil, e
		}
	}

	st := s.writeState()
	defer st.mu.Unlock()
	d := st.depts[id]
	if d == nil {
		return nil, errorf(60003, "id %d", id)
	}
	parent := d.ParentID
	if req.ParentID != nil && int(*req.ParentID) != d.ParentID {
		parent = int(*req.ParentID)
		if id == 1 {
			return nil, errorf(60010, "the root department cannot move")
		}
		if st.depts[parent] == nil {
			return nil, errorf(60004, "parentid %d", parent)
		}
		if st.isAncestor(id, parent) {
			return nil, errorf(60010, "department %d cannot move under itself", id)
		}
		if st.depth(parent)+st.height(id) > maxDeptDepth {
			return nil, newError(81002)
		}
	}
	name := d.Name
	if req.Name != nil {
		name = *req.Name
	}
	if id != 1 {
		if e := st.checkSiblingName(parent, name, id); e != nil {
			return nil, e
		}
	}
	d.Name, d.ParentID = name, parent
	if req.NameEn != nil {
		d.NameEn = *req.NameEn
	}
	if req.Order != nil {
		d.Order = int(*req.Order)
	}
	return updatedStatus, nil
}

// height returns the number of levels of d's subtree, 1 for a leaf.
func (st *state) height(d int) int {
	h := 1
	for _, c := range st.children(d) {
		h = max(h, 1+st.height(c))
	}
	return h
}

// departmentDelete serves GET department/delete?id=ID.
func (s *Server) departmentDelete(c *call) (any, *apiError) {
	id, e := deptParam(c, "id", true)
	if e != nil {
		return nil, e
	}
	st := s.writeState()
	defer st.mu.Unlock()
	if e := st.deleteDept(id); e != nil {
		return nil, e
	}
	return deletedStatus, nil
}

// deleteDept deletes an empty department: 60003 unknown, 60007 root, 60005
// with members, 60006 with sub-departments.
func (st *state) deleteDept(id int) *apiError {
	switch {
	case st.depts[id] == nil:
		return errorf(60003, "id %d", id)
	case id == 1:
		return newError(60007)
	case len(st.members[id]) > 0:
		return newError(60005)
	case len(st.children(id)) > 0:
		return newError(60006)
	}
	delete(st.depts, id)
	delete(st.members, id)
	delete(st.pendingDrop, id)
	for _, t := range st.tags {
		delete(t.parties, id)
	}
	for _, a := range st.apps {
		delete(a.allowParties, id)
	}
	return nil
}

// deptParam reads a department id from the query; if required and absent
// it fails with 60003.
func deptParam(c *call, name string, required bool) (int, *apiError) {
	v := strings.TrimSpace(c.param(name))
	if v == "" {
		if required {
			return 0, errorf(60003, "%s is required", name)
		}
		return 0, nil
	}
	id, err := strconv.Atoi(v)
	if err != nil {
		return 0, errorf(60003, "%s %q", name, v)
	}
	return id, nil
}

type deptItem struct {
	ID       int    `json:"id"`
	Name     string `json:"name"`
	NameEn   string `json:"name_en,omitempty"`
	ParentID int    `json:"parentid"`
	Order    int    `json:"order"`
}

type deptList struct {
	status
	Department []deptItem `json:"department"`
}

type deptSimple struct {
	ID       int `json:"id"`
	ParentID int `json:"parentid"`
	Order    int `json:"order"`
}

type deptSimpleList struct {
	status
	DepartmentID []deptSimple `json:"department_id"`
}

// listedDepts returns copies of the departments department/list and
// department/simplelist answer with: the subtree of the id parameter (the
// whole tree if absent) within the app's visible range.
func (s *Server) listedDepts(c *call) ([]Department, *apiError) {
	id, e := deptParam(c, "id", false)
	if e != nil {
		return nil, e
	}
	st := s.readState()
	defer st.mu.RUnlock()
	root := 1
	if id != 0 {
		if _, e := st.visibleDept(c, "id", id); e != nil {
			return nil, e
		}
		root = id
	}
	a := c.app()
	var out []Department
	for _, d := range st.subtree(root) {
		if st.deptVisible(a, d) {
			out = append(out, *st.depts[d])
		}
	}
	return out, nil
}

// departmentList serves GET department/list[?id=ID].
func (s *Server) departmentList(c *call) (any, *apiError) {
	depts, e := s.listedDepts(c)
	if e != nil {
		return nil, e
	}
	out := deptList{okStatus, make([]deptItem, 0, len(depts))}
	for _, d := range depts {
		out.Department = append(out.Department, deptItem{d.ID, d.Name, d.NameEn, d.ParentID, d.Order})
	}
	return out, nil
}

// departmentSimpleList serves GET department/simplelist[?id=ID].
func (s *Server) departmentSimpleList(c *call) (any, *apiError) {
	depts, e := s.listedDepts(c)
	if e != nil {
		return nil, e
	}
	out := deptSimpleList{okStatus, make([]deptSimple, 0, len(depts))}
	for _, d := range depts {
		out.DepartmentID = append(out.DepartmentID, deptSimple{d.ID, d.ParentID, d.Order})
	}
	return out, nil
}

type deptDetail struct {
	ID       int      `json:"id"`
	Name     string   `json:"name"`
	NameEn   string   `json:"name_en,omitempty"`
	Leaders  []string `json:"department_leader"`
	ParentID int      `json:"parentid"`
	Order    int      `json:"order"`
}

type deptGet struct {
	status
	Department deptDetail `json:"department"`
}

// visibleDept returns the department id, read from the parameter param,
// for a read by the call's token: 60003 unknown, 60011 outside the app's
// visible range. The caller holds st.mu.
func (st *state) visibleDept(c *call, param string, id int) (*Department, *apiError) {
	d := st.depts[id]
	if d == nil {
		return nil, errorf(60003, "%s %d", param, id)
	}
	if !st.deptVisible(c.app(), id) {
		return nil, errorf(60011, "department %d is outside the app's visible range", id)
	}
	return d, nil
}

// departmentGet serves GET department/get?id=ID.
func (s *Server) departmentGet(c *call) (any, *apiError) {
	id, e := deptParam(c, "id", true)
	if e != nil {
		return nil, e
	}
	st := s.readState()
	defer st.mu.RUnlock()
	d, e := st.visibleDept(c, "id", id)
	if e != nil {
		return nil, e
	}
	leaders := []string{}
	for _, uid := range st.leaders(id) {
		if st.seenUser(c, uid) != nil {
			leaders = append(leaders, uid)
		}
	}
	return deptGet{okStatus, deptDetail{d.ID, d.Name, d.NameEn, leaders, d.ParentID, d.Order}}, nil
}
