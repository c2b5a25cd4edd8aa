package wecom

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// MaterialService is the legacy permanent material API group (永久素材) of
// the former 企业号: files and mpnews articles kept per application. WeCom
// no longer documents it and may have switched it off.
//
// WeCom API docs: https://qydev.weixin.qq.com/wiki/index.php?title=%E4%B8%8A%E4%BC%A0%E6%B0%B8%E4%B9%85%E7%B4%A0%E6%9D%90
type MaterialService service

// MaterialArticle is one article of a permanent mpnews material. Every
// field is sent, empty or not, as wechatpy does.
type MaterialArticle struct {
	ThumbMediaID     string `json:"thumb_media_id"` // a permanent image material
	Title            string `json:"title"`
	Content          string `json:"content"` // HTML
	Author           string `json:"author"`
	ContentSourceURL string `json:"content_source_url"` // the "阅读原文" link
	Digest           string `json:"digest"`
	ShowCoverPic     int    `json:"show_cover_pic"` // 1 shows the cover image in the article
}

// articleAnswer is a MaterialArticle as WeCom answers it, show_cover_pic as
// a number or a string.
type articleAnswer struct {
	MaterialArticle
	ShowCoverPic flexInt `json:"show_cover_pic"`
}

// articles converts WeCom's answer.
func articles(ans []articleAnswer) []MaterialArticle {
	if ans == nil {
		return nil
	}
	out := make([]MaterialArticle, len(ans))
	for i, a := range ans {
		out[i] = a.MaterialArticle
		out[i].ShowCoverPic = int(a.ShowCoverPic)
	}
	return out
}

// MaterialCount is the number of an application's permanent materials, by type.
type MaterialCount struct {
	TotalCount  int `json:"total_count"`
	ImageCount  int `json:"image_count"`
	VoiceCount  int `json:"voice_count"`
	VideoCount  int `json:"video_count"`
	FileCount   int `json:"file_count"`
	MPNewsCount int `json:"mpnews_count"`
}

// MaterialQuery selects a page of an application's permanent materials of
// one type.
type MaterialQuery struct {
	AgentID int    `json:"agentid"`
	Type    string `json:"type"`   // mpnews, image, voice, video or file
	Offset  int    `json:"offset"` // 0 for the first material
	Count   int    `json:"count"`  // 1 to 20
}

// MaterialList is a page of permanent materials.
type MaterialList struct {
	Type       string         `json:"type"`
	TotalCount int            `json:"total_count"` // the materials of Type in all
	ItemCount  int            `json:"item_count"`  // the materials in ItemList
	ItemList   []MaterialItem `json:"itemlist"`
}

// MaterialItem is one permanent material of a MaterialList.
type MaterialItem struct {
	MediaID    string            `json:"media_id"`
	Filename   string            `json:"filename"`    // for files, images, voice and video
	Articles   []MaterialArticle `json:"articles"`    // for mpnews
	UpdateTime time.Time         `json:"update_time"` // the last change
}

// UnmarshalJSON reads a material as WeCom sends it: update_time is a Unix
// time in a number or a string, show_cover_pic a number or a string.
func (m *MaterialItem) UnmarshalJSON(b []byte) error {
	type plain MaterialItem
	ans := struct {
		*plain
		Articles   []articleAnswer `json:"articles"`
		UpdateTime flexInt         `json:"update_time"`
	}{plain: (*plain)(m)}
	if err := json.Unmarshal(b, &ans); err != nil {
		return err
	}
	m.Articles = articles(ans.Articles)
	m.UpdateTime = unixTime(ans.UpdateTime)
	return nil
}

// mediaQuery is the query naming one material of an application.
func mediaQuery(agentID int, mediaID string) url.Values {
	return url.Values{"agentid": {strconv.Itoa(agentID)}, "media_id": {mediaID}}
}

// AddArticlesRequest is the request of AddArticles. agentid is sent when
// agentID is not 0: WeCom's documentation requires it, wechatpy never sends it.
func (s *MaterialService) AddArticlesRequest(agentID int, articles []MaterialArticle) *Request {
	body := map[string]any{"mpnews": map[string]any{"articles": articles}}
	if agentID != 0 {
		body["agentid"] = agentID
	}
	return &Request{Method: http.MethodPost, API: "material/add_mpnews", Body: body}
}

