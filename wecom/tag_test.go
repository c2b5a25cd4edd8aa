package wecom

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

func TestTagService_Create(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.handle(t, "tag/create", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testJSONBody(t, r, `{"tagname":"技术委员会"}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"created","tagid":"12"}`)
	})
	id, err := c.Tag.Create(t.Context(), "技术委员会")
	if err != nil {
		t.Fatal(err)
	}
	if id != 12 {
		t.Errorf("id = %d, want 12", id)
	}
}

func TestTagService_Update(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.handle(t, "tag/update", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testJSONBody(t, r, `{"tagid":1,"tagname":"新名字"}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"updated"}`)
	})
	if err := c.Tag.Update(t.Context(), 1, "新名字"); err != nil {
		t.Fatal(err)
	}
}

func TestTagService_Delete(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.handle(t, "tag/delete", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testQuery(t, r, url.Values{"tagid": {"2"}})
		fmt.Fprint(w, `{"errcode":0,"errmsg":"deleted"}`)
	})
	if err := c.Tag.Delete(t.Context(), 2); err != nil {
		t.Fatal(err)
	}
}

func TestTagService_GetUsers(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.handle(t, "tag/get", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testQuery(t, r, url.Values{"tagid": {"1"}})
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","tagname":"乒乓球协会","userlist":[{"userid":"zhangsan","name":"李四"}],"partylist":[2]}`)
	})
	got, err := c.Tag.GetUsers(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	want := &TagMembers{TagName: "乒乓球协会", UserList: []TagMember{{"zhangsan", "李四"}}, PartyList: []int{2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestTagService_AddUsers(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.handle(t, "tag/addtagusers", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testJSONBody(t, r, `{"tagid":1,"userlist":["zhangsan","nobody"]}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","invalidlist":"nobody"}`)
	})
	got, err := c.Tag.AddUsers(t.Context(), 1, []string{"zhangsan", "nobody"})
	if err != nil {
		t.Fatal(err)
	}
	if got.InvalidList != "nobody" {
		t.Errorf("InvalidList = %q, want nobody", got.InvalidList)
	}
}

func TestTagService_DeleteUsers(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.handle(t, "tag/deltagusers", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testJSONBody(t, r, `{"tagid":1,"userlist":["lisi"]}`)
		fmt.Fprint(w, `{"errcode":40031,"errmsg":"all list invalid"}`)
	})
	_, err := c.Tag.DeleteUsers(t.Context(), 1, []string{"lisi"})
	if !IsCode(err, CodeInvalidUserList) {
		t.Errorf("err = %v, want errcode 40031", err)
	}
}

func TestTagService_List(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.handle(t, "tag/list", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","taglist":[{"tagid":1,"tagname":"a"},{"tagid":2,"tagname":"b"}]}`)
	})
	got, err := c.Tag.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := []Tag{{1, "a"}, {2, "b"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
