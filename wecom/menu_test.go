package wecom

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

var testMenu = &Menu{Button: []MenuButton{
	{Type: "click", Name: "今日歌曲", Key: "V1001_TODAY_MUSIC"},
	{Name: "菜单", SubButton: []MenuButton{
		{Type: "view", Name: "搜索", URL: "http://www.soso.com/"},
		{Type: "click", Name: "赞一下我们", Key: "V1001_GOOD"},
	}},
}}

const testMenuJSON = `{"button":[{"type":"click","name":"今日歌曲","key":"V1001_TODAY_MUSIC"},{"name":"菜单","sub_button":[
	{"type":"view","name":"搜索","url":"http://www.soso.com/"},{"type":"click","name":"赞一下我们","key":"V1001_GOOD"}]}]}`

func TestMenuService_Create(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.handle(t, "menu/create", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testQuery(t, r, url.Values{"agentid": {"1000002"}})
		testJSONBody(t, r, testMenuJSON)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
	})
	if err := c.Menu.Create(t.Context(), 1000002, testMenu); err != nil {
		t.Fatal(err)
	}
}

func TestMenuService_Get(t *testing.T) {
	tests := []struct {
		name   string
		answer string
	}{
		{"buttons at the top", `{"errcode":0,"errmsg":"ok",` + testMenuJSON[1:]},
		{"buttons in menu", `{"errcode":0,"errmsg":"ok","menu":` + testMenuJSON + `}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			ts.get(t, "menu/get", url.Values{"agentid": {"1000002"}}, tt.answer)
			got, err := c.Menu.Get(t.Context(), 1000002)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, testMenu) {
				t.Errorf("got %+v, want %+v", got, testMenu)
			}
		})
	}
}

func TestMenuService_Delete(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "menu/delete", url.Values{"agentid": {"1000002"}}, `{"errcode":0,"errmsg":"ok"}`)
	if err := c.Menu.Delete(t.Context(), 1000002); err != nil {
		t.Fatal(err)
	}
}

func TestMenuService_Update(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	var calls syncList[string]
	record := func(r *http.Request) { calls.add(r.Method + " " + r.URL.Path) }
	ts.handle(t, "menu/delete", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		testQuery(t, r, url.Values{"agentid": {"1000002"}})
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
	})
	ts.handle(t, "menu/create", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		testQuery(t, r, url.Values{"agentid": {"1000002"}})
		testJSONBody(t, r, testMenuJSON)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
	})
	if err := c.Menu.Update(t.Context(), 1000002, testMenu); err != nil {
		t.Fatal(err)
	}
	if got, want := calls.take(), []string{"GET /cgi-bin/menu/delete", "POST /cgi-bin/menu/create"}; !reflect.DeepEqual(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
}

func TestMenuService_UpdateStopsWhenDeleteFails(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.answer(t, "menu/delete", `{"errcode":301002,"errmsg":"not allow operate another agent with this accesstoken."}`)
	ts.handle(t, "menu/create", func(w http.ResponseWriter, r *http.Request) {
		t.Error("menu/create sent after a failed menu/delete")
	})
	if err := c.Menu.Update(t.Context(), 1000002, testMenu); !IsCode(err, CodeAgentMismatch) {
		t.Errorf("err = %v, want errcode 301002", err)
	}
}
