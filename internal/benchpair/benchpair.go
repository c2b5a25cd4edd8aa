// Package benchpair reports a benchmark that times two ways of doing the same
// thing in turns, in the same loop, so that a loaded machine slows both
// alike: the median of each and their ratio.
package benchpair

import (
	"slices"
	"testing"
	"time"
)

// Report reports the medians of a and b, samples of one call each, as
// aName-ns/call and bName-ns/call, and their ratio as aName/bName.
func Report(tb *testing.B, aName string, a []time.Duration, bName string, b []time.Duration) {
	ma, mb := Median(a), Median(b)
	tb.ReportMetric(float64(ma.Nanoseconds()), aName+"-ns/call")
	tb.ReportMetric(float64(mb.Nanoseconds()), bName+"-ns/call")
	tb.ReportMetric(float64(ma)/float64(mb), aName+"/"+bName)
}

// Median is the median of ds, which it sorts; 0 for none.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}
