package wecom

import (
	"context"
	"net/url"
	"testing"
	"time"
)

var testArticle = MaterialArticle{
	ThumbMediaID: "2-G6nrLmr5EC3MMb",
	Title:        "年度表彰",
	Content:      "<p>感谢</p>",
	ShowCoverPic: 1,
}

const testArticleJSON = `{"thumb_media_id":"2-G6nrLmr5EC3MMb","title":"年度表彰","content":"<p>感谢</p>",
	"author":"","content_source_url":"","digest":"","show_cover_pic":1}`

func TestMaterialService_AddArticles(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "material/add_mpnews", `{"agentid":1000002,"mpnews":{"articles":[`+testArticleJSON+`]}}`, `{"errcode":0,"errmsg":"ok","media_id":"1Yv-zXfH"}`)
	id, err := c.Material.AddArticles(t.Context(), 1000002, []MaterialArticle{testArticle})
	testResult(t, id, err, "1Yv-zXfH")
}

func TestMaterialService_AddArticlesRequest_noAgent(t *testing.T) {
	t.Parallel()
	c := New(testCorpID, testSecret)
	testRequestBody(t, c.Material.AddArticlesRequest(0, []MaterialArticle{testArticle}), `{"mpnews":{"articles":[`+testArticleJSON+`]}}`)
}

func TestMaterialService_Add(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.upload(t, "material/add_material", url.Values{"agentid": {"1000002"}, "type": {"image"}}, "logo.png", "PNG", `{"errcode":0,"errmsg":"ok","media_id":"2-G6nrLmr5EC3MMb"}`)
	id, err := c.Material.Add(t.Context(), 1000002, "image", newUpload("logo.png", "PNG"))
	testResult(t, id, err, "2-G6nrLmr5EC3MMb")
}

func TestMaterialService_Get(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.file(t, "material/get", url.Values{"agentid": {"1000002"}, "media_id": {"m1"}}, "image/png", "PNGDATA")
	f, err := c.Material.Get(t.Context(), 1000002, "m1")
	if b := readBody(t, f, err); b != "PNGDATA" || f.ContentType != "image/png" {
		t.Errorf("got %q, %q", b, f.ContentType)
	}
}

func TestMaterialService_GetArticles(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "material/get", url.Values{"agentid": {"1000002"}, "media_id": {"m1"}}, `{"errcode":0,"errmsg":"ok","type":"mpnews","mpnews":{"articles":[
			{"thumb_media_id":"2-G6nrLmr5EC3MMb","title":"年度表彰","content":"<p>感谢</p>","show_cover_pic":"1"}]}}`)
	got, err := c.Material.GetArticles(t.Context(), 1000002, "m1")
	testResult(t, got, err, []MaterialArticle{testArticle})
}

func TestMaterialService_Writes(t *testing.T) {
	t.Parallel()
	testWrites(t, []writeCase{
		{api: "material/del", query: url.Values{"agentid": {"1000002"}, "media_id": {"m1"}}, call: func(ctx context.Context, c *Client) error {
			return c.Material.Delete(ctx, 1000002, "m1")
		}},
		{api: "material/update_mpnews", body: `{"agentid":1000002,"media_id":"m1","mpnews":{"articles":[` + testArticleJSON + `]}}`, call: func(ctx context.Context, c *Client) error {
			return c.Material.UpdateArticles(ctx, 1000002, "m1", []MaterialArticle{testArticle})
		}},
	})
}

func TestMaterialService_GetCount(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "material/get_count", url.Values{"agentid": {"1000002"}}, `{"errcode":0,"errmsg":"ok","total_count":37,"image_count":12,"voice_count":10,"video_count":3,"file_count":6,"mpnews_count":6}`)
	got, err := c.Material.GetCount(t.Context(), 1000002)
	want := &MaterialCount{TotalCount: 37, ImageCount: 12, VoiceCount: 10, VideoCount: 3, FileCount: 6, MPNewsCount: 6}
	testResult(t, got, err, want)
}

func TestMaterialService_BatchGet(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "material/batchget", `{"agentid":1000002,"type":"mpnews","offset":20,"count":10}`, `{"errcode":0,"errmsg":"ok","type":"mpnews","total_count":21,"item_count":1,
			"itemlist":[{"media_id":"m21","update_time":"1380000000","articles":[
				{"thumb_media_id":"2-G6nrLmr5EC3MMb","title":"年度表彰","content":"<p>感谢</p>","show_cover_pic":"1"}]}]}`)
	got, err := c.Material.BatchGet(t.Context(), &MaterialQuery{AgentID: 1000002, Type: "mpnews", Offset: 20, Count: 10})
	want := &MaterialList{Type: "mpnews", TotalCount: 21, ItemCount: 1, ItemList: []MaterialItem{
		{MediaID: "m21", Articles: []MaterialArticle{testArticle}, UpdateTime: time.Unix(1380000000, 0)},
	}}
	testResult(t, got, err, want)
}
