package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Request is one API call in the request log. Secrets (access_token,
// corpsecret) are never recorded, nor are bodies.
type Request struct {
	Time   time.Time `json:"time"`
	Method string    `json:"method"`
	// API is the path under /cgi-bin/, e.g. "user/get".
	API string `json:"api"`
	// Query is the raw query string without access_token and secrets.
	Query string `json:"query,omitempty"`
	// AgentID is the app whose token made the call; 0 for the contacts
	// secret or a call without a valid token.
	AgentID int `json:"agentid,omitempty"`
	// Status is the HTTP status answered (0 for a dropped connection).
	Status int `json:"status"`
	// ErrCode is the WeCom errcode answered.
	ErrCode int  `json:"errcode"`
	Dropped bool `json:"dropped,omitempty"`
	// Legacy marks calls of retired APIs (chat, material, shakearound,
	// batch/inviteuser).
	Legacy bool `json:"legacy,omitempty"`
}

// Message is an app message sent with message/send.
type Message struct {
	MsgID   string    `json:"msgid"`
	Time    time.Time `json:"time"`
	AgentID int       `json:"agentid"`
	MsgType string    `json:"msgtype"`
	// ToUser, ToParty and ToTag are the recipient strings as sent.
	ToUser  string `json:"touser,omitempty"`
	ToParty string `json:"toparty,omitempty"`
	ToTag   string `json:"totag,omitempty"`
	// Recipients are the userids the message reached, resolved from users,
	// departments (with sub-departments) and tags within the app's
	// visible range.
	Recipients []string `json:"recipients"`
	// Dropped are the userids the message did not reach although WeCom
	// answered ok: over the per-member limits (30 a minute, 1,000 an hour
	// from one app), or all of them for a Duplicate. See rules.go.
	Dropped []string `json:"dropped,omitempty"`
	// Duplicate marks a message sent with enable_duplicate_check within
	// the interval of the same one: it reached no one.
	Duplicate bool `json:"duplicate,omitempty"`
	// InvalidUser, InvalidParty and InvalidTag are as answered: "|"-joined.
	InvalidUser  string `json:"invaliduser,omitempty"`
	InvalidParty string `json:"invalidparty,omitempty"`
	InvalidTag   string `json:"invalidtag,omitempty"`
	// Payload is the full request body.
	Payload  json.RawMessage `json:"payload"`
	Recalled bool            `json:"recalled,omitempty"`
	// ResponseCode is the code answered for an interactive template card;
	// CardUpdates are the bodies of message/update_template_card that used
	// it (at most one: a code updates the card once).
	ResponseCode string            `json:"response_code,omitempty"`
	CardUpdates  []json.RawMessage `json:"card_updates,omitempty"`
}

// ChatMessage is a message sent to a group chat with appchat/send, or with
// the legacy chat/send (to a group or to a single member).
type ChatMessage struct {
	Time    time.Time `json:"time"`
	AgentID int       `json:"agentid"`
	// ChatID is the group chat; for a legacy single chat it is empty and
	// Recipients holds the receiver.
	ChatID string `json:"chatid,omitempty"`
	// Sender is the member who sent a legacy chat/send message.
	Sender     string   `json:"sender,omitempty"`
	MsgType    string   `json:"msgtype"`
	Recipients []string `json:"recipients"`
	// Dropped are the members an appchat/send message did not reach
	// although WeCom answered ok: over the per-member limits (200 a minute,
	// 10,000 a day). See rules.go.
	Dropped []string        `json:"dropped,omitempty"`
	Payload json.RawMessage `json:"payload"`
	Legacy  bool            `json:"legacy,omitempty"`
}

// Invitation is a batch/invite or legacy batch/inviteuser call, with the
// members it reached.
type Invitation struct {
	Time    time.Time `json:"time"`
	AgentID int       `json:"agentid,omitempty"`
	Users   []string  `json:"users"`
	Legacy  bool      `json:"legacy,omitempty"`
}

// outbox keeps what was sent, in order.
type outbox struct {
	mu       sync.Mutex
	messages []Message
	chats    []ChatMessage
	invites  []Invitation
}

// requestLog is a ring of the most recent requests.
type requestLog struct {
	mu    sync.Mutex
	ring  []Request
	next  int
	total int
}

func newRequestLog(size int) *requestLog {
	return &requestLog{ring: make([]Request, max(size, 1))}
}

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	l.ring[l.next] = r
	l.next = (l.next + 1) % len(l.ring)
	l.total++
	l.mu.Unlock()
}

func (l *requestLog) list() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := min(l.total, len(l.ring))
	out := make([]Request, 0, n)
	start := (l.next - n + len(l.ring)) % len(l.ring)
	for i := range n {
		out = append(out, l.ring[(start+i)%len(l.ring)])
	}
	return out
}

// Messages returns the app messages sent so far, oldest first.
func (s *Server) Messages() []Message {
	s.out.mu.Lock()
	defer s.out.mu.Unlock()
	return cloneEach(s.out.messages, func(m *Message) {
		m.Recipients, m.Dropped = slices.Clone(m.Recipients), slices.Clone(m.Dropped)
	})
}

// ChatMessages returns the group chat messages sent so far (appchat/send
// and legacy chat/send), oldest first.
func (s *Server) ChatMessages() []ChatMessage {
	s.out.mu.Lock()
	defer s.out.mu.Unlock()
	return cloneEach(s.out.chats, func(m *ChatMessage) {
		m.Recipients, m.Dropped = slices.Clone(m.Recipients), slices.Clone(m.Dropped)
	})
}

