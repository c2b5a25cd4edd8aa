package wecom

import (
	"bytes"
	"net/http/httptest"
	"testing"
	"time"
)

func TestMessageService_Send(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "message/send", `{"agentid":1000002,"touser":"zhangsan|nobody","toparty":"2|3","totag":"1",
			"msgtype":"text","text":{"content":"日报已生成"},"safe":1}`, `{"errcode":0,"errmsg":"ok","invaliduser":"nobody","invalidparty":"","invalidtag":"","msgid":"m1"}`)
	got, err := c.Message.Send(t.Context(), &Message{
		AgentID: 1000002,
		ToUser:  []string{"zhangsan", "nobody"},
		ToParty: []int{2, 3},
		ToTag:   []int{1},
		Content: &TextContent{Content: "日报已生成"},
		Safe:    1,
	})
	testResult(t, got, err, &SendResult{InvalidUser: "nobody", MsgID: "m1"})
}

// TestMessageService_SendRequest checks the body of every message type.
func TestMessageService_SendRequest(t *testing.T) {
	t.Parallel()
	zero := 0
	to := `"agentid":1,"touser":"zhangsan","toparty":"","totag":""`
	tests := []struct {
		name    string
		content Content
		want    string
	}{
		{"text", TextContent{"hi"}, `"msgtype":"text","text":{"content":"hi"},"safe":0`},
		{"image", &ImageContent{"m1"}, `"msgtype":"image","image":{"media_id":"m1"},"safe":0`},
		{"voice", &VoiceContent{"m1"}, `"msgtype":"voice","voice":{"media_id":"m1"},"safe":0`},
		{"video", &VideoContent{MediaID: "m1", Title: "培训"}, `"msgtype":"video","video":{"media_id":"m1","title":"培训"},"safe":0`},
		{"file", &FileContent{"m1"}, `"msgtype":"file","file":{"media_id":"m1"},"safe":0`},
		{"textcard", &TextCardContent{Title: "t", Description: "d", URL: "https://a.example", BtnTxt: "更多"},
			`"msgtype":"textcard","textcard":{"title":"t","description":"d","url":"https://a.example","btntxt":"更多"}`},
		{"news", &NewsContent{[]NewsArticle{{Title: "t", URL: "https://a.example", PicURL: "https://a.example/p.png"}}},
			`"msgtype":"news","news":{"articles":[{"title":"t","url":"https://a.example","picurl":"https://a.example/p.png"}]}`},
		{"mpnews", &MPNewsContent{[]MPNewsArticle{{Title: "t", ThumbMediaID: "m1", Content: "<p>c</p>", ShowCoverPic: &zero}}},
			`"msgtype":"mpnews","mpnews":{"articles":[{"title":"t","thumb_media_id":"m1","content":"<p>c</p>","show_cover_pic":0}]},"safe":0`},
		{"markdown", &MarkdownContent{"**hi**"}, `"msgtype":"markdown","markdown":{"content":"**hi**"}`},
		{"none", nil, ``},
	}
	c := New(testCorpID, testSecret)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := c.Message.SendRequest(&Message{AgentID: 1, ToUser: []string{"zhangsan"}, Content: tt.content})
			want := "{" + to + "}"
			if tt.want != "" {
				want = "{" + to + "," + tt.want + "}"
			}
			testRequestBody(t, req, want)
		})
	}
}

func TestMessageService_SendRequest_options(t *testing.T) {
	t.Parallel()
	c := New(testCorpID, testSecret)
	req := c.Message.SendRequest(&Message{
		AgentID:                1,
		ToUser:                 []string{"@all"},
		EnableIDTrans:          true,
		EnableDuplicateCheck:   true,
		DuplicateCheckInterval: time.Hour,
		Extra: map[string]any{
			"msgtype":       "template_card",
			"template_card": map[string]any{"card_type": "text_notice"},
		},
	})
	testRequestBody(t, req, `{"agentid":1,"touser":"@all","toparty":"","totag":"",
		"enable_id_trans":1,"enable_duplicate_check":1,"duplicate_check_interval":3600,
		"msgtype":"template_card","template_card":{"card_type":"text_notice"}}`)
	if req.Read {
		t.Error("message/send is marked as a read")
	}
}

func TestMessageService_Recall(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "message/recall", `{"msgid":"vcT8gGc-7dFb4bxT35ONjBDz901sLlXPZw1DAMC_Gc26qRpK-AK5sTJkkb0128t"}`, `{"errcode":0,"errmsg":"ok"}`)
	if err := c.Message.Recall(t.Context(), "vcT8gGc-7dFb4bxT35ONjBDz901sLlXPZw1DAMC_Gc26qRpK-AK5sTJkkb0128t"); err != nil {
		t.Fatal(err)
	}
}

// testRequestBody checks that the JSON body of req is the JSON value want.
func testRequestBody(t *testing.T, req *Request, want string) {
	t.Helper()
	b, err := encodeBody(req)
	if err != nil {
		t.Fatal(err)
	}
	testJSONBody(t, httptest.NewRequest(req.Method, "/", bytes.NewReader(b)), want)
}

func TestMessageService_SendTemplateCard(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "message/send", `{"agentid":1,"touser":"UserID1","toparty":"","totag":"","msgtype":"template_card",
			"template_card":{"card_type":"button_interaction","task_id":"task_id","main_title":{"title":"欢迎使用企业微信"}},
			"enable_duplicate_check":1,"duplicate_check_interval":1800}`, `{"errcode":0,"errmsg":"ok","invaliduser":"","msgid":"xx","response_code":"xyzxyz"}`)
	r, err := c.Message.Send(t.Context(), &Message{AgentID: 1, ToUser: []string{"UserID1"},
		Content: TemplateCardContent{"card_type": "button_interaction", "task_id": "task_id",
			"main_title": map[string]any{"title": "欢迎使用企业微信"}},
		EnableDuplicateCheck: true, DuplicateCheckInterval: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if r.ResponseCode != "xyzxyz" || r.MsgID != "xx" {
		t.Errorf("got %+v", r)
	}
}

func TestMessageService_UpdateTemplateCard(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "message/update_template_card", `{"userids":["userid1","userid2"],"partyids":[2,3],"tagids":[44,55],"agentid":1,
			"response_code":"response_code","button":{"replace_name":"replace_name"}}`, `{"errcode":0,"errmsg":"ok"}`)
	err := c.Message.UpdateTemplateCard(t.Context(), 1, "response_code", map[string]any{"replace_name": "replace_name"}, nil,
		[]string{"userid1", "userid2"}, []int{2, 3}, []int{44, 55}, 0)
	if err != nil {
		t.Fatal(err)
	}
}
