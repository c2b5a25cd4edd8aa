package wecom

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestStatusErrorNamesURL: an HTTP answer other than 200 names the URL that
// got it, with the secret, the token and the base URL's password redacted.
func TestStatusErrorNamesURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/busy/") {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	base := strings.Replace(srv.URL, "http://", "http://admin:base-password@", 1)
	tests := []struct {
		base string
		want string
	}{
		{base + "/wrong/", "wecom gettoken: HTTP 404 Not Found from GET http://admin:xxxxx@" + strings.TrimPrefix(srv.URL, "http://") +
			"/wrong/gettoken?corpid=" + testCorpID + "&corpsecret=REDACTED (is the base URL right? WeCom's ends in /cgi-bin/)"},
		{base + "/busy/", "wecom gettoken: HTTP 503 Service Unavailable from GET http://admin:xxxxx@"},
	}
	for _, tt := range tests {
		c := New(testCorpID, testSecret, WithBaseURL(tt.base), WithBackoff(time.Millisecond, time.Millisecond))
		_, err := c.User.Get(t.Context(), "zhangsan")
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("error = %v, want it to start with %q", err, tt.want)
		}
		if err != nil && (strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), "base-password")) {
			t.Errorf("error shows a secret: %v", err)
		}
	}
}
