package emulator

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFailNext(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := opsApp(t, s)
	s.FailNext("user/get", 2, -1)
	wantCode(t, c.get("user/get", "userid", "zhangsan"), -1)
	wantCode(t, c.get("department/list"), 0) // other APIs are unaffected
	wantCode(t, c.get("user/get", "userid", "zhangsan"), -1)
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 0)

	s.FailNext("*", 1, 45033)
	wantCode(t, rawCall(t, s, http.MethodGet, "gettoken", query("corpid", DemoCorpID, "corpsecret", DemoOpsSecret), nil), 0)
	wantCode(t, c.get("tag/list"), 45033)
	wantCode(t, c.get("tag/list"), 0)

	s.FailNext("gettoken", 1, 40001)
	wantCode(t, rawCall(t, s, http.MethodGet, "gettoken", query("corpid", DemoCorpID, "corpsecret", DemoOpsSecret), nil), 40001)
}

func TestFailNextHTTP(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := opsApp(t, s)
	s.FailNextHTTP("user/get", 1, http.StatusBadGateway)
	resp := send(t, s, http.MethodGet, "user/get", c.withToken([]string{"userid", "zhangsan"}), nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("HTTP %d, want 502", resp.StatusCode)
	}
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 0)
	last := s.Requests()[len(s.Requests())-2]
	if last.Status != http.StatusBadGateway {
		t.Errorf("logged %+v", last)
	}
}

func TestDropNext(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := opsApp(t, s)
	s.DropNext("user/get", 1)
	// A fresh connection, so that the transport does not retry.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(s.BaseURL() + "user/get?" + c.withToken([]string{"userid", "zhangsan"}).Encode())
	if err == nil {
		resp.Body.Close()
		t.Fatalf("a dropped call answered HTTP %d", resp.StatusCode)
	}
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 0)
	reqs := s.Requests()
	if !reqs[len(reqs)-2].Dropped {
		t.Errorf("the dropped call is not logged as dropped: %+v", reqs[len(reqs)-2])
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	s := startServer(t, WithLatency(30*time.Millisecond, 0))
	c := opsApp(t, s)
	start := time.Now()
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 0)
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("answered in %v with 30ms latency", d)
	}
	s.SetLatency(0, 0)
	s.SetLatency(time.Millisecond, 20*time.Millisecond)
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 0)
	s.ResetFaults()
	start = time.Now()
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 0)
	if d := time.Since(start); d > 25*time.Millisecond {
		t.Logf("slow answer without latency: %v", d)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := startServer(t, WithClock(clock.Now))
	c := opsApp(t, s)
	s.SetRateLimit("user/get", 3)
	for range 3 {
		wantCode(t, c.get("user/get", "userid", "zhangsan"), 0)
	}
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 45009)
	wantCode(t, c.get("tag/list"), 0)
	clock.Add(30 * time.Second)
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 45009) // blocked for the whole window
	clock.Add(31 * time.Second)
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 0)

	s.SetRateLimit("user/get", 0)
	s.SetRateLimit("*", 2)
	wantCode(t, c.get("tag/list"), 0)
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 0)
	wantCode(t, c.get("department/list"), 45009)
	s.ResetFaults()
	wantCode(t, c.get("department/list"), 0)
}

func TestDailyQuota(t *testing.T) {
	t.Parallel()
	clock := newFakeClock() // 2024-03-01 09:00 UTC: 17:00 in Beijing
	s := startServer(t, WithClock(clock.Now))
	c := opsApp(t, s)
	s.SetDailyQuota("user/get", 2)
	for range 2 {
		wantCode(t, c.get("user/get", "userid", "zhangsan"), 0)
	}
	r := c.get("user/get", "userid", "zhangsan")
	wantCode(t, r, 45009)
	if msg := r.str("errmsg"); !strings.HasPrefix(msg, "reach max api daily quota limit") {
		t.Errorf("errmsg = %q, want WeCom's words for a daily quota", msg)
	}
	wantCode(t, c.get("tag/list"), 0)
	clock.Add(6*time.Hour + 59*time.Minute) // 23:59 in Beijing
	c = opsApp(t, s)                        // the token expired meanwhile
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 45009)
	clock.Add(time.Minute) // midnight in Beijing: a new day
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 0)

	s.SetDailyQuota("user/get", 0)
	s.SetDailyQuota("*", 1)
	wantCode(t, c.get("tag/list"), 0)
	wantCode(t, c.get("department/list"), 45009)
	s.ResetFaults()
	wantCode(t, c.get("department/list"), 0)
}

func TestFaultsConcurrent(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := opsApp(t, s)
	s.FailNext("user/get", 20, -1)
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for range 8 {
		wg.Go(func() {
			for range 5 {
				if c.get("user/get", "userid", "zhangsan").code() == -1 {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if failed != 20 {
		t.Errorf("%d calls failed, want exactly 20", failed)
	}
}
