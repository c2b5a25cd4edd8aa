package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// benchCheckin serves api for 100 members over the 31 days before the
// clock: the largest call WeCom allows, each day report computed from the
// day's check-ins.
func benchCheckin(b *testing.B, api string) {
	org := DemoOrg()
	var ids []string
	for i := range 100 {
		u := org.Users[2] // 李四, 后端开发部, under 总部考勤
		u.UserID, u.Mobile, u.Email, u.BizMail = fmt.Sprintf("bench%03d", i), "", "", ""
		if i < 60 {
			org.Users = append(org.Users, u)
		} else {
			u.UserID = org.Users[i-60].UserID
		}
		ids = append(ids, u.UserID)
	}
	s := New(org, WithClock(oaNow))
	token := s.auth.issue(DemoOAAgentID, s.now(), time.Hour).value
	end := oaNow().Unix()
	body, _ := json.Marshal(map[string]any{"starttime": end - 31*86400, "endtime": end, "useridlist": ids, "opencheckindatatype": 3})
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "http://emulator/cgi-bin/"+api+"?access_token="+token, bytes.NewReader(body))
		req.RemoteAddr = "127.0.0.1:1"
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if !bytes.Contains(rec.Body.Bytes(), []byte(`"errcode":0`)) {
			b.Fatalf("%s: %.300s", api, rec.Body.Bytes())
		}
	}
}

func BenchmarkCheckinDayData100x31(b *testing.B)   { benchCheckin(b, "checkin/getcheckin_daydata") }
func BenchmarkCheckinMonthData100x31(b *testing.B) { benchCheckin(b, "checkin/getcheckin_monthdata") }
