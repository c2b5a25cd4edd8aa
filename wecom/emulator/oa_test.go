package emulator

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// oaNow is the clock of the OA tests: Monday 2026-12-07 10:00 UTC+8.
func oaNow() time.Time { return time.Date(2026, 12, 7, 10, 0, 0, 0, cst) }

func oaApp(t testing.TB, s *Server) *apiClient { return as(t, s, DemoOASecret) }

// oaLeave is a leave request on the demo template 请假.
func oaLeave(creator string) map[string]any {
	return map[string]any{
		"creator_userid": creator, "template_id": DemoLeaveTemplateID, "use_template_approver": 1,
		"apply_data": map[string]any{"contents": []any{
			map[string]any{"control": "Vacation", "id": "vacation-1563793073898", "value": map[string]any{"vacation": map[string]any{"selector": map[string]any{"type": "single"}}}},
			map[string]any{"control": "Textarea", "id": "item-1497581399901", "title": []any{map[string]any{"text": "请假事由", "lang": "zh_CN"}}, "value": map[string]any{"text": "家中有事"}},
		}},
		"summary_list": []any{map[string]any{"summary_info": []any{map[string]any{"text": "事假半天", "lang": "zh_CN"}}}},
	}
}

// TestOAShapesMatchOfficialExamples compares the emulator's answers with
// the response examples of the official pages (testdata/oa_examples.json,
// each with its page): every key of the example must be in the answer with
// the same JSON type, but those WeCom sends only in some cases.
func TestOAShapesMatchOfficialExamples(t *testing.T) {
	t.Parallel()
	examples := loadExamples(t, "testdata/oa_examples.json")
	// new_next_cursor when there is a next page.
	optional := map[string]string{"new_next_cursor": ""}
	week := []any{"lisi", "xuming"}
	from, to := oaNow().AddDate(0, 0, -7).Unix(), oaNow().Unix()
	produce := map[string]func(c *apiClient) result{
		"oa/gettemplatedetail": func(c *apiClient) result {
			return c.post("oa/gettemplatedetail", map[string]any{"template_id": DemoExpenseTemplateID})
		},
		"oa/applyevent": func(c *apiClient) result { return c.post("oa/applyevent", oaLeave("lisi")) },
		"oa/getapprovalinfo": func(c *apiClient) result {
			wantCode(t, c.post("oa/applyevent", oaLeave("lisi")), 0)
			return c.post("oa/getapprovalinfo", map[string]any{"starttime": itoa(int(from)), "endtime": itoa(int(to)), "new_cursor": "", "size": 100})
		},
		"oa/getapprovaldetail": func(c *apiClient) result {
			r := c.post("oa/applyevent", oaLeave("lisi"))
			return c.post("oa/getapprovaldetail", map[string]any{"sp_no": r.str("sp_no")})
		},
		"oa/vacation/getcorpconf": func(c *apiClient) result { return c.get("oa/vacation/getcorpconf") },
		"oa/vacation/getuservacationquota": func(c *apiClient) result {
			return c.post("oa/vacation/getuservacationquota", map[string]any{"userid": "lisi"})
		},
		"checkin/getcheckindata": func(c *apiClient) result {
			return c.post("checkin/getcheckindata", map[string]any{"opencheckindatatype": 3, "starttime": from, "endtime": to, "useridlist": week})
		},
		"checkin/getcheckin_daydata": func(c *apiClient) result {
			return c.post("checkin/getcheckin_daydata", map[string]any{"starttime": from, "endtime": to, "useridlist": week})
		},
		"checkin/getcheckin_monthdata": func(c *apiClient) result {
			return c.post("checkin/getcheckin_monthdata", map[string]any{"starttime": from, "endtime": to, "useridlist": week})
		},
		"checkin/getcorpcheckinoption": func(c *apiClient) result { return c.post("checkin/getcorpcheckinoption", map[string]any{}) },
		"checkin/getcheckinschedulist": func(c *apiClient) result {
			return c.post("checkin/getcheckinschedulist", map[string]any{"starttime": from, "endtime": to, "useridlist": week})
		},
	}
	checkExamples(t, examples, func(api string) bool { return strings.HasPrefix(api, "oa/") || strings.HasPrefix(api, "checkin/") }, optional,
		func(t *testing.T, api string) (result, bool) {
			f, ok := produce[api]
			if !ok {
				return nil, false
			}
			s := startServer(t, WithClock(oaNow))
			return f(oaApp(t, s)), true
		})
}

// TestOAPermissions checks which secrets may call the approval and
// attendance APIs: an application configured in 审批 (or 打卡) → 可调用接口的
// 应用, not the contacts-sync secret nor another application.
func TestOAPermissions(t *testing.T) {
	t.Parallel()
	s := startServer(t, WithClock(oaNow))
	for _, c := range []*apiClient{contacts(t, s), opsApp(t, s), customerApp(t, s)} {
		wantCode(t, c.post("oa/gettemplatedetail", map[string]any{"template_id": DemoLeaveTemplateID}), 48002)
		wantCode(t, c.get("oa/vacation/getcorpconf"), 48002)
		wantCode(t, c.post("checkin/getcorpcheckinoption", map[string]any{}), 48002)
	}
	c := oaApp(t, s)
	wantCode(t, c.post("checkin/getcorpcheckinoption", map[string]any{}), 0)
	// The application still reads contacts in its visible range.
	wantCode(t, c.get("user/get", "userid", "lisi"), 0)

	// An application configured for approvals only may not read check-ins.
	org := DemoOrg()
	org.Apps[3].Checkin = false
	only, err := Start(org)
	if err != nil {
		t.Fatal(err)
	}
	defer only.Close()
	a := as(t, only, DemoOASecret)
	wantCode(t, a.get("oa/vacation/getcorpconf"), 0)
	wantCode(t, a.post("checkin/getcorpcheckinoption", map[string]any{}), 48002)
}

