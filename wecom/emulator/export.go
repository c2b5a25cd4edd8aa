package emulator

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wecomrunner/runner/wecom/internal/cbc"
)

// The asynchronous exports (异步导出接口, document/path/94850):
// export/simple_user, export/user, export/department and export/taguser
// take a snapshot of what the caller may see when they are called, split it
// into files of block_size rows, encrypt each with the request's
// encoding_aeskey and keep them; export/get_result answers status 1
// (processing) at a job's first poll and 2 (done) with the files' URLs from
// the next, as media/upload_by_url's jobs do, so that a client's polling is
// exercised without a clock. The files are served by the emulator itself,
// under /_export/ at the host the client called, with Range requests, for
// two hours by the server's clock, as WeCom's CDN keeps them.
//
// What WeCom documents is followed: the key is 43 characters of base64;
// block_size is 10^4 to 10^6 (default 10^6) rows a file, members for the
// member exports, departments for the department export, members and
// departments together for a tag; a job is read by the identity that
// submitted it. WeCom does not document the errcodes of a bad key or
// block_size: the emulator answers 40058 (invalid parameter) for both, and
// 40058 for an unknown jobid. open_userid (a third-party application's id
// of a member) is not in the member files: the emulator has none.

// exportPrefix is the path under which the export files are served.
const exportPrefix = "/_export/"

// exportLifetime is how long a finished export's files may be downloaded.
const exportLifetime = 2 * time.Hour

// exportStore holds the export jobs and their files.
type exportStore struct {
	mu    sync.Mutex
	jobs  map[string]*exportJob
	files map[string]*exportFile
	// failNext is how many of the next jobs submitted fail (FailNextExports).
	failNext int
}

func newExportStore() *exportStore {
	return &exportStore{jobs: map[string]*exportJob{}, files: map[string]*exportFile{}}
}

// exportJob is a submitted export.
type exportJob struct {
	agentID int // the identity that submitted it, the only one that reads it
	polls   int
	failed  bool // get_result answers status 3 (异常失败) once processed
	files   []*exportFile
	created time.Time
	done    time.Time // when the files became available
}

// sweep forgets the jobs, and their files, whose files expired, or which
// were never read to the end within exportLifetime: a long-running emulator
// does not keep every export it made. The caller holds ex.mu.
func (ex *exportStore) sweep(now time.Time) {
	for id, j := range ex.jobs {
		since := j.done
		if since.IsZero() {
			since = j.created
		}
		if now.Sub(since) <= exportLifetime {
			continue
		}
		for _, f := range j.files {
			delete(ex.files, f.id)
		}
		delete(ex.jobs, id)
	}
}

// exportFile is one encrypted file of a job.
type exportFile struct {
	id   string
	data []byte
	md5  string
	done time.Time
}

// exportRequest is the body of the export submissions.
type exportRequest struct {
	EncodingAESKey string   `json:"encoding_aeskey"`
	BlockSize      flexInt  `json:"block_size"`
	TagID          *flexInt `json:"tagid"`
}

// readExport checks a submission and returns its cipher and block size.
func readExport(req exportRequest) (*cbc.Cipher, int, *apiError) {
	ciph, err := cbc.FromEncodingAESKey(req.EncodingAESKey)
	if err != nil {
		return nil, 0, errorf(40058, "encoding_aeskey must be 43 characters of base64")
	}
	size := int(req.BlockSize)
	if size == 0 {
		size = 1_000_000
	}
	if size < 10_000 || size > 1_000_000 {
		return nil, 0, errorf(40058, "block_size must be 10000 to 1000000")
	}
	return ciph, size, nil
}

