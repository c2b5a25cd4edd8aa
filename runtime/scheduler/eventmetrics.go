package scheduler

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// eventMetrics count the callbacks' requests: by callback and result
// (accepted, duplicate, unmatched, verified, and the refusals bad_request,
// bad_signature, stale, replayed, wrong_receiver, too_large, busy,
// unknown_callback), how long answers took, the events queued, and those
// taken up from processes that died.
type eventMetrics struct {
	requests  *prometheus.CounterVec
	answers   prometheus.Histogram
	queue     prometheus.Gauge
	recovered prometheus.Counter
}

var answerBuckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5}

func newEventMetrics() eventMetrics {
	return eventMetrics{
		requests: counterVec("runner_callback_requests_total",
			"Callback requests by callback and result (accepted, duplicate, unmatched, verified, or why they were refused).",
			"callback", "result"),
		answers: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "runner_callback_answer_seconds", Help: "How long callback requests took to answer.", Buckets: answerBuckets,
		}),
		queue: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "runner_events_queued", Help: "Accepted events waiting for their runs.",
		}),
		recovered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "runner_events_recovered_total", Help: "Accepted events taken up from the state after the runner that took them stopped before their runs.",
		}),
	}
}

// CallbackAnswered counts a callback request by its result.
func (m *Metrics) CallbackAnswered(callback, result string, d time.Duration) {
	if m == nil {
		return
	}
	m.events.requests.WithLabelValues(callback, result).Inc()
	m.events.answers.Observe(d.Seconds())
}

// EventsRecovered counts events taken up from the state.
func (m *Metrics) EventsRecovered(n int) {
	if m == nil {
		return
	}
	m.events.recovered.Add(float64(n))
}

// EventsQueued sets how many accepted events wait for their runs.
func (m *Metrics) EventsQueued(n int) {
	if m == nil {
		return
	}
	m.events.queue.Set(float64(n))
}
