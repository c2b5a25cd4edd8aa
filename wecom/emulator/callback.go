package emulator

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wecomrunner/runner/wecom/internal/cbc"
)

// Callback is where the emulator pushes events, as set in WeCom's admin
// console for the contacts sync (通讯录同步 → 接收事件服务器): the URL, the
// Token and the EncodingAESKey (43 characters).
type Callback struct {
	URL            string `json:"url,omitempty" yaml:"url,omitempty"`
	Token          string `json:"token" yaml:"token"`
	EncodingAESKey string `json:"encoding_aes_key" yaml:"encoding_aes_key"`
}

// validate checks the token and key as the admin console does.
func (cb *Callback) validate() error {
	if cb.Token == "" || len(cb.Token) > 32 || strings.Trim(cb.Token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != "" {
		return errors.New("callback: the token is 1 to 32 letters and digits")
	}
	if key, err := base64.StdEncoding.DecodeString(cb.EncodingAESKey + "="); err != nil || len(cb.EncodingAESKey) != 43 || len(key) != 32 {
		return errors.New("callback: the encoding_aes_key is 43 characters of base64")
	}
	if cb.URL != "" {
		if u, err := url.Parse(cb.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("callback: the url is not an http:// or https:// URL")
		}
	}
	return nil
}

// Delivery is one attempt to deliver an event, for inspection.
type Delivery struct {
	Time time.Time `json:"time"`
	URL  string    `json:"url"` // without the query
	// Event and ChangeType describe the event; UserID is the member's (the
	// approver's, applicant's or commenter's for sys_approval_change), JobID
	// a batch job's.
	Event      string `json:"event"`
	ChangeType string `json:"change_type,omitempty"`
	UserID     string `json:"userid,omitempty"`
	JobID      string `json:"jobid,omitempty"`
	SpNo       string `json:"sp_no,omitempty"` // an approval's, for sys_approval_change
	Attempt    int    `json:"attempt"`         // 1 for the first delivery
	Status     int    `json:"status"`          // the HTTP status answered; 0 without an answer
	Error      string `json:"error,omitempty"`
	Delivered  bool   `json:"delivered"` // WeCom took the answer as a success
	// Duration is how long the answer took.
	Duration time.Duration `json:"duration"`
}

// WithCallbackTiming sets how long a delivery waits for its answer (WeCom:
// 5 s) and how long after a failed delivery the next one is made.
func WithCallbackTiming(timeout, retryDelay time.Duration) Option {
	return func(o *options) { o.callbackTimeout, o.callbackRetry = timeout, retryDelay }
}

// callbackRetries is how many times WeCom delivers an event again after a
// delivery it takes as failed ("总共重试三次").
const callbackRetries = 3

// pusher delivers events, one at a time, in the order they happened.
type pusher struct {
	mu         sync.Mutex
	cb         Callback
	queue      []pushed
	deliveries []Delivery
	wake       chan struct{}
	closed     chan struct{}
	closeOnce  sync.Once
	client     *http.Client
	busy       bool
	idle       *sync.Cond
	start      sync.Once
	ctx        context.Context // cancelled by close: ends a delivery in flight
	cancel     context.CancelFunc
}

// pushed is an event waiting for delivery, with the callback it goes to.
type pushed struct {
	cb   Callback
	xml  []byte
	desc Delivery
}

func newPusher(cb *Callback) *pusher {
	p := &pusher{wake: make(chan struct{}, 1), closed: make(chan struct{}), client: &http.Client{}}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.idle = sync.NewCond(&p.mu)
	if cb != nil {
		p.cb = *cb
	}
	return p
}

// SetCallback sets where events are pushed: the contacts sync's callback. A
// Callback with an empty URL stops the pushes.
func (s *Server) SetCallback(cb Callback) error {
	if err := cb.validate(); err != nil {
		return err
	}
	s.push.mu.Lock()
	s.push.cb = cb
	s.push.mu.Unlock()
	return nil
}

// CallbackDeliveries returns every delivery attempt so far, oldest first.
func (s *Server) CallbackDeliveries() []Delivery {
	s.push.mu.Lock()
	defer s.push.mu.Unlock()
	return append([]Delivery{}, s.push.deliveries...)
}

// WaitCallbacks waits until every event pushed so far has been delivered
// or given up on, or ctx ends.
func (s *Server) WaitCallbacks(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		s.push.mu.Lock()
		s.push.idle.Broadcast()
		s.push.mu.Unlock()
	})
	defer stop()
	s.push.mu.Lock()
	defer s.push.mu.Unlock()
	for (len(s.push.queue) > 0 || s.push.busy) && ctx.Err() == nil {
		s.push.idle.Wait()
	}
	return ctx.Err()
}

