package wecom

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// TestEchoedSecretsRedacted: a gateway that echoes the request in errmsg
// (its URL, its JSON body, or the values alone) gets no secret into the
// APIError, nor into the error of an errcode that is not a number.
func TestEchoedSecretsRedacted(t *testing.T) {
	c, ts := setup(t)
	echo := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		msg := fmt.Sprintf("bad request %s body %s; token %s; secret %s; \"corpsecret\" : \"%s\"",
			r.URL.RequestURI(), body, r.URL.Query().Get("access_token"), testSecret, testSecret)
		if r.URL.Query().Get("userid") == "code" {
			fmt.Fprintf(w, `{"errcode":"x%s","errmsg":"?"}`, testToken)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"errcode": 40003, "errmsg": msg})
	}
	ts.handle(t, "user/get", echo)
	ts.mux.HandleFunc("/cgi-bin/service/get_provider_token", echo)

	_, err := c.User.Get(t.Context(), "zhangsan")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 40003 || !strings.Contains(apiErr.Msg, "access_token=REDACTED&userid=zhangsan") ||
		!strings.Contains(apiErr.Msg, "token REDACTED; secret REDACTED") {
		t.Errorf("error = %v, want errcode 40003 with the echo redacted", err)
	}
	errs := []error{err}
	_, err = c.User.Get(t.Context(), "code")
	if err == nil || !strings.Contains(err.Error(), "errcode is not a number") {
		t.Errorf("an errcode echoing the token: %v", err)
	}
	errs = append(errs, err)
	_, err = c.Service.GetProviderToken(t.Context(), "provider-secret-value")
	if !errors.As(err, &apiErr) || !strings.Contains(apiErr.Msg, `"provider_secret":"REDACTED"`) {
		t.Errorf("an echoed provider secret: %v", err)
	}
	for _, err := range append(errs, err) {
		for _, secret := range []string{testSecret, testToken, "provider-secret-value"} {
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("%q shows %s", err, secret)
			}
		}
	}
}
