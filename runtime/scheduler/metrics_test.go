package scheduler

import (
	"strings"
	"testing"
	"time"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
)

func TestMetricsFormat(t *testing.T) {
	m := NewMetrics()
	m.setJobs([]*jobs.Job{{Name: "a"}, {Name: `we"ird`}})
	m.runStarted("a")
	m.runFinished("a", state.ResultOK, 2*time.Second, time.Unix(1700000000, 500e6))
	m.runFinished("a", state.ResultSkipped, 0, time.Unix(1700000100, 0))
	m.startDelay(20 * time.Millisecond)
	m.APICall("gettoken", 0, 100*time.Millisecond)
	m.TokenFetch()
	var b strings.Builder
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "metrics.golden", []byte(b.String()))

	var nilMetrics *Metrics
	nilMetrics.APICall("user/get", 0, time.Second) // a nil *Metrics counts nothing
	nilMetrics.TokenFetch()
}

// BenchmarkMetricsAPICall is the cost of counting one WeCom API call, which
// every call of every run pays.
func BenchmarkMetricsAPICall(b *testing.B) {
	m := NewMetrics()
	apis := []string{"user/get", "department/list", "message/send", "user/list"}
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			m.APICall(apis[i%len(apis)], 0, 30*time.Millisecond)
			i++
		}
	})
}