// exportMembers serves export/simple_user (detail false) and export/user:
// the members the caller sees, as user/simplelist and user/list list them.
func (s *Server) exportMembers(detail bool) func(*call, exportRequest) (any, *apiError) {
	return func(c *call, req exportRequest) (any, *apiError) {
		ciph, size, e := readExport(req)
		if e != nil {
			return nil, e
		}
		st := s.readState()
		a := c.app()
		ms := slices.DeleteFunc(st.sortedMembers(sortedKeys(st.depts)), func(m *member) bool { return !st.userVisible(a, m) })
		var rows [][]byte
		if detail {
			rows = st.encodedViews(a, ms) // user/list's, cached per member
		} else {
			rows = make([][]byte, len(ms))
			for i, m := range ms {
				rows[i], _ = json.Marshal(simpleUser{m.UserID, m.Name, m.Department})
			}
		}
		st.mu.RUnlock()
		return s.startListExport(c, ciph, size, "userlist", rows)
	}
}

// exportDepartments serves export/department: the departments the caller
// sees, as department/list lists them.
func (s *Server) exportDepartments(c *call, req exportRequest) (any, *apiError) {
	ciph, size, e := readExport(req)
	if e != nil {
		return nil, e
	}
	depts, e := s.listedDepts(c)
	if e != nil {
		return nil, e
	}
	rows := make([][]byte, len(depts))
	for i, d := range depts {
		rows[i], _ = json.Marshal(deptItem{d.ID, d.Name, d.NameEn, d.ParentID, d.Order})
	}
	return s.startListExport(c, ciph, size, "department", rows)
}

// exportTagUsers serves export/taguser: the tag's members and departments
// the caller sees, as tag/get lists them; block_size counts both.
func (s *Server) exportTagUsers(c *call, req exportRequest) (any, *apiError) {
	ciph, size, e := readExport(req)
	if e != nil {
		return nil, e
	}
	if req.TagID == nil {
		return nil, errorf(40068, "tagid is required")
	}
	st := s.readState()
	t, e := st.knownTag(int(*req.TagID))
	if e != nil {
		st.mu.RUnlock()
		return nil, e
	}
	tagUsers, tagParties := st.visibleTagLists(c, t)
	tagName, _ := json.Marshal(t.Name)
	st.mu.RUnlock()
	users := make([][]byte, len(tagUsers))
	for i, u := range tagUsers {
		users[i], _ = json.Marshal(u)
	}
	parties := make([][]byte, len(tagParties))
	for i, p := range tagParties {
		parties[i], _ = json.Marshal(p)
	}
	return s.startExport(c, ciph, size, len(users)+len(parties), func(b []byte, from, to int) []byte {
		b = append(b, `{"tagname":`...)
		b = append(b, tagName...)
		u := users[min(from, len(users)):min(to, len(users))]
		p := parties[max(from-len(users), 0):max(to-len(users), 0)]
		b = appendRows(append(b, `,"userlist":`...), u)
		return append(appendRows(append(b, `,"partylist":`...), p), '}')
	})
}

// appendRows appends rows as a JSON array.
func appendRows(b []byte, rows [][]byte) []byte {
	n := 2 + len(rows)
	for _, r := range rows {
		n += len(r)
	}
	b = slices.Grow(b, n+cbc.PadBlock+16)
	return appendArray(b, rows, func(b, row []byte) []byte { return append(b, row...) })
}

// startListExport writes the files of rows, size a file, each an object
// whose field key holds its rows, and answers the job's id.
func (s *Server) startListExport(c *call, ciph *cbc.Cipher, size int, key string, rows [][]byte) (any, *apiError) {
	head := append(append([]byte(`{"`), key...), `":`...)
	return s.startExport(c, ciph, size, len(rows), func(b []byte, from, to int) []byte {
		return append(appendRows(append(b, head...), rows[from:to]), '}')
	})
}

// startExport writes the files of n rows, size a file (at least one file,
// for no rows), each made by file from its rows [from, to), encrypted, and
// answers the job's id.
func (s *Server) startExport(c *call, ciph *cbc.Cipher, size, n int, file func(b []byte, from, to int) []byte) (any, *apiError) {
	job := &exportJob{agentID: c.agentID, created: s.now()}
	for from := 0; from == 0 || from < n; from += size {
		plain := file(nil, from, min(from+size, n))
		data := ciph.Seal(plain)
		sum := md5.Sum(data)
		job.files = append(job.files, &exportFile{id: randomAlnum(40), data: data, md5: hex.EncodeToString(sum[:])})
	}
	id := "jobid_" + randomAlnum(40)
	s.exports.mu.Lock()
	s.exports.sweep(job.created)
	if s.exports.failNext > 0 {
		s.exports.failNext--
		job.failed, job.files = true, nil
	}
	s.exports.jobs[id] = job
	s.exports.mu.Unlock()
	return struct {
		status
		JobID string `json:"jobid"`
	}{okStatus, id}, nil
}