// TestOALimits checks WeCom's limits with their errcodes: at most 100
// userids and a month's range for the attendance calls (30 days for the
// records), 31 days for the approval numbers, a visible creator and the
// template's required controls for an application.
func TestOALimits(t *testing.T) {
	t.Parallel()
	s := startServer(t, WithClock(oaNow))
	c := oaApp(t, s)
	now := oaNow().Unix()
	many := make([]string, 101)
	for i := range many {
		many[i] = "lisi"
	}
	wantCode(t, c.post("checkin/getcheckindata", map[string]any{"opencheckindatatype": 3, "starttime": now - 31*86400, "endtime": now, "useridlist": []string{"lisi"}}), 301024)
	wantCode(t, c.post("checkin/getcheckindata", map[string]any{"opencheckindatatype": 3, "starttime": now - 30*86400, "endtime": now, "useridlist": []string{"lisi"}}), 0)
	wantCode(t, c.post("checkin/getcheckindata", map[string]any{"opencheckindatatype": 4, "starttime": now - 86400, "endtime": now, "useridlist": []string{"lisi"}}), 301021)
	wantCode(t, c.post("checkin/getcheckin_daydata", map[string]any{"starttime": now, "endtime": now - 86400, "useridlist": []string{"lisi"}}), 301024)
	wantCode(t, c.post("checkin/getcheckin_monthdata", map[string]any{"starttime": now - 32*86400, "endtime": now, "useridlist": []string{"lisi"}}), 301024)
	wantCode(t, c.post("checkin/getcheckin_daydata", map[string]any{"starttime": now - 86400, "endtime": now, "useridlist": many}), 301023)
	wantCode(t, c.post("checkin/getcheckinschedulist", map[string]any{"starttime": now - 86400, "endtime": now, "useridlist": []string{}}), 301023)
	wantCode(t, c.post("oa/getapprovalinfo", map[string]any{"starttime": itoa(int(now - 32*86400)), "endtime": itoa(int(now)), "new_cursor": ""}), 301025)
	wantCode(t, c.post("oa/getapprovalinfo", map[string]any{"starttime": itoa(int(now - 86400)), "endtime": itoa(int(now)), "new_cursor": "garbage"}), 301025)

	// A member who does not exist cannot apply; a required control must
	// have a value.
	wantCode(t, c.post("oa/applyevent", oaLeave("nobody")), 301025)
	bad := oaLeave("lisi")
	bad["apply_data"] = map[string]any{"contents": []any{map[string]any{"control": "Textarea", "id": "item-1497581399901", "value": map[string]any{"text": "x"}}}}
	r := c.post("oa/applyevent", bad)
	wantCode(t, r, 301025)
	if !strings.Contains(r.str("errmsg"), "vacation-1563793073898") {
		t.Errorf("a missing required control: %q does not name it", r.str("errmsg"))
	}
	wantCode(t, c.post("oa/applyevent", oaLeave("lisi")), 0)
}

// officialExample is a response example of an official page.
type officialExample struct {
	Docs     string `json:"docs"`
	Response any    `json:"response"`
}

// loadExamples reads a file of official examples, by API.
func loadExamples(t *testing.T, name string) map[string]officialExample {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var examples map[string]officialExample
	if err := json.Unmarshal(data, &examples); err != nil {
		t.Fatal(err)
	}
	return examples
}

// checkExamples checks that the emulator serves an official example for
// each API of its own (ours) it serves, and that its answer, which answer
// produces, has the shape of the example's: every key of the example but
// those of optional, with the same JSON type.
func checkExamples(t *testing.T, examples map[string]officialExample, ours func(api string) bool, optional map[string]string,
	answer func(t *testing.T, api string) (result, bool)) {
	for api := range New(nil).routes {
		if _, ok := examples[api]; ours(api) && !ok {
			t.Errorf("%s: served, but no official example", api)
		}
	}
	for api, ex := range examples {
		t.Run(strings.ReplaceAll(api, "/", "_"), func(t *testing.T) {
			t.Parallel()
			if !strings.HasPrefix(ex.Docs, "https://developer.work.weixin.qq.com/document/path/") {
				t.Errorf("the example cites %q, not an official page", ex.Docs)
			}
			got, ok := answer(t, api)
			if !ok {
				t.Fatal("no request produces this answer")
			}
			wantCode(t, got, 0)
			for _, diff := range compareShape("", ex.Response, map[string]any(got), optional) {
				t.Error(diff)
			}
		})
	}
}

// TestSeededApprovalsAreComplete checks that the demo organisation's
// approvals hold a value for every required control, as an application
// through oa/applyevent must, and are numbered by their day.
func TestSeededApprovalsAreComplete(t *testing.T) {
	t.Parallel()
	s := New(nil, WithClock(oaNow))
	o := s.st.oa
	if len(o.approvals) != 4 {
		t.Fatalf("%d seeded approvals, want 4", len(o.approvals))
	}
	for _, a := range o.approvals {
		if e := checkContents(a.Template, a.Contents); e != nil {
			t.Errorf("%s (%s by %s): %v", a.SpNo, a.Template.Name, a.Creator, e)
		}
		if day := time.Unix(a.ApplyTime, 0).In(cst).Format("20060102"); !strings.HasPrefix(a.SpNo, day) {
			t.Errorf("%s was applied on %s", a.SpNo, day)
		}
	}
}