// AddArticles stores 1 to 10 articles as a permanent mpnews material of the
// application agentID and returns its media id (上传永久图文素材).
//
// WeCom API docs: https://qydev.weixin.qq.com/wiki/index.php?title=%E4%B8%8A%E4%BC%A0%E6%B0%B8%E4%B9%85%E7%B4%A0%E6%9D%90
func (s *MaterialService) AddArticles(ctx context.Context, agentID int, articles []MaterialArticle) (string, error) {
	return memberOf[string](ctx, s.client, s.AddArticlesRequest(agentID, articles), "media_id")
}

// AddRequest is the request of Add.
func (s *MaterialService) AddRequest(agentID int, mediaType string, file *Upload) *Request {
	q := url.Values{"agentid": {strconv.Itoa(agentID)}, "type": {mediaType}}
	return &Request{Method: http.MethodPost, API: "material/add_material", Query: q, Upload: file}
}

// Add uploads a permanent material of mediaType image, voice, video or file
// and returns its media id (上传其他类型永久素材).
//
// WeCom API docs: https://qydev.weixin.qq.com/wiki/index.php?title=%E4%B8%8A%E4%BC%A0%E6%B0%B8%E4%B9%85%E7%B4%A0%E6%9D%90
func (s *MaterialService) Add(ctx context.Context, agentID int, mediaType string, file *Upload) (string, error) {
	return memberOf[string](ctx, s.client, s.AddRequest(agentID, mediaType, file), "media_id")
}

// GetRequest is the request of Get and GetArticles.
func (s *MaterialService) GetRequest(agentID int, mediaID string) *Request {
	return &Request{Method: http.MethodGet, API: "material/get", Query: mediaQuery(agentID, mediaID)}
}

// Get fetches a permanent material that is a file (获取永久素材). The caller
// closes the file's Body. An mpnews material is read with GetArticles.
//
// WeCom API docs: https://qydev.weixin.qq.com/wiki/index.php?title=%E8%8E%B7%E5%8F%96%E6%B0%B8%E4%B9%85%E7%B4%A0%E6%9D%90
func (s *MaterialService) Get(ctx context.Context, agentID int, mediaID string) (*File, error) {
	return s.client.Download(ctx, s.GetRequest(agentID, mediaID))
}

// GetURL returns the address of a permanent material with the current
// access token, valid until the token expires. Its parameters come in
// wechatpy's order: media_id, then agentid.
//
// WeCom API docs: https://qydev.weixin.qq.com/wiki/index.php?title=%E8%8E%B7%E5%8F%96%E6%B0%B8%E4%B9%85%E7%B4%A0%E6%9D%90
func (s *MaterialService) GetURL(ctx context.Context, agentID int, mediaID string) (string, error) {
	u, err := s.client.URL(ctx, &Request{Method: http.MethodGet, API: "material/get"})
	if err != nil {
		return "", err
	}
	return u + "&media_id=" + url.QueryEscape(mediaID) + "&agentid=" + strconv.Itoa(agentID), nil
}

// GetArticles reads the articles of a permanent mpnews material (获取永久素材).
//
// WeCom API docs: https://qydev.weixin.qq.com/wiki/index.php?title=%E8%8E%B7%E5%8F%96%E6%B0%B8%E4%B9%85%E7%B4%A0%E6%9D%90
func (s *MaterialService) GetArticles(ctx context.Context, agentID int, mediaID string) ([]MaterialArticle, error) {
	var ans struct {
		MPNews struct {
			Articles []articleAnswer `json:"articles"`
		} `json:"mpnews"`
	}
	if err := s.client.Do(ctx, s.GetRequest(agentID, mediaID), &ans); err != nil {
		return nil, err
	}
	return articles(ans.MPNews.Articles), nil
}

// UpdateArticlesRequest is the request of UpdateArticles. It follows WeCom's
// documentation, material/update_mpnews with the articles in an mpnews
// object; wechatpy sends the official account API's material/update_news.
func (s *MaterialService) UpdateArticlesRequest(agentID int, mediaID string, articles []MaterialArticle) *Request {
	body := map[string]any{"agentid": agentID, "media_id": mediaID, "mpnews": map[string]any{"articles": articles}}
	return &Request{Method: http.MethodPost, API: "material/update_mpnews", Body: body}
}

// UpdateArticles replaces the articles of a permanent mpnews material
// (修改永久图文素材).
//
// WeCom API docs: https://qydev.weixin.qq.com/wiki/index.php?title=%E4%BF%AE%E6%94%B9%E6%B0%B8%E4%B9%85%E5%9B%BE%E6%96%87%E7%B4%A0%E6%9D%90
func (s *MaterialService) UpdateArticles(ctx context.Context, agentID int, mediaID string, articles []MaterialArticle) error {
	return s.client.Do(ctx, s.UpdateArticlesRequest(agentID, mediaID, articles), nil)
}
