package runtime

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Metrics counts what the runner does, for /metrics in the Prometheus text
// format: runs by job and result, run durations, the last success and the
// running runs of each job, how late runs start, API calls by endpoint and
// errcode, and token fetches. The scheduler counts runs; the VM calls APICall
// and TokenFetch. A nil *Metrics counts nothing. Methods are safe for
// concurrent use.
type Metrics struct {
	mu           sync.Mutex
	jobs         []string // the configured jobs, reported even before they run
	runs         map[[2]string]uint64
	durations    map[string]*histogram
	lastOK       map[string]time.Time
	running      map[string]int
	delays       *histogram
	apiCalls     map[apiKey]uint64
	apiDurations map[string]*histogram
	tokenFetches uint64
}

type apiKey struct {
	api     string
	errcode int
}

// Histogram bucket upper bounds, in seconds.
var (
	runBuckets   = []float64{1, 5, 15, 60, 300, 900, 1800, 3600, 7200}
	delayBuckets = []float64{0.01, 0.05, 0.1, 0.5, 1, 5, 30}
	apiBuckets   = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
)

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics {
	return &Metrics{
		runs:         make(map[[2]string]uint64),
		durations:    make(map[string]*histogram),
		lastOK:       make(map[string]time.Time),
		running:      make(map[string]int),
		delays:       newHistogram(delayBuckets),
		apiCalls:     make(map[apiKey]uint64),
		apiDurations: make(map[string]*histogram),
	}
}

// APICall counts one WeCom API call: its path ("user/get"), WeCom's errcode
// (0 on success) and how long it took.
func (m *Metrics) APICall(api string, errcode int, d time.Duration) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.apiCalls[apiKey{api, errcode}]++
	h := m.apiDurations[api]
	if h == nil {
		h = newHistogram(apiBuckets)
		m.apiDurations[api] = h
	}
	h.observe(d.Seconds())
}

// TokenFetch counts one access token fetched from WeCom (gettoken).
func (m *Metrics) TokenFetch() {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.tokenFetches++
	m.mu.Unlock()
}

func (m *Metrics) setJobs(jobs []*Job) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.jobs = m.jobs[:0]
	for _, j := range jobs {
		m.jobs = append(m.jobs, j.Name)
	}
}

func (m *Metrics) runStarted(job string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.running[job]++
	m.mu.Unlock()
}

// startDelay observes how late a scheduled run started.
func (m *Metrics) startDelay(d time.Duration) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.delays.observe(d.Seconds())
	m.mu.Unlock()
}

// runFinished counts a run's result; a skipped run never started, the others
// have a duration.
func (m *Metrics) runFinished(job string, r Result, d time.Duration, finished time.Time) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.runs[[2]string{job, string(r)}]++
	if r == ResultSkipped {
		return
	}
	if m.running[job]--; m.running[job] <= 0 {
		delete(m.running, job)
	}
	h := m.durations[job]
	if h == nil {
		h = newHistogram(runBuckets)
		m.durations[job] = h
	}
	h.observe(d.Seconds())
	if r == ResultOK {
		m.lastOK[job] = finished
	}
}

func (m *Metrics) lastSuccess(job string, t time.Time) {
	if m == nil {
		return
	}
	m.mu.Lock()
	if t.After(m.lastOK[job]) {
		m.lastOK[job] = t
	}
	m.mu.Unlock()
}

// WriteTo writes the metrics in the Prometheus text exposition format
// (version 0.0.4), sorted by name and labels.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	cw := &countingWriter{w: bw}
	m.mu.Lock()
	m.write(cw)
	m.mu.Unlock()
	return cw.n, bw.Flush()
}

