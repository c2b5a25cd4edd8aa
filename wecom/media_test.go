package wecom

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// upload registers api to answer answer to a POST whose query,
// access_token left out, is query and whose body uploads the file filename
// holding content.
func (ts *testServer) upload(t *testing.T, api string, query url.Values, filename, content, answer string) {
	t.Helper()
	ts.handle(t, api, func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testQuery(t, r, query)
		testUpload(t, r, filename, content)
		fmt.Fprint(w, answer)
	})
}

// testUpload checks that r carries one multipart part, the file "media"
// named filename with the bytes content.
func testUpload(t *testing.T, r *http.Request, filename, content string) {
	t.Helper()
	mr, err := r.MultipartReader()
	if err != nil {
		t.Fatalf("not a multipart request: %v", err)
	}
	p, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(p)
	if p.FormName() != "media" || p.FileName() != filename || string(b) != content {
		t.Errorf("part %q, file %q, content %q; want media, %q, %q", p.FormName(), p.FileName(), b, filename, content)
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("more than one part (%v)", err)
	}
}

func newUpload(name, content string) *Upload {
	return &Upload{Filename: name, Content: strings.NewReader(content), Size: int64(len(content))}
}

func TestMediaService_Upload(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.upload(t, "media/upload", url.Values{"type": {"file"}}, "会议纪要.txt", "纪要正文", `{"errcode":0,"errmsg":"","type":"file","media_id":"1G6nrLmr5EC3MMb","created_at":"1380000000"}`)
	got, err := c.Media.Upload(t.Context(), "file", newUpload("会议纪要.txt", "纪要正文"))
	want := &Media{Type: "file", MediaID: "1G6nrLmr5EC3MMb", CreatedAt: time.Unix(1380000000, 0)}
	testResult(t, got, err, want)
}

func TestMediaService_Upload_numericCreatedAt(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.answer(t, "media/upload", `{"type":"image","media_id":"12345678","created_at":123456789}`)
	got, err := c.Media.Upload(t.Context(), "image", newUpload("a.jpg", "JPEG"))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Unix(123456789, 0); !got.CreatedAt.Equal(want) {
		t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, want)
	}
}

func TestMediaService_UploadImg(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.upload(t, "media/uploadimg", nil, "banner.png", "PNG", `{"errcode":0,"errmsg":"","url":"http://p.qpic.cn/pic_wework/3474110808/7a7c8471/0"}`)
	got, err := c.Media.UploadImg(t.Context(), newUpload("banner.png", "PNG"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "http://p.qpic.cn/pic_wework/3474110808/7a7c8471/0"; got != want {
		t.Errorf("url = %q, want %q", got, want)
	}
}

// readBody reads and closes the body of f, a download that failed with
// err unless err is nil.
func readBody(t *testing.T, f *File, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Body.Close()
	b, err := io.ReadAll(f.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMediaService_Download(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.handle(t, "media/get", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		if r.URL.Query().Get("media_id") == "expired" {
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			fmt.Fprint(w, `{"errcode":40007,"errmsg":"invalid media_id"}`)
			return
		}
		testQuery(t, r, url.Values{"media_id": {"m1"}})
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Content-Disposition", `attachment; filename="m1.jpg"`)
		fmt.Fprint(w, "JPEGDATA")
	})
	f, err := c.Media.Download(t.Context(), "m1")
	if b := readBody(t, f, err); b != "JPEGDATA" || f.ContentType != "image/jpeg" || f.Filename != "m1.jpg" {
		t.Errorf("got %q, %q, %q", b, f.ContentType, f.Filename)
	}
	if _, err := c.Media.Download(t.Context(), "expired"); !IsCode(err, CodeInvalidMediaID) {
		t.Errorf("err = %v, want errcode 40007", err)
	}
}

// TestMediaService_DownloadFiles: a file comes back as served, a text/plain
// one too, not mistaken for WeCom's JSON error answer.
func TestMediaService_DownloadFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, api, contentType, content string
		download                        func(ctx context.Context, c *Client) (*File, error)
	}{
		{"jssdk", "media/get/jssdk", "audio/speex", "SPEEX", func(ctx context.Context, c *Client) (*File, error) {
			return c.Media.DownloadJSSDK(ctx, "m1")
		}},
		{"text file", "media/get", "text/plain; charset=utf-8", "  第一项：发版\n", func(ctx context.Context, c *Client) (*File, error) {
			return c.Media.Download(ctx, "m1")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			ts.file(t, tt.api, url.Values{"media_id": {"m1"}}, tt.contentType, tt.content)
			f, err := tt.download(t.Context(), c)
			if b := readBody(t, f, err); b != tt.content || f.ContentType != tt.contentType {
				t.Errorf("got %q, %q", b, f.ContentType)
			}
		})
	}
}

// TestDownloadURLs checks the addresses a browser can download media from:
// the access token and the escaped media id in the query.
func TestDownloadURLs(t *testing.T) {
	t.Parallel()
	c, _ := setup(t)
	tests := []struct {
		name string
		get  func(ctx context.Context) (string, error)
		want string
	}{
		{"Media.GetURL", func(ctx context.Context) (string, error) { return c.Media.GetURL(ctx, "a b+c/d") },
			"media/get?access_token=" + testToken + "&media_id=a+b%2Bc%2Fd"},
		{"Media.GetJSSDKURL", func(ctx context.Context) (string, error) { return c.Media.GetJSSDKURL(ctx, "v1") },
			"media/get/jssdk?access_token=" + testToken + "&media_id=v1"},
		{"Material.GetURL", func(ctx context.Context) (string, error) { return c.Material.GetURL(ctx, 1000002, "a/b") },
			"material/get?access_token=" + testToken + "&media_id=a%2Fb&agentid=1000002"},
	}
	for _, tt := range tests {
		got, err := tt.get(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if want := c.BaseURL() + tt.want; got != want {
			t.Errorf("%s: url = %q, want %q", tt.name, got, want)
		}
	}
}

func TestMediaService_UploadByURL(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "media/upload_by_url", `{"scene":1,"type":"video","filename":"video.mp4","url":"https://xxxx","md5":"MD5"}`, `{"errcode":0,"errmsg":"ok","jobid":"jobid"}`)
	ts.post(t, "media/get_upload_by_url_result", `{"jobid":"jobid"}`, `{"errcode":0,"errmsg":"ok","status":2,"detail":{"errcode":0,"errmsg":"ok","media_id":"3*** ","created_at":"1380000000"}}`)
	job, err := c.Media.UploadByURL(t.Context(), "video", "video.mp4", "https://xxxx", "MD5", 1)
	if err != nil || job != "jobid" {
		t.Fatalf("UploadByURL = %q, %v", job, err)
	}
	r, err := c.Media.GetUploadByURLResult(t.Context(), job)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 2 || r.Detail.MediaID != "3*** " || r.Detail.CreatedAt != "1380000000" {
		t.Errorf("got %+v", r)
	}
}
