package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// parallelism is the number of concurrent clients per CPU in the HTTP
// benchmark; several keep-alive connections in flight let the server's
// network poller batch work, as a real client pool does.
var parallelism = 8

// BenchmarkUserGet measures user/get over real HTTP on loopback, with
// keep-alive connections from parallel clients.
func BenchmarkUserGet(b *testing.B) {
	s := startServer(b)
	token := opsApp(b, s).token
	url := s.BaseURL() + "user/get?access_token=" + token + "&userid=zhangsan"
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
	defer client.CloseIdleConnections()
	b.ReportAllocs()
	b.SetParallelism(parallelism)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(url)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("HTTP %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// BenchmarkUserGetHandler measures the handler alone, without the network.
func BenchmarkUserGetHandler(b *testing.B) {
	s := New(nil)
	token := s.auth.issue(DemoOpsAgentID, s.now(), time.Hour).value
	req, _ := http.NewRequest(http.MethodGet, "http://emulator/cgi-bin/user/get?access_token="+token+"&userid=zhangsan", nil)
	req.RemoteAddr = "127.0.0.1:1"
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			s.ServeHTTP(w, req)
		}
	})
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// listHandlerBench returns a server of emulator.LargeOrg(100, members) and
// a user/list request of its whole organisation with the contacts-sync
// token.
func listHandlerBench(b *testing.B, org *Org) (*Server, *http.Request) {
	b.Helper()
	s := New(org, oldSyncIP)
	token := s.auth.issue(0, s.now(), time.Hour).value
	req, _ := http.NewRequest(http.MethodGet, "http://emulator/cgi-bin/user/list?department_id=1&fetch_child=1&access_token="+token, nil)
	req.RemoteAddr = "127.0.0.1:1"
	return s, req
}

// countingWriter is a ResponseWriter that counts what it is given.
type countingWriter struct {
	h    http.Header
	n    int
	code int
}

func (w *countingWriter) Header() http.Header         { return w.h }
func (w *countingWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }
func (w *countingWriter) WriteHeader(code int)        { w.code = code }

// serveList answers req and fails b unless the answer is a 200 of at least
// 30 MB (the 50,000-member list).
func serveList(b *testing.B, s *Server, req *http.Request) {
	w := &countingWriter{h: http.Header{}}
	s.ServeHTTP(w, req)
	if w.code != 0 && w.code != http.StatusOK || w.n < 30<<20 {
		b.Fatalf("HTTP %d, %d bytes", w.code, w.n)
	}
}

// BenchmarkUserListFirstAnswer50k is the first user/list of the whole
// organisation from a new server of emulator.LargeOrg(100, 50000): the
// handler alone, without the network. Compare with
// BenchmarkUserListNextAnswer50k.
func BenchmarkUserListFirstAnswer50k(b *testing.B) {
	org := LargeOrg(100, 50000)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s, req := listHandlerBench(b, org)
		b.StartTimer()
		serveList(b, s, req)
	}
}

// BenchmarkUserListNextAnswer50k is the same list answered again by the
// same server.
func BenchmarkUserListNextAnswer50k(b *testing.B) {
	s, req := listHandlerBench(b, LargeOrg(100, 50000))
	serveList(b, s, req)
	b.ReportAllocs()
	for b.Loop() {
		serveList(b, s, req)
	}
}

// BenchmarkUserListAfterWrite50k is the list answered after a change of one
// member (user/update), which the server must show.
func BenchmarkUserListAfterWrite50k(b *testing.B) {
	s, req := listHandlerBench(b, LargeOrg(100, 50000))
	serveList(b, s, req)
	update, _ := http.NewRequest(http.MethodPost, "http://emulator/cgi-bin/user/update?"+req.URL.Query().Encode(), nil)
	update.RemoteAddr = req.RemoteAddr
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		update.Body = io.NopCloser(strings.NewReader(`{"userid":"zhangsan","position":"研发总监` + strconv.Itoa(i) + `"}`))
		w := &countingWriter{h: http.Header{}}
		s.ServeHTTP(w, update)
		b.StartTimer()
		serveList(b, s, req)
	}
}

// BenchmarkOffboard1000Handlers measures, without the network, the
// emulator's side of offboarding a salesperson with 1,000 customers:
// user/delete, one page of get_unassigned_list, ten resigned transfers of
// 100 customers, and resigned/transfer_result.
//
//	go test ./wecom/emulator -run '^$' -bench Offboard1000 -benchmem
func BenchmarkOffboard1000Handlers(b *testing.B) {
	const n = 1000
	org := DemoOrg()
	for i := range n {
		org.ExternalContact.Customers = append(org.ExternalContact.Customers, Customer{
			ExternalUserID: fmt.Sprintf("wmBench%024d", i), Name: fmt.Sprintf("客户%d", i), Type: 1,
			Follow: []CustomerFollow{{UserID: "linfeng", Remark: "客户", CreateTime: 1767225600, AddWay: 1}},
		})
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("wmBench%024d", i)
	}
	// call serves one request: a GET with query when body is nil, else a
	// POST of body as JSON.
	call := func(s *Server, token, api, query string, body any) {
		method, u := http.MethodPost, "http://emulator/cgi-bin/"+api+"?access_token="+token+query
		var rd io.Reader
		if body == nil {
			method = http.MethodGet
		} else {
			data, _ := json.Marshal(body)
			rd = bytes.NewReader(data)
		}
		req, _ := http.NewRequest(method, u, rd)
		req.RemoteAddr = "127.0.0.1:1"
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if !bytes.Contains(rec.Body.Bytes(), []byte(`"errcode":0`)) {
			b.Fatalf("%s: %s", api, rec.Body.Bytes())
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s := New(org)
		contacts := s.auth.issue(0, s.now(), time.Hour).value
		app := s.auth.issue(DemoCustomerAgentID, s.now(), time.Hour).value
		b.StartTimer()
		call(s, contacts, "user/delete", "&userid=linfeng", nil)
		call(s, app, "externalcontact/get_unassigned_list", "", map[string]any{"page_size": 1000})
		for i := 0; i < n; i += 100 {
			call(s, app, "externalcontact/resigned/transfer_customer", "", map[string]any{
				"handover_userid": "linfeng", "takeover_userid": "guoqiang", "external_userid": ids[i : i+100]})
		}
		call(s, app, "externalcontact/resigned/transfer_result", "", map[string]any{"handover_userid": "linfeng", "takeover_userid": "guoqiang"})
	}
}
