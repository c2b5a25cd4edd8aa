package wecom

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const robotKey = "5b0e7c1a-3f9d-4e62-8a17-c24d9f6e0b38"

func TestRobotSend(t *testing.T) {
	t.Parallel()
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		if r.URL.Path != "/cgi-bin/webhook/send" || r.URL.Query().Get("key") != robotKey || r.URL.Query().Has("access_token") {
			t.Errorf("request %s", r.URL)
		}
		b, _ := io.ReadAll(r.Body)
		got = string(b)
		if strings.Contains(got, "nope") {
			io.WriteString(w, `{"errcode":93000,"errmsg":"invalid webhook url, hint: key `+robotKey+` unknown"}`)
			return
		}
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	defer srv.Close()
	r, err := NewRobot(srv.URL+"/cgi-bin/webhook/send?key="+robotKey, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Send(context.Background(), MarkdownContent{Content: "**sync** failed"}); err != nil {
		t.Fatal(err)
	}
	if want := `{"markdown":{"content":"**sync** failed"},"msgtype":"markdown"}`; got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
	err = r.Send(context.Background(), TextContent{Content: "nope"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != 93000 || ae.API != "webhook/send" || strings.Contains(err.Error(), robotKey) {
		t.Errorf("a refused message: %v", err)
	}

	// A robot that cannot be reached says so without its key.
	down, _ := NewRobot("http://127.0.0.1:1/cgi-bin/webhook/send?key="+robotKey, nil)
	if err := down.Send(context.Background(), TextContent{Content: "x"}); err == nil || strings.Contains(err.Error(), robotKey) {
		t.Errorf("an unreachable robot: %v", err)
	}
	for _, bad := range []string{"ftp://x/webhook/send?key=" + robotKey, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", ":%"} {
		if _, err := NewRobot(bad, nil); err == nil || strings.Contains(err.Error(), robotKey) {
			t.Errorf("NewRobot(%q): %v", bad, err)
		}
	}
}
