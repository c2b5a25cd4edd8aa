package jobs

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wecomrunner/runner/wecom"
)

// RateLimit is a client's rate_limit:, its own limit of calls a minute per
// API. The zero value keeps the client's defaults (9,000 a minute, under
// WeCom's 10,000 per corp and API; 60,000 for message/send).
type RateLimit struct {
	PerMinute int  // calls a minute per API, message/send included; 0: the defaults
	Off       bool // off: no client-side limit (a private deployment, a benchmark)
	bad       string
}

// ParseRateLimit reads a rate limit as jobs.yaml and --rate-limit write
// it: a whole number of calls a minute, at least 1, or off.
func ParseRateLimit(s string) (RateLimit, error) {
	s = strings.TrimSpace(s)
	if s == "off" {
		return RateLimit{Off: true}, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 1 {
		return RateLimit{PerMinute: n}, nil
	}
	return RateLimit{}, fmt.Errorf("want calls a minute per API (a whole number, at least 1) or off, not %q", s)
}

// UnmarshalYAML reads rate_limit:; a bad value is kept for Validate, which
// reports it with its line.
func (r *RateLimit) UnmarshalYAML(n *yaml.Node) error {
	*r = parseScalar(n, ParseRateLimit, func(bad string) RateLimit { return RateLimit{bad: bad} })
	return nil
}

func (r RateLimit) String() string {
	switch {
	case r.Off:
		return "off"
	case r.PerMinute > 0:
		return strconv.Itoa(r.PerMinute) + "/min"
	}
	return "default"
}

// RateLimitWait is a client's rate_limit_wait:, the most a call waits, in
// all, for WeCom's frequency limit (45009, 45033) to pass; unset (the zero
// value), wecom.DefaultRateLimitWait.
type RateLimitWait struct {
	Wait time.Duration // 0 with Set: calls never wait
	Set  bool
	bad  string
}

// ParseRateLimitWait reads a rate_limit_wait: a duration such as 2m, 30s
// or 0s, not negative.
func ParseRateLimitWait(s string) (RateLimitWait, error) {
	s = strings.TrimSpace(s)
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return RateLimitWait{}, fmt.Errorf("want a duration such as 2m or 30s (0s: never wait), not %q", s)
	}
	return RateLimitWait{Wait: d, Set: true}, nil
}

// UnmarshalYAML reads rate_limit_wait:; a bad value is kept for Validate.
func (w *RateLimitWait) UnmarshalYAML(n *yaml.Node) error {
	*w = parseScalar(n, ParseRateLimitWait, func(bad string) RateLimitWait { return RateLimitWait{bad: bad} })
	return nil
}

// parseScalar reads the scalar n with parse; a value that is not a scalar,
// or that parse refuses, becomes bad(its text), kept for Validate.
func parseScalar[T any](n *yaml.Node, parse func(string) (T, error), bad func(text string) T) T {
	if v, err := parse(n.Value); err == nil && n.Kind == yaml.ScalarNode {
		return v
	}
	return bad(scalarText(n))
}

func (w RateLimitWait) String() string {
	if !w.Set {
		return wecom.DefaultRateLimitWait.String()
	}
	return w.Wait.String()
}

// scalarText is how a problem quotes a YAML value: a scalar's text, or
// the kind of a value that is not one.
func scalarText(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a " + n.Tag
}
