package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Media limits of WeCom.
const (
	mediaTTL      = 72 * time.Hour // temporary media live 3 days
	minMediaSize  = 5
	maxRangeFree  = 20 << 20 // larger downloads must use Range (830002)
	maxUploadImg  = 2 << 20
	mpnewsMaxSize = 666 * 1024
)

// mediaLimits are the upload size limits per media type.
var mediaLimits = map[string]int{
	"image": 10 << 20,
	"voice": 2 << 20,
	"video": 10 << 20,
	"file":  20 << 20,
}

// mediaStore holds uploaded files: temporary media (media/upload),
// permanent material (material/*) and images (media/uploadimg).
type mediaStore struct {
	mu      sync.RWMutex
	items   map[string]*mediaItem
	urlJobs map[string]*urlJob // media/upload_by_url
}

type mediaItem struct {
	id          string
	kind        string // image, voice, video, file, mpnews
	filename    string
	contentType string
	data        []byte
	created     time.Time
	updated     time.Time
	permanent   bool // material of an app
	agentID     int  // the material's app
	image       bool // an image uploaded with media/uploadimg (no media id)
	articles    []json.RawMessage
}

// MediaInfo describes an uploaded file, without its bytes.
type MediaInfo struct {
	MediaID     string    `json:"media_id"`
	Type        string    `json:"type"`
	Filename    string    `json:"filename,omitempty"`
	ContentType string    `json:"content_type,omitempty"`
	Size        int       `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
	// Permanent marks material (material/*) of the app AgentID.
	Permanent bool `json:"permanent,omitempty"`
	AgentID   int  `json:"agentid,omitempty"`
	// Image marks an image uploaded with media/uploadimg; MediaID is the
	// last element of its URL's path.
	Image bool `json:"image,omitempty"`
}

func newMediaStore() *mediaStore {
	return &mediaStore{items: map[string]*mediaItem{}, urlJobs: map[string]*urlJob{}}
}

// exists reports whether id is a usable media id at now: temporary media
// within 3 days, or permanent material.
func (ms *mediaStore) exists(id string, now time.Time) bool {
	ms.mu.RLock()
	defer ms.mu.RUnlock()
	it := ms.items[id]
	return it != nil && !it.image && (it.permanent || now.Sub(it.created) < mediaTTL)
}

func (ms *mediaStore) add(it *mediaItem) {
	ms.mu.Lock()
	ms.items[it.id] = it
	ms.mu.Unlock()
}

// Media returns the uploaded files, oldest first, without their bytes.
func (s *Server) Media() []MediaInfo {
	s.media.mu.RLock()
	defer s.media.mu.RUnlock()
	out := make([]MediaInfo, 0, len(s.media.items))
	for _, it := range s.media.items {
		out = append(out, MediaInfo{
			MediaID: it.id, Type: it.kind, Filename: it.filename, ContentType: it.contentType,
			Size: len(it.data), CreatedAt: it.created, Permanent: it.permanent, AgentID: it.agentID, Image: it.image,
		})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].MediaID < out[j].MediaID
	})
	return out
}

// MediaBytes returns the bytes and file name of an uploaded file.
func (s *Server) MediaBytes(mediaID string) (data []byte, filename string, ok bool) {
	s.media.mu.RLock()
	defer s.media.mu.RUnlock()
	it := s.media.items[mediaID]
	if it == nil {
		return nil, "", false
	}
	return slices.Clone(it.data), it.filename, true
}

// upload is a file read from a multipart body.
type upload struct {
	filename    string
	contentType string
	data        []byte
}

// readUpload reads the multipart field "media": 41005 if missing, 44001 if
// empty, 40006 under 5 bytes, 45001 over limit.
func readUpload(c *call, limit int) (*upload, *apiError) {
	mr, err := c.r.MultipartReader()
	if err != nil {
		return nil, errorf(41005, "want a multipart/form-data body with the field media")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, errorf(41005, "no multipart field named media")
		}
		if err != nil {
			return nil, errorf(41005, "reading multipart body: %v", err)
		}
		if part.FormName() != "media" {
			part.Close()
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, int64(limit)+1))
		part.Close()
		if err != nil {
			return nil, errorf(41005, "reading media: %v", err)
		}
		switch {
		case len(data) == 0:
			return nil, newError(44001)
		case len(data) < minMediaSize:
			return nil, errorf(40006, "a file has at least %d bytes", minMediaSize)
		case len(data) > limit:
			return nil, errorf(45001, "at most %d bytes", limit)
		}
		u := &upload{filename: part.FileName(), data: data}
		if u.filename == "" {
			u.filename = "media"
		}
		u.contentType = part.Header.Get("Content-Type")
		if u.contentType == "" || u.contentType == "application/octet-stream" {
			if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(u.filename))); t != "" {
				u.contentType = t
			} else {
				u.contentType = http.DetectContentType(data)
			}
		}
		return u, nil
	}
}

// checkFormat fails with 40004 when an upload is not of its media type's
// format, judged by extension or content: image JPG/PNG, voice AMR, video
// MP4.
func checkFormat(kind string, u *upload) *apiError {
	ext := strings.ToLower(filepath.Ext(u.filename))
	sniffed := http.DetectContentType(u.data)
	ok := true
	switch kind {
	case "image":
		ok = ext == ".jpg" || ext == ".jpeg" || ext == ".png" || sniffed == "image/jpeg" || sniffed == "image/png"
	case "voice":
		ok = ext == ".amr" || bytes.HasPrefix(u.data, []byte("#!AMR"))
	case "video":
		ok = ext == ".mp4" || sniffed == "video/mp4"
	}
	if !ok {
		return errorf(40004, "%s must be %s", kind, map[string]string{"image": "JPG or PNG", "voice": "AMR", "video": "MP4"}[kind])
	}
	return nil
}

// readTypedUpload reads the upload of a media type given as ?type=T: 40005
// for an unknown type, then as readUpload and checkFormat.
func readTypedUpload(c *call) (string, *upload, *apiError) {
	kind := c.param("type")
	limit, ok := mediaLimits[kind]
	if !ok {
		return "", nil, errorf(40005, "type must be image, voice, video or file")
	}
	u, e := readUpload(c, limit)
	if e != nil {
		return "", nil, e
	}
	if e := checkFormat(kind, u); e != nil {
		return "", nil, e
	}
	return kind, u, nil
}

type uploadAnswer struct {
	status
	Type      string `json:"type"`
	MediaID   string `json:"media_id"`
	CreatedAt string `json:"created_at"`
}

// mediaUpload serves POST media/upload?type=T with the multipart field
// media: temporary media valid 3 days, shared by all apps.
func (s *Server) mediaUpload(c *call) (any, *apiError) {
	kind, u, e := readTypedUpload(c)
	if e != nil {
		return nil, e
	}
	now := s.now()
	it := &mediaItem{id: "3" + randomID(63), kind: kind, filename: u.filename, contentType: u.contentType, data: u.data, created: now, updated: now}
	s.media.add(it)
	return uploadAnswer{status{}, kind, it.id, strconv.FormatInt(now.Unix(), 10)}, nil
}

type imgAnswer struct {
	status
	URL string `json:"url"`
}

// mediaUploadImg serves POST media/uploadimg: a permanent JPG or PNG image
// of at most 2 MB, answered with its URL on the emulator.
func (s *Server) mediaUploadImg(c *call) (any, *apiError) {
	u, e := readUpload(c, maxUploadImg)
	if e != nil {
		return nil, e
	}
	if e := checkFormat("image", u); e != nil {
		return nil, e
	}
	now := s.now()
	it := &mediaItem{id: randomAlnum(40), kind: "image", filename: u.filename, contentType: u.contentType, data: u.data, created: now, updated: now, image: true}
	s.media.add(it)
	return imgAnswer{status{}, "http://" + c.r.Host + inspectPrefix + "img/" + it.id}, nil
}

// serveImage serves an image uploaded with media/uploadimg.
func (s *Server) serveImage(w http.ResponseWriter, r *http.Request, id string) {
	s.media.mu.RLock()
	it := s.media.items[id]
	s.media.mu.RUnlock()
	if it == nil || !it.image {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", it.contentType)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(it.data))
}

// mediaGet serves GET media/get?media_id=ID (and media/get/jssdk): the
// file's bytes with its type and name, honouring Range; a JSON error
// (40007) for unknown or expired ids.
func (s *Server) mediaGet(c *call) (any, *apiError) {
	id := c.param("media_id")
	if id == "" {
		return nil, newError(41006)
	}
	s.media.mu.RLock()
	it := s.media.items[id]
	s.media.mu.RUnlock()
	if it == nil || it.image || it.permanent || s.now().Sub(it.created) >= mediaTTL {
		return nil, newError(40007)
	}
	if len(it.data) > maxRangeFree && c.r.Header.Get("Range") == "" {
		return nil, errorf(830002, "files over 20 MB must be fetched with Range")
	}
	serveFile(c, it)
	return nil, nil
}

// serveFile writes a stored file as a download.
func serveFile(c *call, it *mediaItem) {
	h := c.w.Header()
	h.Set("Content-Type", it.contentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": it.filename}))
	h.Set("Cache-Control", "no-cache, must-revalidate")
	http.ServeContent(c.w, c.r, "", time.Time{}, bytes.NewReader(it.data))
	c.written = true
}

// Legacy permanent material (素材管理), kept per app.

type materialAnswer struct {
	status
	MediaID string `json:"media_id"`
}

// materialAgent returns the app a material call acts for: the agentid
// given (which must be the caller's) or the caller's own.
func materialAgent(c *call, given int) (int, *apiError) {
	if given == 0 {
		if e := c.requireApp(); e != nil {
			return 0, e
		}
		return c.agentID, nil
	}
	return given, c.checkAgent(given)
}

// materialAdd serves the legacy POST material/add_material?type=T&agentid=ID.
func (s *Server) materialAdd(c *call) (any, *apiError) {
	agentID, e := c.agentParam()
	if e != nil {
		return nil, e
	}
	kind, u, e := readTypedUpload(c)
	if e != nil {
		return nil, e
	}
	now := s.now()
	it := &mediaItem{id: "2" + randomID(63), kind: kind, filename: u.filename, contentType: u.contentType, data: u.data,
		created: now, updated: now, permanent: true, agentID: agentID}
	s.media.add(it)
	return materialAnswer{okStatus, it.id}, nil
}

type articlesBody struct {
	AgentID  flexInt           `json:"agentid"`
	MediaID  string            `json:"media_id"`
	Articles []json.RawMessage `json:"articles"`
	MPNews   struct {
		Articles []json.RawMessage `json:"articles"`
	} `json:"mpnews"`
}

// checkArticles validates mpnews material articles: 1 to 8, each with a
// title, content and a known thumb_media_id.
func (s *Server) checkArticles(raw []json.RawMessage) *apiError {
	if len(raw) == 0 || len(raw) > 8 {
		return errorf(40058, "articles must hold 1 to 8 articles")
	}
	now := s.now()
	for _, r := range raw {
		var a article
		if e := decodeBody(r, &a); e != nil {
			return e
		}
		switch {
		case a.Title == "":
			return newError(41016)
		case a.Content == "":
			return errorf(40058, "content is required")
		case len(a.Content) > mpnewsMaxSize:
			return errorf(45002, "content is more than 666 KB")
		case !s.media.exists(a.ThumbMediaID, now):
			return errorf(40007, "thumb_media_id %s", a.ThumbMediaID)
		}
	}
	return nil
}

// materialAddMPNews serves the legacy POST material/add_mpnews.
func (s *Server) materialAddMPNews(c *call, req articlesBody) (any, *apiError) {
	agentID, e := materialAgent(c, int(req.AgentID))
	if e != nil {
		return nil, e
	}
	if e := s.checkArticles(req.MPNews.Articles); e != nil {
		return nil, e
	}
	now := s.now()
	it := &mediaItem{id: "2" + randomID(63), kind: "mpnews", contentType: "application/json", created: now, updated: now,
		permanent: true, agentID: agentID, articles: req.MPNews.Articles}
	s.media.add(it)
	return materialAnswer{okStatus, it.id}, nil
}

// material returns the app's material by media_id; 40007 if unknown.
func (s *Server) material(agentID int, id string) (*mediaItem, *apiError) {
	if id == "" {
		return nil, newError(41006)
	}
	s.media.mu.RLock()
	defer s.media.mu.RUnlock()
	it := s.media.items[id]
	if it == nil || !it.permanent || it.agentID != agentID {
		return nil, errorf(40007, "%s", id)
	}
	return it, nil
}

// materialParam returns the permanent material of the parameters agentid
// and media_id.
func (s *Server) materialParam(c *call) (*mediaItem, *apiError) {
	agentID, e := c.agentParam()
	if e != nil {
		return nil, e
	}
	return s.material(agentID, c.param("media_id"))
}

type mpnewsAnswer struct {
	status
	Type   string `json:"type"`
	MPNews struct {
		Articles []json.RawMessage `json:"articles"`
	} `json:"mpnews"`
}

// materialGet serves the legacy GET material/get?agentid=ID&media_id=ID:
// the file's bytes, or the articles of mpnews as JSON.
func (s *Server) materialGet(c *call) (any, *apiError) {
	it, e := s.materialParam(c)
	if e != nil {
		return nil, e
	}
	if it.kind == "mpnews" {
		out := mpnewsAnswer{status: okStatus, Type: "mpnews"}
		out.MPNews.Articles = it.articles
		return out, nil
	}
	serveFile(c, it)
	return nil, nil
}

// materialDelete serves the legacy GET material/del?agentid=ID&media_id=ID.
func (s *Server) materialDelete(c *call) (any, *apiError) {
	it, e := s.materialParam(c)
	if e != nil {
		return nil, e
	}
	s.media.mu.Lock()
	delete(s.media.items, it.id)
	s.media.mu.Unlock()
	return deletedStatus, nil
}

// materialUpdateNews serves the legacy POST material/update_news (and
// update_mpnews): articles given top-level or under mpnews.
func (s *Server) materialUpdateNews(c *call, req articlesBody) (any, *apiError) {
	agentID, e := materialAgent(c, int(req.AgentID))
	if e != nil {
		return nil, e
	}
	articles := req.Articles
	if len(articles) == 0 {
		articles = req.MPNews.Articles
	}
	it, e := s.material(agentID, req.MediaID)
	if e != nil {
		return nil, e
	}
	if it.kind != "mpnews" {
		return nil, errorf(40007, "%s is not mpnews", req.MediaID)
	}
	if e := s.checkArticles(articles); e != nil {
		return nil, e
	}
	s.media.mu.Lock()
	it.articles, it.updated = articles, s.now()
	s.media.mu.Unlock()
	return okStatus, nil
}

type countAnswer struct {
	status
	TotalCount  int `json:"total_count"`
	ImageCount  int `json:"image_count"`
	VoiceCount  int `json:"voice_count"`
	VideoCount  int `json:"video_count"`
	FileCount   int `json:"file_count"`
	MPNewsCount int `json:"mpnews_count"`
}

// materialCount serves the legacy GET material/get_count?agentid=ID.
func (s *Server) materialCount(c *call) (any, *apiError) {
	agentID, e := c.agentParam()
	if e != nil {
		return nil, e
	}
	out := countAnswer{status: okStatus}
	s.media.mu.RLock()
	defer s.media.mu.RUnlock()
	for _, it := range s.media.items {
		if !it.permanent || it.agentID != agentID {
			continue
		}
		out.TotalCount++
		switch it.kind {
		case "image":
			out.ImageCount++
		case "voice":
			out.VoiceCount++
		case "video":
			out.VideoCount++
		case "file":
			out.FileCount++
		case "mpnews":
			out.MPNewsCount++
		}
	}
	return out, nil
}

type materialItem struct {
	MediaID    string            `json:"media_id"`
	Filename   string            `json:"filename,omitempty"`
	Articles   []json.RawMessage `json:"articles,omitempty"`
	UpdateTime string            `json:"update_time"`
}

type batchGetAnswer struct {
	status
	Type       string         `json:"type"`
	TotalCount int            `json:"total_count"`
	ItemCount  int            `json:"item_count"`
	ItemList   []materialItem `json:"itemlist"`
}

type materialBatchGetRequest struct {
	Type    string  `json:"type"`
	AgentID flexInt `json:"agentid"`
	Offset  flexInt `json:"offset"`
	Count   flexInt `json:"count"`
}

// materialBatchGet serves the legacy POST material/batchget: one type of
// the app's material, newest first, paged by offset and count (1 to 50).
func (s *Server) materialBatchGet(c *call, req materialBatchGetRequest) (any, *apiError) {
	agentID, e := materialAgent(c, int(req.AgentID))
	if e != nil {
		return nil, e
	}
	if _, ok := mediaLimits[req.Type]; !ok && req.Type != "mpnews" {
		return nil, errorf(40005, "type must be image, voice, video, file or mpnews")
	}
	if req.Count < 1 || req.Count > 50 || req.Offset < 0 {
		return nil, errorf(40058, "count must be 1 to 50 and offset not negative")
	}
	s.media.mu.RLock()
	var items []*mediaItem
	for _, it := range s.media.items {
		if it.permanent && it.agentID == agentID && it.kind == req.Type {
			items = append(items, it)
		}
	}
	s.media.mu.RUnlock()
	sort.Slice(items, func(i, j int) bool {
		if !items[i].updated.Equal(items[j].updated) {
			return items[i].updated.After(items[j].updated)
		}
		return items[i].id < items[j].id
	})
	out := batchGetAnswer{status: okStatus, Type: req.Type, TotalCount: len(items), ItemList: []materialItem{}}
	for i := int(req.Offset); i < len(items) && len(out.ItemList) < int(req.Count); i++ {
		it := items[i]
		out.ItemList = append(out.ItemList, materialItem{it.id, it.filename, it.articles, strconv.FormatInt(it.updated.Unix(), 10)})
	}
	out.ItemCount = len(out.ItemList)
	return out, nil
}
