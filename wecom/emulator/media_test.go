package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

// pngBytes is the start of a PNG file, enough for content sniffing.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)

// upload posts data as the multipart field media to api.
func (c *apiClient) upload(api, filename string, data []byte, kv ...string) result {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("media", filename)
	if err != nil {
		c.t.Fatal(err)
	}
	part.Write(data)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.s.BaseURL()+api+"?"+c.withToken(kv).Encode(), &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := testHTTP.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var r result
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		c.t.Fatalf("upload %s: %v", api, err)
	}
	return r
}

func TestMediaUploadAndGet(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := startServer(t, WithClock(clock.Now))
	c := opsApp(t, s)
	data := []byte("日报,周报\n1,2\n")
	up := c.upload("media/upload", "报表.csv", data, "type", "file")
	wantCode(t, up, 0)
	id := up.str("media_id")
	if up.str("type") != "file" || up.str("created_at") != "1709283600" || strings.ContainsAny(id, "+/=%") {
		t.Errorf("upload answer %v", up)
	}

	resp := send(t, s, http.MethodGet, "media/get", c.withToken([]string{"media_id", id}), nil)
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, data) {
		t.Errorf("media/get body = %q", got)
	}
	_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if err != nil || params["filename"] != "报表.csv" {
		t.Errorf("Content-Disposition = %q (%v)", resp.Header.Get("Content-Disposition"), err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type = %q", ct)
	}

	// Range requests answer 206.
	req, _ := http.NewRequest(http.MethodGet, s.BaseURL()+"media/get?"+c.withToken([]string{"media_id", id}).Encode(), nil)
	req.Header.Set("Range", "bytes=0-3")
	resp, err = testHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	part, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || len(part) != 4 {
		t.Errorf("Range: HTTP %d, %d bytes", resp.StatusCode, len(part))
	}

	wantCode(t, c.get("media/get", "media_id", "nosuchmedia"), 40007)
	resp = send(t, s, http.MethodGet, "media/get/jssdk", c.withToken([]string{"media_id", id}), nil)
	got, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, data) {
		t.Errorf("media/get/jssdk body = %q", got)
	}
	clock.Add(73 * time.Hour)
	c = opsApp(t, s)
	wantCode(t, c.get("media/get", "media_id", id), 40007)

	if n := len(s.Media()); n != 1 {
		t.Errorf("Media() has %d items", n)
	}
}

func TestMediaUploadErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := opsApp(t, s)
	wantCode(t, c.upload("media/upload", "a.txt", []byte("hello world"), "type", "sticker"), 40005)
	wantCode(t, c.upload("media/upload", "a.txt", []byte("hey"), "type", "file"), 40006)
	wantCode(t, c.upload("media/upload", "a.txt", nil, "type", "file"), 44001)
	wantCode(t, c.upload("media/upload", "a.txt", []byte("not an image at all"), "type", "image"), 40004)
	wantCode(t, c.upload("media/upload", "a.png", pngBytes, "type", "image"), 0)
	wantCode(t, c.post("media/upload", `{}`, "type", "file"), 41005)
	wantCode(t, c.upload("media/upload", "big.amr", bytes.Repeat([]byte("#!AMR"), 500000), "type", "voice"), 45001)
}

func TestMediaUploadImg(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := opsApp(t, s)
	r := c.upload("media/uploadimg", "logo.png", pngBytes)
	wantCode(t, r, 0)
	resp, err := testHTTP.Get(r.str("url"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, pngBytes) {
		t.Errorf("the image URL serves %d bytes", len(got))
	}
}

func TestMaterial(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := opsApp(t, s)
	agent := itoa(DemoOpsAgentID)
	img := c.upload("material/add_material", "cover.png", pngBytes, "type", "image", "agentid", agent)
	wantCode(t, img, 0)
	thumb := img.str("media_id")

	articles := []map[string]any{{"title": "地球一小时", "thumb_media_id": thumb, "author": "行政部", "content": "<p>熄灯一小时</p>", "digest": "熄灯", "show_cover_pic": 1}}
	news := c.post("material/add_mpnews", map[string]any{"mpnews": map[string]any{"articles": articles}})
	wantCode(t, news, 0)
	newsID := news.str("media_id")

	got := c.get("material/get", "agentid", agent, "media_id", newsID)
	if got.str("type") != "mpnews" || len(got.obj("mpnews").list("articles")) != 1 {
		t.Errorf("material/get mpnews = %v", got)
	}
	resp := send(t, s, http.MethodGet, "material/get", c.withToken([]string{"agentid", agent, "media_id", thumb}), nil)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(body, pngBytes) || resp.Header.Get("Deprecation") != "true" {
		t.Errorf("material/get image: %d bytes, Deprecation %q", len(body), resp.Header.Get("Deprecation"))
	}

	articles[0]["title"] = "地球一小时（更新）"
	wantCode(t, c.post("material/update_news", map[string]any{"agentid": DemoOpsAgentID, "media_id": newsID, "articles": articles}), 0)
	count := c.get("material/get_count", "agentid", agent)
	if count.num("total_count") != 2 || count.num("image_count") != 1 || count.num("mpnews_count") != 1 {
		t.Errorf("get_count = %v", count)
	}
	batch := c.post("material/batchget", map[string]any{"type": "mpnews", "agentid": DemoOpsAgentID, "offset": 0, "count": 20})
	if batch.num("item_count") != 1 || batch.num("total_count") != 1 {
		t.Errorf("batchget = %v", batch)
	}
	wantCode(t, c.get("material/del", "agentid", agent, "media_id", newsID), 0)
	wantCode(t, c.get("material/get", "agentid", agent, "media_id", newsID), 40007)
	wantCode(t, reportApp(t, s).get("material/get_count", "agentid", agent), 301002)
	wantCode(t, c.post("material/add_mpnews", map[string]any{"mpnews": map[string]any{"articles": []any{}}}), 40058)
}
