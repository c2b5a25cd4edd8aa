package wecom

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecomrunner/runner/internal/benchpair"
)

// benchUserJSON is a user/get answer as WeCom sends it to a contacts-sync
// app: every field of a fully filled-in member, about 1.3 KB.
const benchUserJSON = `{"errcode":0,"errmsg":"ok","userid":"zhangsan","name":"张三",` +
	`"department":[1,2,3],"order":[1,2,3],"position":"后台工程师","mobile":"13800000000","gender":"1",` +
	`"email":"zhangsan@gzdev.com","biz_mail":"zhangsan@qyycs2.wecom.work","is_leader_in_dept":[1,0,0],` +
	`"direct_leader":["lisi","wangwu"],"avatar":"http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/0",` +
	`"thumb_avatar":"http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/100",` +
	`"telephone":"020-123456","alias":"jackzhang","address":"广州市海珠区新港中路","open_userid":"xxxxxx",` +
	`"main_department":1,"extattr":{"attrs":[{"type":0,"name":"文本名称","text":{"value":"文本"}},` +
	`{"type":1,"name":"网页名称","web":{"url":"http://www.test.com","title":"标题"}}]},"status":1,` +
	`"qr_code":"https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx","external_position":"产品经理",` +
	`"external_profile":{"external_corp_name":"企业简称","wechat_channels":{"nickname":"视频号名称","status":1},` +
	`"external_attr":[{"type":0,"name":"文本名称","text":{"value":"文本"}},` +
	`{"type":1,"name":"网页名称","web":{"url":"http://www.test.com","title":"标题"}},` +
	`{"type":2,"name":"测试app","miniprogram":{"appid":"wx8bd80126147dFAKE","pagepath":"/index","title":"my miniprogram"}}]}}`

// benchServer is a fake WeCom for the benchmarks: gettoken (counted, after
// tokenDelay) and user/get answering benchUserJSON.
type benchServer struct {
	*httptest.Server
	gettokens  atomic.Int64
	tokenDelay time.Duration
}

func newBenchServer(b *testing.B, tokenDelay time.Duration) *benchServer {
	b.Helper()
	s := &benchServer{tokenDelay: tokenDelay}
	mux := http.NewServeMux()
	mux.HandleFunc("/cgi-bin/gettoken", func(w http.ResponseWriter, r *http.Request) {
		s.gettokens.Add(1)
		if s.tokenDelay > 0 {
			time.Sleep(s.tokenDelay)
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","access_token":%q,"expires_in":7200}`, testToken)
	})
	body := []byte(benchUserJSON)
	mux.HandleFunc("/cgi-bin/user/get", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("access_token") != testToken {
			fmt.Fprint(w, `{"errcode":40014,"errmsg":"invalid access_token"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.Write(body)
	})
	s.Server = httptest.NewServer(mux)
	b.Cleanup(s.Close)
	return s
}

// noWait is a rate limit so high that the limiter runs on every call but
// never makes one wait: the default 9,000 calls a minute would pace a tight
// loop to 150 calls a second, which is policy, not per-call overhead.
var noWait = WithRateLimit(math.MaxInt32)

// BenchmarkClientCall is one Client.User.Get on a warm client over a
// keep-alive loopback connection: the whole path of a call (limiter, token
// cache, URL, HTTP exchange, envelope scan, decoding into User).
// Compare it with BenchmarkRawHTTP, the same exchange in plain net/http.
func BenchmarkClientCall(b *testing.B) {
	srv := newBenchServer(b, 0)
	c := New(testCorpID, testSecret, WithBaseURL(srv.URL+"/cgi-bin/"), noWait)
	ctx := context.Background()
	if _, err := c.User.Get(ctx, "zhangsan"); err != nil { // token and connection
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		u, err := c.User.Get(ctx, "zhangsan")
		if err != nil {
			b.Fatal(err)
		}
		if u.UserID != "zhangsan" {
			b.Fatalf("userid %q", u.UserID)
		}
	}
}

// BenchmarkRawHTTP is the yardstick of BenchmarkClientCall: a GET built by
// hand with the token already known, the body read and unmarshalled into
// the same User (with the errcode checked), over the same kind of
// keep-alive connection to the same server.
func BenchmarkRawHTTP(b *testing.B) {
	srv := newBenchServer(b, 0)
	get := rawUserGet(srv.URL + "/cgi-bin/")
	if _, err := get("zhangsan"); err != nil { // connection
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		u, err := get("zhangsan")
		if err != nil {
			b.Fatal(err)
		}
		if u.UserID != "zhangsan" {
			b.Fatalf("userid %q", u.UserID)
		}
	}
}

// rawUserGet returns user/get done by hand in net/http, with the token
// already known.
func rawUserGet(baseURL string) func(id string) (*User, error) {
	hc := &http.Client{}
	prefix := baseURL + "user/get?access_token=" + url.QueryEscape(testToken) + "&userid="
	return func(id string) (*User, error) {
		res, err := hc.Get(prefix + url.QueryEscape(id))
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			return nil, err
		}
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("HTTP %d", res.StatusCode)
		}
		var ans struct {
			ErrCode int    `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
			User
		}
		if err := json.Unmarshal(body, &ans); err != nil {
			return nil, err
		}
		if ans.ErrCode != 0 {
			return nil, fmt.Errorf("errcode %d: %s", ans.ErrCode, ans.ErrMsg)
		}
		return &ans.User, nil
	}
}

// BenchmarkClientCallOverRaw runs the calls of BenchmarkClientCall and
// BenchmarkRawHTTP alternately against one server, so that both see the
// same load of a shared machine, and reports the median time of each and
// their ratio (the target is at most 1.15). One op is one call of each.
func BenchmarkClientCallOverRaw(b *testing.B) {
	srv := newBenchServer(b, 0)
	c := New(testCorpID, testSecret, WithBaseURL(srv.URL+"/cgi-bin/"), noWait)
	raw := rawUserGet(srv.URL + "/cgi-bin/")
	ctx := context.Background()
	if _, err := c.User.Get(ctx, "zhangsan"); err != nil {
		b.Fatal(err)
	}
	if _, err := raw("zhangsan"); err != nil {
		b.Fatal(err)
	}
	var client, plain []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := c.User.Get(ctx, "zhangsan"); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := raw("zhangsan"); err != nil {
			b.Fatal(err)
		}
		client, plain = append(client, t1.Sub(t0)), append(plain, time.Since(t1))
	}
	benchpair.Report(b, "client", client, "raw", plain)
}

// BenchmarkColdTokenCache100 starts 100 goroutines at once on a fresh
// client, each calling User.Get, and fails unless they shared exactly one
// gettoken. gettoken answers after 2 ms, as a remote WeCom would, so every
// goroutine finds the fetch in flight.
func BenchmarkColdTokenCache100(b *testing.B) {
	const callers = 100
	srv := newBenchServer(b, 2*time.Millisecond)
	tr := &http.Transport{MaxIdleConnsPerHost: callers}
	b.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c := New(testCorpID, testSecret, WithBaseURL(srv.URL+"/cgi-bin/"), WithHTTPClient(hc), noWait)
		before := srv.gettokens.Load()
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, callers)
		for range callers {
			wg.Go(func() {
				<-start
				if _, err := c.User.Get(ctx, "zhangsan"); err != nil {
					errs <- err
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		if n := srv.gettokens.Load() - before; n != 1 {
			b.Fatalf("%d callers on a cold cache made %d gettoken calls, want 1", callers, n)
		}
	}
}
