package scheduler

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
)

// Metrics counts what the runner does, for /metrics, with
// prometheus/client_golang in a registry of its own: runs by job and result,
// run durations, the last success and the running runs of each job, how late
// runs start, API calls by endpoint and errcode, token fetches and alerts,
// with the Go runtime's and the process's collectors. The scheduler counts
// runs and alerts; the VM calls APICall and TokenFetch. A nil *Metrics
// counts nothing. Methods are safe for concurrent use.
type Metrics struct {
	reg          *prometheus.Registry
	runs         *prometheus.CounterVec
	durations    *prometheus.HistogramVec
	lastOK       *prometheus.GaugeVec
	running      *prometheus.GaugeVec
	delays       prometheus.Histogram
	apiCalls     *prometheus.CounterVec
	apiDurations *prometheus.HistogramVec
	tokenFetches prometheus.Counter
	alerts       *prometheus.CounterVec
	events       eventMetrics // the callbacks'

	mu sync.Mutex // orders the reads and sets of lastOK
}

// Histogram bucket upper bounds, in seconds.
var (
	runBuckets   = []float64{1, 5, 15, 60, 300, 900, 1800, 3600, 7200}
	delayBuckets = []float64{0.01, 0.05, 0.1, 0.5, 1, 5, 30}
	apiBuckets   = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
)

// metricPrefix starts the names of the runner's own metrics.
const metricPrefix = "runner_"

// counterVec, gaugeVec and histogramVec make the metrics of a name, help
// text (and buckets) and label names.
func counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

func gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
}

func histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
}

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg:       prometheus.NewRegistry(),
		runs:      counterVec("runner_job_runs_total", "Runs by job and result (ok, failed, timed_out, skipped, interrupted).", "job", "result"),
		durations: histogramVec("runner_job_run_duration_seconds", "How long runs took, all attempts included.", runBuckets, "job"),
		lastOK:    gaugeVec("runner_job_last_success_timestamp_seconds", "When the job last ended ok, in Unix seconds.", "job"),
		running:   gaugeVec("runner_job_running", "Runs in progress.", "job"),
		delays: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "runner_run_start_delay_seconds", Help: "How long after its scheduled time a run started (jitter included).", Buckets: delayBuckets,
		}),
		apiCalls:     counterVec("runner_api_calls_total", "WeCom API calls by endpoint and errcode.", "api", "errcode"),
		apiDurations: histogramVec("runner_api_call_duration_seconds", "How long WeCom API calls took, by endpoint.", apiBuckets, "api"),
		tokenFetches: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "runner_token_fetches_total", Help: "Access tokens fetched from WeCom.",
		}),
		alerts: counterVec("runner_alerts_total", "Alerts of notify: by job and outcome (sent, failed, withheld).", "job", "outcome"),
	}
	m.events = newEventMetrics()
	m.reg.MustRegister(m.runs, m.durations, m.lastOK, m.running, m.delays, m.apiCalls, m.apiDurations, m.tokenFetches, m.alerts,
		m.events.requests, m.events.answers, m.events.queue, m.events.recovered,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// APICall counts one WeCom API call: its path ("user/get"), WeCom's errcode
// (0 on success) and how long it took.
func (m *Metrics) APICall(api string, errcode int, d time.Duration) {
	if m == nil {
		return
	}
	m.apiCalls.WithLabelValues(api, strconv.Itoa(errcode)).Inc()
	m.apiDurations.WithLabelValues(api).Observe(d.Seconds())
}

// TokenFetch counts one access token fetched from WeCom (gettoken).
func (m *Metrics) TokenFetch() {
	if m == nil {
		return
	}
	m.tokenFetches.Inc()
}

// setJobs makes the configured jobs reported even before they run.
func (m *Metrics) setJobs(jobs []*jobs.Job) {
	if m == nil {
		return
	}
	for _, j := range jobs {
		m.running.WithLabelValues(j.Name)
	}
}

func (m *Metrics) runStarted(job string) {
	if m == nil {
		return
	}
	m.running.WithLabelValues(job).Inc()
}

// startDelay observes how late a scheduled run started.
func (m *Metrics) startDelay(d time.Duration) {
	if m == nil {
		return
	}
	m.delays.Observe(d.Seconds())
}

// runFinished counts a run's result; a skipped run never started, the others
// have a duration.
func (m *Metrics) runFinished(job string, r state.Result, d time.Duration, finished time.Time) {
	if m == nil {
		return
	}
	m.runs.WithLabelValues(job, string(r)).Inc()
	if r == state.ResultSkipped {
		return
	}
	m.running.WithLabelValues(job).Dec()
	m.durations.WithLabelValues(job).Observe(d.Seconds())
	if r == state.ResultOK {
		m.lastSuccess(job, finished)
	}
}

// notRun counts a run that ended without starting: skipped, or interrupted
// while it waited for its turn.
func (m *Metrics) notRun(job string, r state.Result) {
	if m == nil {
		return
	}
	m.runs.WithLabelValues(job, string(r)).Inc()
}

// lastSuccess sets the last success of a job, unless it knows a later one.
func (m *Metrics) lastSuccess(job string, t time.Time) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	g := m.lastOK.WithLabelValues(job)
	var cur dto.Metric
	g.Write(&cur)
	if v := float64(t.UnixMilli()) / 1000; v > cur.GetGauge().GetValue() {
		g.Set(v)
	}
}

// alert counts the alert of a job by its outcome: sent, failed or withheld.
func (m *Metrics) alert(job, outcome string) {
	if m == nil {
		return
	}
	m.alerts.WithLabelValues(job, outcome).Inc()
}

// Handler serves the metrics in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// WriteTo writes the runner's own metrics (runner_*, without the Go and
// process collectors) in the Prometheus text format, sorted by name and
// labels.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	families, err := m.reg.Gather()
	if err != nil {
		return 0, err
	}
	cw := &countingWriter{w: w}
	enc := expfmt.NewEncoder(cw, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), metricPrefix) {
			continue
		}
		if err := enc.Encode(f); err != nil {
			return cw.n, err
		}
	}
	return cw.n, nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	w.n += int64(n)
	return n, err
}