// Invitations returns the invitations sent so far, oldest first.
func (s *Server) Invitations() []Invitation {
	s.out.mu.Lock()
	defer s.out.mu.Unlock()
	return cloneEach(s.out.invites, func(v *Invitation) { v.Users = slices.Clone(v.Users) })
}

// cloneEach returns a copy of list, never nil, with deepen applied to each
// element to copy what it would share with the original.
func cloneEach[T any](list []T, deepen func(*T)) []T {
	out := make([]T, len(list))
	copy(out, list)
	for i := range out {
		deepen(&out[i])
	}
	return out
}

// Snapshot returns a copy of the current organisation: departments, users,
// tags, apps (without secrets), app chats, and the customer contact data of
// the members in post (customers and customer groups of members who left
// are left out until a member takes them over). It is a valid org file
// once secrets are added.
func (s *Server) Snapshot() *Org {
	s.jobs.tick(s)
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	return s.st.snapshot()
}

// Requests returns the most recent API calls, oldest first (see
// WithRequestLogSize).
func (s *Server) Requests() []Request { return s.log.list() }

// TokenRequests returns how many times gettoken was called, successful or
// not.
func (s *Server) TokenRequests() int { return int(s.tokenCalls.Load()) }

// Stats are counters of the server's activity.
type Stats struct {
	Requests      int `json:"requests"`
	TokenRequests int `json:"gettoken_calls"`
	Messages      int `json:"messages"`
	// DroppedDeliveries counts the members app and group chat messages did
	// not reach although WeCom answered ok (Message.Dropped,
	// ChatMessage.Dropped).
	DroppedDeliveries int `json:"dropped_deliveries"`
	ChatMessages      int `json:"chat_messages"`
	RobotMessages     int `json:"robot_messages"`
	Media             int `json:"media"`
	BatchJobs         int `json:"batch_jobs"`
	// Quotas are WeCom's quotas under today's rules, with what each has
	// counted (Server.Quotas).
	Quotas []QuotaUsage `json:"quotas"`
}

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	st := Stats{TokenRequests: s.TokenRequests(), Quotas: s.Quotas()}
	s.log.mu.Lock()
	st.Requests = s.log.total
	s.log.mu.Unlock()
	s.out.mu.Lock()
	st.Messages, st.ChatMessages = len(s.out.messages), len(s.out.chats)
	for _, m := range s.out.messages {
		st.DroppedDeliveries += len(m.Dropped)
	}
	for _, m := range s.out.chats {
		st.DroppedDeliveries += len(m.Dropped)
	}
	s.out.mu.Unlock()
	s.robots.mu.Lock()
	st.RobotMessages = len(s.robots.messages)
	s.robots.mu.Unlock()
	s.media.mu.RLock()
	st.Media = len(s.media.items)
	s.media.mu.RUnlock()
	s.jobs.mu.Lock()
	st.BatchJobs = len(s.jobs.jobs)
	s.jobs.mu.Unlock()
	return st
}

// serveInspect serves the read-only inspection endpoint:
//
//	GET /_emulator/                  index of the endpoints below
//	GET /_emulator/org               Snapshot
//	GET /_emulator/messages          Messages
//	GET /_emulator/chat/messages     ChatMessages
//	GET /_emulator/robot/messages    RobotMessages
//	GET /_emulator/invitations       Invitations
//	GET /_emulator/requests          Requests
//	GET /_emulator/jobs              BatchJobs
//	GET /_emulator/media             Media (metadata only)
//	GET /_emulator/stats             Stats
//	GET /_emulator/quotas            Quotas
//	GET /_emulator/callbacks         CallbackDeliveries
//	GET /_emulator/approvals         Approvals: who may decide each pending one
//	GET /_emulator/img/ID            an image uploaded with media/uploadimg
//
// and, for POST, the admin console under /_emulator/console/ (see
// serveConsole).
func (s *Server) serveInspect(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, consolePrefix) {
		s.serveConsole(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "the inspection endpoint is read-only", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, inspectPrefix)
	if id, ok := strings.CutPrefix(name, "img/"); ok {
		s.serveImage(w, r, id)
		return
	}
	views := s.inspectViews()
	if name == "" {
		index := make([]string, len(views))
		for i, v := range views {
			index[i] = inspectPrefix + v.name
		}
		s.writeJSON(w, http.StatusOK, map[string][]string{"endpoints": index})
		return
	}
	i := slices.IndexFunc(views, func(v inspectView) bool { return v.name == name })
	if i < 0 {
		http.NotFound(w, r)
		return
	}
	s.writeJSON(w, http.StatusOK, views[i].get())
}

// inspectView is a JSON view of the emulator under /_emulator/.
type inspectView struct {
	name string
	get  func() any
}

// inspectViews are the views of serveInspect, in the order its index lists
// them.
func (s *Server) inspectViews() []inspectView {
	return []inspectView{
		{"org", func() any { return s.Snapshot() }},
		{"messages", func() any { return s.Messages() }},
		{"chat/messages", func() any { return s.ChatMessages() }},
		{"robot/messages", func() any { return s.RobotMessages() }},
		{"invitations", func() any { return s.Invitations() }},
		{"requests", func() any { return s.Requests() }},
		{"jobs", func() any { return s.BatchJobs() }},
		{"media", func() any { return s.Media() }},
		{"stats", func() any { return s.Stats() }},
		{"quotas", func() any { return s.Quotas() }},
		{"callbacks", func() any { return s.CallbackDeliveries() }},
		{"approvals", func() any { return s.Approvals() }},
	}
}
