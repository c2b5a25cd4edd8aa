package emulator

import (
	"io"
	"net/http"
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