func (m *Metrics) write(w *countingWriter) {
	jobs := slices.Clone(m.jobs)
	for k := range m.runs {
		jobs = append(jobs, k[0])
	}
	slices.Sort(jobs)
	jobs = slices.Compact(jobs)

	w.header("runner_job_runs_total", "counter", "Runs by job and result (ok, failed, timed_out, skipped, interrupted).")
	keys := sortedFunc(m.runs, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })
	for _, k := range keys {
		w.sample("runner_job_runs_total", labels("job", k[0], "result", k[1]), float64(m.runs[k]))
	}

	w.header("runner_job_run_duration_seconds", "histogram", "How long runs took, all attempts included.")
	for _, job := range sortedFunc(m.durations, strings.Compare) {
		m.durations[job].write(w, "runner_job_run_duration_seconds", "job", job)
	}

	w.header("runner_job_last_success_timestamp_seconds", "gauge", "When the job last ended ok, in Unix seconds.")
	for _, job := range sortedFunc(m.lastOK, strings.Compare) {
		w.sample("runner_job_last_success_timestamp_seconds", labels("job", job), float64(m.lastOK[job].UnixMilli())/1000)
	}

	w.header("runner_job_running", "gauge", "Runs in progress.")
	for _, job := range jobs {
		w.sample("runner_job_running", labels("job", job), float64(m.running[job]))
	}

	w.header("runner_run_start_delay_seconds", "histogram", "How long after its scheduled time a run started (jitter included).")
	m.delays.write(w, "runner_run_start_delay_seconds")

	w.header("runner_api_calls_total", "counter", "WeCom API calls by endpoint and errcode.")
	calls := sortedFunc(m.apiCalls, func(a, b apiKey) int {
		if c := strings.Compare(a.api, b.api); c != 0 {
			return c
		}
		return a.errcode - b.errcode
	})
	for _, k := range calls {
		w.sample("runner_api_calls_total", labels("api", k.api, "errcode", strconv.Itoa(k.errcode)), float64(m.apiCalls[k]))
	}

	w.header("runner_api_call_duration_seconds", "histogram", "How long WeCom API calls took, by endpoint.")
	for _, api := range sortedFunc(m.apiDurations, strings.Compare) {
		m.apiDurations[api].write(w, "runner_api_call_duration_seconds", "api", api)
	}

	w.header("runner_token_fetches_total", "counter", "Access tokens fetched from WeCom.")
	w.sample("runner_token_fetches_total", "", float64(m.tokenFetches))
}

// histogram is a Prometheus histogram: counts per upper bound, sum and count.
type histogram struct {
	bounds []float64
	counts []uint64 // per bucket, not cumulative
	sum    float64
	count  uint64
}

func newHistogram(bounds []float64) *histogram {
	return &histogram{bounds: bounds, counts: make([]uint64, len(bounds))}
}

func (h *histogram) observe(v float64) {
	if i, _ := slices.BinarySearch(h.bounds, v); i < len(h.bounds) {
		h.counts[i]++
	}
	h.sum += v
	h.count++
}

// write writes the histogram's samples with the given label pairs.
func (h *histogram) write(w *countingWriter, name string, kv ...string) {
	var cum uint64
	for i, b := range h.bounds {
		cum += h.counts[i]
		w.sample(name+"_bucket", labels(append(slices.Clone(kv), "le", strconv.FormatFloat(b, 'g', -1, 64))...), float64(cum))
	}
	w.sample(name+"_bucket", labels(append(slices.Clone(kv), "le", "+Inf")...), float64(h.count))
	w.sample(name+"_sum", labels(kv...), h.sum)
	w.sample(name+"_count", labels(kv...), float64(h.count))
}

// labels formats label pairs as {a="x",b="y"}, escaped; "" without labels.
func labels(kv ...string) string {
	if len(kv) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(kv[i])
		b.WriteString(`="`)
		b.WriteString(labelEscaper.Replace(kv[i+1]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

type countingWriter struct {
	w io.Writer
	n int64
}

func (w *countingWriter) header(name, typ, help string) {
	w.printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

func (w *countingWriter) sample(name, labels string, v float64) {
	w.printf("%s%s %s\n", name, labels, strconv.FormatFloat(v, 'g', -1, 64))
}

func (w *countingWriter) printf(format string, args ...any) {
	n, _ := fmt.Fprintf(w.w, format, args...)
	w.n += int64(n)
}

// sortedFunc returns the keys of m sorted by cmp.
func sortedFunc[K comparable, V any](m map[K]V, cmp func(a, b K) int) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp)
	return keys
}
