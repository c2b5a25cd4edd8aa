package emulator

import (
	"strconv"
	"time"
)

// urlJob is an asynchronous upload of media/upload_by_url.
type urlJob struct {
	kind, filename, url, md5 string
	created                  time.Time
	polls                    int
	mediaID                  string // once done
}

type uploadByURLRequest struct {
	Scene    flexInt `json:"scene"`
	Type     string  `json:"type"`
	Filename string  `json:"filename"`
	URL      string  `json:"url"`
	MD5      string  `json:"md5"`
}

// uploadByURL serves POST media/upload_by_url {"scene": 1, "type":
// "video"|"file", "filename", "url", "md5"} (document/path/96219) and
// answers a jobid. The emulator has no network and downloads nothing: the
// job is processing (status 1) at its first poll and done (status 2) at the
// next, with a temporary media of the type and file name asked for and no
// bytes (its size in the inspection API is 0).
func (s *Server) uploadByURL(c *call, req uploadByURLRequest) (any, *apiError) {
	switch {
	case req.Scene != 1:
		return nil, errorf(40058, "scene must be 1 (客户联系入群欢迎语素材)")
	case req.Type != "video" && req.Type != "file":
		return nil, errorf(40004, "type must be video or file")
	case req.Filename == "" || len(req.Filename) > 128:
		return nil, errorf(40058, "filename must be 1 to 128 bytes")
	case req.URL == "" || len(req.URL) > 1024:
		return nil, errorf(40058, "url must be 1 to 1024 bytes")
	case req.MD5 == "" || len(req.MD5) > 32:
		return nil, errorf(40058, "md5 must be 1 to 32 bytes")
	}
	id := randomID(32)
	s.media.mu.Lock()
	s.media.urlJobs[id] = &urlJob{kind: req.Type, filename: req.Filename, url: req.URL, md5: req.MD5, created: s.now()}
	s.media.mu.Unlock()
	return struct {
		status
		JobID string `json:"jobid"`
	}{okStatus, id}, nil
}

type uploadByURLResultRequest struct {
	JobID string `json:"jobid"`
}

// uploadByURLResult serves POST media/get_upload_by_url_result {"jobid"}:
// status 1 (processing) at a job's first poll, then 2 with the detail of
// the temporary media. An unknown jobid, or one older than the 60 minutes
// WeCom keeps it, is 40058.
func (s *Server) uploadByURLResult(c *call, req uploadByURLResultRequest) (any, *apiError) {
	now := s.now()
	s.media.mu.Lock()
	defer s.media.mu.Unlock()
	j := s.media.urlJobs[req.JobID]
	if j == nil || now.Sub(j.created) > time.Hour {
		return nil, errorf(40058, "unknown jobid")
	}
	type detail struct {
		status
		MediaID   string `json:"media_id,omitempty"`
		CreatedAt string `json:"created_at,omitempty"`
	}
	type answer struct {
		status
		Status int    `json:"status"`
		Detail detail `json:"detail"`
	}
	j.polls++
	if j.polls == 1 {
		return answer{okStatus, 1, detail{status: okStatus}}, nil
	}
	if j.mediaID == "" {
		j.mediaID = randomID(64)
		s.media.items[j.mediaID] = &mediaItem{id: j.mediaID, kind: j.kind, filename: j.filename,
			contentType: "application/octet-stream", created: now, updated: now}
	}
	it := s.media.items[j.mediaID]
	return answer{okStatus, 2, detail{okStatus, j.mediaID, strconv.FormatInt(it.created.Unix(), 10)}}, nil
}
