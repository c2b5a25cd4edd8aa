package emulator

import (
	"maps"
	"net/http"
	"slices"
	"testing"
)

// TestRouteCallers checks the route table's caller rules on every route
// that has one: an app-only API refuses the contacts-sync secret, a
// contacts-only API refuses an app, both with 48002, whatever the request.
func TestRouteCallers(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ct, ops := contacts(t, s), opsApp(t, s)
	var apps, contactsOnly int
	for _, api := range slices.Sorted(maps.Keys(s.routes)) {
		rt := s.routes[api]
		var c *apiClient
		switch {
		case rt.appOnly:
			c, apps = ct, apps+1
		case rt.contactsOnly:
			c, contactsOnly = ops, contactsOnly+1
		default:
			continue
		}
		method := http.MethodGet
		if rt.post {
			method = http.MethodPost
		}
		r := rawCall(t, s, method, api, c.withToken(nil), map[string]any{})
		if r.code() != 48002 {
			t.Errorf("%s %s with the wrong secret: errcode %d, want 48002 (%v)", method, api, r.code(), r)
		}
	}
	if apps == 0 || contactsOnly == 0 {
		t.Fatalf("%d app-only and %d contacts-only routes, want some of each", apps, contactsOnly)
	}
	for _, api := range []string{"appchat/send", "message/send", "media/upload_by_url"} {
		if !s.routes[api].appOnly {
			t.Errorf("%s is not app-only", api)
		}
	}
	for _, api := range []string{"user/create", "department/delete", "batch/replaceparty"} {
		if !s.routes[api].contactsOnly {
			t.Errorf("%s is not contacts-only", api)
		}
	}
}