type exportFileAnswer struct {
	URL  string `json:"url"`
	Size int    `json:"size"`
	MD5  string `json:"md5"`
}

type exportResultAnswer struct {
	status
	Status   int                `json:"status"`
	DataList []exportFileAnswer `json:"data_list,omitempty"`
}

// The states of export/get_result (获取导出结果,
// https://developer.work.weixin.qq.com/document/path/94854: "任务状态:0-未处理，
// 1-处理中，2-完成，3-异常失败").
const (
	exportProcessing = 1
	exportDone       = 2
	exportFailed     = 3
)

// FailNextExports makes the next n export jobs submitted (export/simple_user,
// export/user, export/department, export/taguser) fail: the submission is
// answered with a jobid as usual, and export/get_result answers status 1
// (处理中) at the job's first poll, then status 3 (异常失败) without files,
// as WeCom reports a job that failed. WeCom documents no cause; tests and
// demos use this to see how a script reports it. It adds to the jobs
// already asked to fail; n of 0 or less asks for none more.
func (s *Server) FailNextExports(n int) {
	s.exports.mu.Lock()
	defer s.exports.mu.Unlock()
	s.exports.failNext += max(n, 0)
}

// consoleFailExports serves POST /_emulator/console/fail_exports {"n": 1}:
// the next n export jobs fail (FailNextExports); n must be 1 or more.
func (s *Server) consoleFailExports(body []byte) (any, *apiError) {
	var req struct {
		N int `json:"n"`
	}
	if e := decodeBody(body, &req); e != nil {
		return nil, e
	}
	if req.N < 1 {
		return nil, errorf(40058, "n must be 1 or more")
	}
	s.FailNextExports(req.N)
	return okStatus, nil
}

// exportResult serves GET export/get_result?jobid=ID: status 1 at a job's
// first poll, then 2 with its files, whose URLs are valid two hours, or 3
// for a job that failed (FailNextExports); then the job is forgotten
// (40058).
func (s *Server) exportResult(c *call) (any, *apiError) {
	id := c.param("jobid")
	if id == "" {
		return nil, errorf(40058, "jobid is required")
	}
	now := s.now()
	ex := s.exports
	ex.mu.Lock()
	defer ex.mu.Unlock()
	ex.sweep(now)
	j := ex.jobs[id]
	if j == nil || j.agentID != c.agentID {
		return nil, errorf(40058, "unknown jobid")
	}
	j.polls++
	if j.polls == 1 {
		return exportResultAnswer{status: okStatus, Status: exportProcessing}, nil
	}
	if j.failed {
		return exportResultAnswer{status: okStatus, Status: exportFailed}, nil
	}
	if j.done.IsZero() {
		j.done = now
		for _, f := range j.files {
			f.done = now
			ex.files[f.id] = f
		}
	}
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	out := exportResultAnswer{status: okStatus, Status: exportDone, DataList: []exportFileAnswer{}}
	for _, f := range j.files {
		out.DataList = append(out.DataList, exportFileAnswer{scheme + "://" + c.r.Host + exportPrefix + f.id, len(f.data), f.md5})
	}
	return out, nil
}

// serveExportFile serves GET /_export/ID: an export file's ciphertext, with
// Range requests; 404 for an unknown file or one older than two hours.
func (s *Server) serveExportFile(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, exportPrefix)
	now := s.now()
	s.exports.mu.Lock()
	f := s.exports.files[id]
	s.exports.mu.Unlock()
	if f == nil || now.Sub(f.done) > exportLifetime || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
}
