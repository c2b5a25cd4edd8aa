package wecom

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wecomrunner/runner/wecom/internal/cbc"
)

// ExportService is the asynchronous export of the contacts (异步导出接口):
// WeCom writes the members, their details, the departments or a tag's
// members into files encrypted with the EncodingAESKey of the request, and
// export/get_result lists the files once the job is done. Wait polls
// get_result until then, and Download fetches one file and decrypts it in
// memory.
//
// The job is read with the same secret that submitted it. Each file holds a
// JSON object: {"userlist": [...]} for the members (as user/simplelist or
// user/list list them), {"department": [...]} for the departments (as
// department/list), {"tagname", "userlist", "partylist"} for a tag (as
// tag/get).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/94850
type ExportService service

// The states of an export job (export/get_result's status).
const (
	ExportPending    = 0 // 未处理
	ExportProcessing = 1 // 处理中
	ExportDone       = 2 // 完成
	ExportFailed     = 3 // 异常失败
)

// ExportResult is the state of an export job.
type ExportResult struct {
	Status   int          `json:"status"`
	DataList []ExportFile `json:"data_list"` // once done: the files, in order
}

// ExportFile is one file of a finished export: a URL valid two hours, which
// accepts Range requests, with the size and MD5 of its ciphertext.
type ExportFile struct {
	URL  string `json:"url"`
	Size int64  `json:"size"`
	MD5  string `json:"md5"`
}

// ErrExportFailed is wrapped by the error of Wait when WeCom reports the job
// failed (status 3).
var ErrExportFailed = errors.New("the export job failed")

// NewExportKey returns a new random EncodingAESKey for an export: 43
// characters of base64, 32 bytes from crypto/rand.
func NewExportKey() string {
	key := make([]byte, 32)
	rand.Read(key)
	return strings.TrimSuffix(base64.StdEncoding.EncodeToString(key), "=")
}

// The pauses between the polls of Wait: doubling from the first, up to the
// largest.
const (
	exportPollFirst   = 500 * time.Millisecond
	exportPollLargest = 10 * time.Second
)

// Wait polls export/get_result until the job is done, and returns its
// result; a job WeCom reports failed (status 3) is an error naming the job
// and wrapping ErrExportFailed. The pause
// between polls doubles from half a second up to ten seconds; ctx bounds
// the wait.
func (s *ExportService) Wait(ctx context.Context, jobID string) (*ExportResult, error) {
	pause := exportPollFirst
	for {
		r, err := s.GetResult(ctx, jobID)
		if err != nil {
			return nil, err
		}
		switch r.Status {
		case ExportDone:
			return r, nil
		case ExportFailed:
			return nil, fmt.Errorf("wecom export/get_result: job %s: %w (status 3, 异常失败); submit the export again", jobID, ErrExportFailed)
		}
		if err := sleep(ctx, pause); err != nil {
			return nil, fmt.Errorf("wecom export/get_result: waiting for job %s: %w", jobID, err)
		}
		pause = min(2*pause, exportPollLargest)
	}
}

// maxExportFile bounds the size of an export file read into memory: a block
// of a million members' details.
const maxExportFile = 1 << 30

// Download fetches a file of a finished export with the client's HTTP
// client, checks its size and MD5, and returns its plaintext, decrypted in
// memory with the EncodingAESKey the export was submitted with. Network
// errors and 5xx answers are retried as the client retries its calls.
// Errors show neither the key nor the URL's query.
func (s *ExportService) Download(ctx context.Context, f ExportFile, encodingAESKey string) ([]byte, error) {
	ciph, err := cbc.FromEncodingAESKey(encodingAESKey)
	if err != nil {
		return nil, fmt.Errorf("wecom export: %w", err)
	}
	where := fileName(f.URL)
	if f.Size > maxExportFile {
		return nil, fmt.Errorf("wecom export: %s has %d bytes, more than the %d read into memory", where, f.Size, maxExportFile)
	}
	c := s.client
	var data []byte
	for try := 1; ; try++ {
		var retry bool
		data, retry, err = s.fetch(ctx, f, where)
		if err == nil {
			break
		}
		if !retry || try >= c.tries {
			return nil, err
		}
		if err := sleep(ctx, c.delay(try)); err != nil {
			return nil, fmt.Errorf("%w (retry cancelled: %w)", err, ctx.Err())
		}
	}
	if f.Size > 0 && int64(len(data)) != f.Size {
		return nil, fmt.Errorf("wecom export: %s has %d bytes, WeCom announced %d", where, len(data), f.Size)
	}
	if f.MD5 != "" {
		sum := md5.Sum(data)
		if !strings.EqualFold(hex.EncodeToString(sum[:]), f.MD5) {
			return nil, fmt.Errorf("wecom export: %s does not match its MD5", where)
		}
	}
	plain, err := ciph.Open(data)
	if err != nil {
		return nil, fmt.Errorf("wecom export: %s: %w (is it the key the export was submitted with?)", where, err)
	}
	return plain, nil
}

// fetch reads the file once; retry says whether a failure may pass.
func (s *ExportService) fetch(ctx context.Context, f ExportFile, where string) (data []byte, retry bool, err error) {
	c := s.client
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return nil, false, fmt.Errorf("wecom export: the file's URL %s: %w", where, errors.Unwrap(err))
	}
	res, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, true, fmt.Errorf("wecom export: downloading %s: %w", where, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, res.StatusCode >= 500, fmt.Errorf("wecom export: downloading %s: HTTP %d %s (the URLs are valid two hours)", where, res.StatusCode, http.StatusText(res.StatusCode))
	}
	limit := int64(maxExportFile)
	if f.Size > 0 {
		limit = f.Size
	}
	initial := int64(64 << 20)
	if f.Size > 0 {
		initial = f.Size // WeCom announces it: one allocation
	}
	var b bytes.Buffer
	b.Grow(int(initial) + bytes.MinRead)
	if _, err := b.ReadFrom(io.LimitReader(res.Body, limit+1)); err != nil {
		return nil, true, fmt.Errorf("wecom export: downloading %s: %w", where, err)
	}
	return b.Bytes(), false, nil
}

// fileName is a file's URL without its query, which may hold a signature.
func fileName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the file"
	}
	return u.Scheme + "://" + u.Host + u.Path
}

// CheckExportKey reports whether an EncodingAESKey can encrypt an export: 43
// characters of base64. The error does not show the key.
func CheckExportKey(encodingAESKey string) error {
	if _, err := cbc.DecodeKey(encodingAESKey); err != nil {
		return fmt.Errorf("encoding_aeskey: %w", err)
	}
	return nil
}

// The range of an export's block_size: the rows of one file.
const (
	MinExportBlock = 10_000
	MaxExportBlock = 1_000_000
)
