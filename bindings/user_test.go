package bindings

import (
	"encoding/json"
	"testing"
)

// TestContactsBeyondTheCases runs, in the form of the conformance cases,
// calls of the user, department, batch and menu groups that the cases do not
// cover: the methods wechatpy 1.8 lacks and the options that change the
// request.
func TestContactsBeyondTheCases(t *testing.T) {
	cases := []string{
		`{"id": "user.list_id.first_page",
		  "lua": "print(require('json').encode(require('wecom').user.list_id()))",
		  "server_answers": {"response": {"errcode": 0, "errmsg": "ok", "next_cursor": "c2", "dept_user": [{"userid": "zhangsan", "department": 1}]}},
		  "expected_requests": [{"method": "POST", "path": "/cgi-bin/user/list_id", "has_access_token": true, "body_kind": "json", "json": {"limit": 10000}}],
		  "wechatpy_result": {"errcode": 0, "errmsg": "ok", "next_cursor": "c2", "dept_user": [{"userid": "zhangsan", "department": 1}]}}`,
		`{"id": "user.list_id.named",
		  "lua": "require('wecom').user.list_id{cursor = 'c2', limit = 100}",
		  "expected_requests": [{"method": "POST", "path": "/cgi-bin/user/list_id", "has_access_token": true, "body_kind": "json", "json": {"cursor": "c2", "limit": 100}}]}`,
		`{"id": "user.all_ids",
		  "lua": "print(require('json').encode(require('wecom').user.all_ids()))",
		  "server_answers": {"response": {"errcode": 0, "errmsg": "ok", "next_cursor": "", "dept_user": [{"userid": "zhangsan", "department": 1}, {"userid": "zhangsan", "department": 2}]}},
		  "expected_requests": [{"method": "POST", "path": "/cgi-bin/user/list_id", "has_access_token": true, "body_kind": "json", "json": {"limit": 10000}}],
		  "wechatpy_result": [{"userid": "zhangsan", "department": 1}, {"userid": "zhangsan", "department": 2}]}`,
		`{"id": "user.list.simple",
		  "lua": "print(require('json').encode(require('wecom').user.list(1, true, 0, true)))",
		  "server_answers": {"response": {"errcode": 0, "errmsg": "ok", "userlist": [{"userid": "zhangsan", "name": "张三"}]}},
		  "expected_requests": [{"method": "GET", "path": "/cgi-bin/user/simplelist", "query": {"department_id": ["1"], "fetch_child": ["1"], "status": ["0"]}, "has_access_token": true, "body_kind": "empty"}],
		  "wechatpy_result": [{"userid": "zhangsan", "name": "张三"}]}`,
		`{"id": "department.get_users.detail",
		  "lua": "require('wecom').department.get_users{id = 2, simple = false}",
		  "expected_requests": [{"method": "GET", "path": "/cgi-bin/user/list", "query": {"department_id": ["2"], "fetch_child": ["0"], "status": ["0"]}, "has_access_token": true, "body_kind": "empty"}]}`,
		`{"id": "department.simplelist.all",
		  "lua": "print(require('json').encode(require('wecom').department.simplelist()))",
		  "server_answers": {"response": {"errcode": 0, "errmsg": "ok", "department_id": [{"id": 2, "parentid": 1, "order": 10}]}},
		  "expected_requests": [{"method": "GET", "path": "/cgi-bin/department/simplelist", "has_access_token": true, "body_kind": "empty"}],
		  "wechatpy_result": [{"id": 2, "parentid": 1, "order": 10}]}`,
		`{"id": "department.simplelist.by_id",
		  "lua": "require('wecom').department.simplelist(2)",
		  "expected_requests": [{"method": "GET", "path": "/cgi-bin/department/simplelist", "query": {"id": ["2"]}, "has_access_token": true, "body_kind": "empty"}]}`,
		`{"id": "department.get_detail",
		  "lua": "print(require('json').encode(require('wecom').department.get_detail(2)))",
		  "server_answers": {"response": {"errcode": 0, "errmsg": "ok", "department": {"id": 2, "name": "广州研发中心", "department_leader": ["zhangsan"], "parentid": 1, "order": 10}}},
		  "expected_requests": [{"method": "GET", "path": "/cgi-bin/department/get", "query": {"id": ["2"]}, "has_access_token": true, "body_kind": "empty"}],
		  "wechatpy_result": {"id": 2, "name": "广州研发中心", "department_leader": ["zhangsan"], "parentid": 1, "order": 10}}`,
		`{"id": "department.create.order_zero",
		  "lua": "require('wecom').department.create{name = '法务部', order = 0}",
		  "expected_requests": [{"method": "POST", "path": "/cgi-bin/department/create", "has_access_token": true, "body_kind": "json", "json": {"name": "法务部", "parentid": 1, "order": 0}}]}`,
		`{"id": "user.update.kwargs",
		  "lua": "require('wecom').user.update{user_id = 'lisi', position = '', gender = '2', direct_leader = {'zhangsan'}}",
		  "expected_requests": [{"method": "POST", "path": "/cgi-bin/user/update", "has_access_token": true, "body_kind": "json", "json": {"userid": "lisi", "position": "", "gender": "2", "direct_leader": ["zhangsan"]}}]}`,
		`{"id": "batch.sync_user.no_callback",
		  "lua": "require('wecom').batch.sync_user(nil, nil, nil, 'm1', false)",
		  "expected_requests": [{"method": "POST", "path": "/cgi-bin/batch/syncuser", "has_access_token": true, "body_kind": "json", "json": {"media_id": "m1", "to_invite": false}}]}`,
		`{"id": "batch.invite_user.no_callback",
		  "lua": "require('wecom').batch.invite_user{user_ids = 'zhangsan|lisi', party_ids = {2}}",
		  "expected_requests": [{"method": "POST", "path": "/cgi-bin/batch/inviteuser", "has_access_token": true, "body_kind": "json", "json": {"touser": "zhangsan|lisi", "toparty": "2"}}]}`,
		`{"id": "menu.update.delete_fails",
		  "lua": "require('wecom').menu.update(1000002, {button = {{type = 'click', name = '签到', key = 'CHECKIN'}}})",
		  "server_answers": {"response_by_path": {"menu/delete": {"errcode": 301002, "errmsg": "not allow operate another agent with this accesstoken."}}},
		  "expected_requests": [{"method": "GET", "path": "/cgi-bin/menu/delete", "query": {"agentid": ["1000002"]}, "has_access_token": true, "body_kind": "empty"}],
		  "wechatpy_error": "WeChatClientException 301002"}`,
	}
	for _, c := range cases {
		var tc conformanceCase
		if err := json.Unmarshal([]byte(c), &tc); err != nil {
			t.Fatalf("%v in %s", err, c)
		}
		t.Run(tc.ID, func(t *testing.T) {
			t.Parallel()
			runConformanceCase(t, tc)
		})
	}
}
