package wecom

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// MediaService is the temporary media API group (素材管理): files uploaded
// for messages, kept by WeCom for 3 days.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/91054
type MediaService service

// Media is an uploaded temporary file.
type Media struct {
	Type      string    `json:"type"` // image, voice, video or file
	MediaID   string    `json:"media_id"`
	CreatedAt time.Time `json:"created_at"`
}

// UnmarshalJSON reads WeCom's answer, whose created_at is a Unix time sent
// as a number or a string.
func (m *Media) UnmarshalJSON(b []byte) error {
	var ans struct {
		Type      string  `json:"type"`
		MediaID   string  `json:"media_id"`
		CreatedAt flexInt `json:"created_at"`
	}
	if err := json.Unmarshal(b, &ans); err != nil {
		return err
	}
	*m = Media{Type: ans.Type, MediaID: ans.MediaID, CreatedAt: unixTime(ans.CreatedAt)}
	return nil
}

// unixTime is the time of a Unix timestamp, or the zero time for 0.
func unixTime(sec flexInt) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(int64(sec), 0)
}

// UploadRequest is the request of Upload.
func (s *MediaService) UploadRequest(mediaType string, file *Upload) *Request {
	return &Request{Method: http.MethodPost, API: "media/upload", Query: url.Values{"type": {mediaType}}, Upload: file}
}

// Upload uploads a temporary file (上传临时素材) of mediaType image, voice,
// video or file, for messages and batch jobs. Its media id is valid for 3
// days.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90253
func (s *MediaService) Upload(ctx context.Context, mediaType string, file *Upload) (*Media, error) {
	return resultPtr[Media](ctx, s.client, s.UploadRequest(mediaType, file))
}

// UploadImgRequest is the request of UploadImg.
func (s *MediaService) UploadImgRequest(image *Upload) *Request {
	return &Request{Method: http.MethodPost, API: "media/uploadimg", Upload: image}
}

// UploadImg uploads a JPG or PNG image of 5 B to 2 MB for use inside mpnews
// articles and returns its permanent URL (上传图片).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90256
func (s *MediaService) UploadImg(ctx context.Context, image *Upload) (string, error) {
	return memberOf[string](ctx, s.client, s.UploadImgRequest(image), "url")
}

// DownloadRequest is the request of Download, and the address GetURL gives.
func (s *MediaService) DownloadRequest(mediaID string) *Request {
	return &Request{Method: http.MethodGet, API: "media/get", Query: url.Values{"media_id": {mediaID}}}
}

// Download fetches a temporary file (获取临时素材). The caller closes the
// file's Body.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90254
func (s *MediaService) Download(ctx context.Context, mediaID string) (*File, error) {
	return s.client.Download(ctx, s.DownloadRequest(mediaID))
}

// GetURL returns the address of a temporary file with the current access
// token, valid until the token expires.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90254
func (s *MediaService) GetURL(ctx context.Context, mediaID string) (string, error) {
	return s.client.URL(ctx, s.DownloadRequest(mediaID))
}

// DownloadJSSDKRequest is the request of DownloadJSSDK, and the address
// GetJSSDKURL gives.
func (s *MediaService) DownloadJSSDKRequest(mediaID string) *Request {
	return &Request{Method: http.MethodGet, API: "media/get/jssdk", Query: url.Values{"media_id": {mediaID}}}
}

// DownloadJSSDK fetches a voice recording uploaded with the JS-SDK's
// uploadVoice, in high definition (16 kHz speex) (获取高清语音素材). The caller
// closes the file's Body.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90255
func (s *MediaService) DownloadJSSDK(ctx context.Context, mediaID string) (*File, error) {
	return s.client.Download(ctx, s.DownloadJSSDKRequest(mediaID))
}

// GetJSSDKURL returns the address of a JS-SDK voice recording with the
// current access token, valid until the token expires.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90255
func (s *MediaService) GetJSSDKURL(ctx context.Context, mediaID string) (string, error) {
	return s.client.URL(ctx, s.DownloadJSSDKRequest(mediaID))
}

// UploadByURLResult is the state of an asynchronous upload
// (media/get_upload_by_url_result): Status 1 while WeCom downloads the file,
// 2 when done (Detail.MediaID is the temporary media, valid 3 days), 3 when
// it failed (Detail.ErrCode says why).
type UploadByURLResult struct {
	Status int `json:"status"`
	Detail struct {
		ErrCode   int    `json:"errcode"`
		ErrMsg    string `json:"errmsg"`
		MediaID   string `json:"media_id"`
		CreatedAt string `json:"created_at"`
	} `json:"detail"`
}
