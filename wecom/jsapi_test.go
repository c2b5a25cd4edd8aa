package wecom

import (
	"context"
	"net/url"
	"testing"
)

// TestJSAPIService_Tickets covers the corp ticket and the app's ticket.
func TestJSAPIService_Tickets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		api   string
		query url.Values
		get   func(c *Client, t *testing.T) (*JSAPITicket, error)
		want  string
	}{
		{"get_jsapi_ticket", url.Values{}, func(c *Client, t *testing.T) (*JSAPITicket, error) { return c.JSAPI.GetTicket(t.Context()) }, "corp-ticket"},
		{"ticket/get", url.Values{"type": {"agent_config"}}, func(c *Client, t *testing.T) (*JSAPITicket, error) { return c.JSAPI.GetAgentTicket(t.Context()) }, "agent-ticket"},
	}
	for _, tt := range tests {
		t.Run(tt.api, func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			ts.get(t, tt.api, tt.query, `{"errcode":0,"errmsg":"ok","ticket":"`+tt.want+`","expires_in":7200}`)
			got, err := tt.get(c, t)
			testResult(t, got, err, &JSAPITicket{Ticket: tt.want, ExpiresIn: 7200})
		})
	}
}

// getThrice calls get three times and checks that each answers want.
func getThrice(t *testing.T, get func(context.Context) (string, error), want string) {
	t.Helper()
	for range 3 {
		got, err := get(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("ticket = %q, want %s", got, want)
		}
	}
}

func TestJSAPIService_CachedTicket(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	calls := ts.get(t, "get_jsapi_ticket", url.Values{}, `{"errcode":0,"errmsg":"ok","ticket":"corp-ticket","expires_in":7200}`)
	getThrice(t, c.JSAPI.CachedTicket, "corp-ticket")
	if got := calls.Load(); got != 1 {
		t.Errorf("get_jsapi_ticket calls = %d, want 1", got)
	}
}

func TestJSAPIService_CachedAgentTicket(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	calls := ts.get(t, "ticket/get", url.Values{"type": {"agent_config"}}, `{"errcode":0,"errmsg":"ok","ticket":"agent-ticket","expires_in":7200}`)
	ts.answer(t, "get_jsapi_ticket", `{"errcode":0,"errmsg":"ok","ticket":"corp-ticket","expires_in":7200}`)
	getThrice(t, c.JSAPI.CachedAgentTicket, "agent-ticket")
	if got := calls.Load(); got != 1 {
		t.Errorf("ticket/get calls = %d, want 1", got)
	}
	// The corp ticket is cached apart from the agent's.
	if got, err := c.JSAPI.CachedTicket(t.Context()); err != nil || got != "corp-ticket" {
		t.Errorf("CachedTicket = %q, %v, want corp-ticket", got, err)
	}
}

func TestJSAPIService_Signature(t *testing.T) {
	t.Parallel()
	c := New(testCorpID, testSecret)
	// The example of the official documentation.
	got := c.JSAPI.Signature("Wm3WZYTPz0wzccnW",
		"sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
		1414587457, "http://mp.weixin.qq.com?params=value")
	if want := "0f9de62fce790f9a083d5c99e95740ceb90c27ed"; got != want {
		t.Errorf("signature = %s, want %s", got, want)
	}
}