// notify queues an event for the contacts callback, or for cb when it is
// not nil (a batch job's own callback). Without a callback URL the event is
// dropped, as WeCom drops it.
func (s *Server) notify(cb *Callback, xml []byte, desc Delivery) {
	p := s.push
	p.mu.Lock()
	target := p.cb
	if cb != nil {
		target = *cb
	}
	if target.URL == "" {
		p.mu.Unlock()
		return
	}
	p.queue = append(p.queue, pushed{cb: target, xml: xml, desc: desc})
	p.mu.Unlock()
	p.start.Do(func() { go p.loop(s) })
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// loop delivers the queued events until the server is closed.
func (p *pusher) loop(s *Server) {
	for {
		p.mu.Lock()
		if len(p.queue) == 0 {
			p.busy = false
			p.idle.Broadcast()
			p.mu.Unlock()
			select {
			case <-p.wake:
				continue
			case <-p.closed:
				return
			}
		}
		ev := p.queue[0]
		p.queue = p.queue[1:]
		p.busy = true
		p.mu.Unlock()
		p.deliver(s, ev)
	}
}

// deliver makes up to 1+callbackRetries deliveries of an event, until one is
// answered with a success.
func (p *pusher) deliver(s *Server, ev pushed) {
	for attempt := 1; attempt <= 1+callbackRetries; attempt++ {
		d := ev.desc
		d.Attempt, d.URL = attempt, ev.cb.URL
		d.Time = s.now()
		start := time.Now()
		d.Status, d.Error = p.post(s, ev)
		d.Duration = time.Since(start)
		d.Delivered = d.Error == ""
		p.mu.Lock()
		p.deliveries = append(p.deliveries, d)
		p.mu.Unlock()
		if d.Delivered {
			return
		}
		t := time.NewTimer(s.opts.callbackRetry)
		select {
		case <-t.C:
		case <-p.closed:
			t.Stop()
			return
		}
	}
}

// post makes one delivery: the encrypted envelope, signed, with WeCom's
// timeout. An answer is a success when it is a 200 whose body is empty,
// "success" or an XML reply.
func (p *pusher) post(s *Server, ev pushed) (int, string) {
	timestamp := strconv.FormatInt(s.now().Unix(), 10)
	nonce := randomAlnum(10)
	enc, err := sealEvent(ev.cb.EncodingAESKey, s.corpID(), ev.xml)
	if err != nil {
		return 0, err.Error()
	}
	q := url.Values{"msg_signature": {signEvent(ev.cb.Token, timestamp, nonce, enc)}, "timestamp": {timestamp}, "nonce": {nonce}}
	target := ev.cb.URL
	if strings.Contains(target, "?") {
		target += "&" + q.Encode()
	} else {
		target += "?" + q.Encode()
	}
	body := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><AgentID><![CDATA[]]></AgentID><Encrypt><![CDATA[%s]]></Encrypt></xml>", s.corpID(), enc)
	ctx, cancel := context.WithTimeout(p.ctx, s.opts.callbackTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := p.client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, fmt.Sprintf("no answer within %v", s.opts.callbackTimeout)
		}
		return 0, "no answer: " + err.Error()
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch a := strings.TrimSpace(string(answer)); {
	case resp.StatusCode != http.StatusOK:
		return resp.StatusCode, "answered " + resp.Status
	case a != "" && a != "success" && !strings.HasPrefix(a, "<xml"):
		return resp.StatusCode, fmt.Sprintf("answered %q, not an empty body, success or an XML reply", truncate(a, 60))
	}
	return resp.StatusCode, ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// close stops the deliveries; events not delivered yet are dropped.
func (p *pusher) close() {
	p.closeOnce.Do(func() {
		close(p.closed)
		p.cancel()
	})
	p.mu.Lock()
	p.queue = nil
	p.idle.Broadcast()
	p.mu.Unlock()
}

// sealEvent encrypts an event as WeCom does: AES-256-CBC, IV the key's first
// 16 bytes, of 16 random bytes, the length of the message (4 bytes, big
// endian), the message and the corp id, padded (PKCS#7) to 32 bytes; in
// base64.
func sealEvent(encodingAESKey, corpID string, msg []byte) (string, error) {
	c, err := cbc.FromEncodingAESKey(encodingAESKey)
	if err != nil {
		return "", errors.New("the encoding_aes_key is not 43 characters of base64")
	}
	plain := make([]byte, 16, 20+len(msg)+len(corpID)+cbc.PadBlock)
	rand.Read(plain)
	plain = binary.BigEndian.AppendUint32(plain, uint32(len(msg)))
	plain = append(plain, msg...)
	plain = append(plain, corpID...)
	return base64.StdEncoding.EncodeToString(c.Seal(plain)), nil
}

// signEvent is msg_signature: SHA-1 of the sorted token, timestamp, nonce
// and ciphertext.
func signEvent(token, timestamp, nonce, enc string) string {
	parts := sort.StringSlice{token, timestamp, nonce, enc}
	parts.Sort()
	h := sha1.New()
	for _, s := range parts {
		io.WriteString(h, s)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (s *Server) corpID() string { return s.st.corpID }

// eventXML builds an event's XML: the common head, then fields in order
// (name, value pairs), each value in CDATA.
func eventXML(corpID string, created time.Time, event string, fields ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<xml><ToUserName>%s</ToUserName><FromUserName>%s</FromUserName><CreateTime>%d</CreateTime>"+
		"<MsgType>%s</MsgType><Event>%s</Event>", cdata(corpID), cdata("sys"), created.Unix(), cdata("event"), cdata(event))
	for i := 0; i+1 < len(fields); i += 2 {
		name, v := fields[i], fields[i+1]
		if strings.HasPrefix(v, "<") { // nested elements, written as they are
			fmt.Fprintf(&b, "<%s>%s</%s>", name, v, name)
			continue
		}
		fmt.Fprintf(&b, "<%s>%s</%s>", name, cdata(v), name)
	}
	b.WriteString("</xml>")
	return []byte(b.String())
}

// cdata wraps s in a CDATA section, splitting any "]]>" in it.
func cdata(s string) string {
	return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>"
}

// idList writes ids as WeCom's comma-separated lists.
func idList(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	return strings.Join(s, ",")
}

// memberFields are the fields of a change_contact event about m: since
// 2022 only its id and departments.
func memberFields(m *member) []string {
	return []string{
		"UserID", m.UserID,
		"Department", idList(m.Department),
		"MainDepartment", strconv.Itoa(m.MainDepartment),
		"IsLeaderInDept", idList(m.IsLeaderInDept),
	}
}
