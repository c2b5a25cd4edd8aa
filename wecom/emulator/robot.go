package emulator

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"
)

// Group robots (群机器人) post to a group chat through a webhook URL that
// holds their key: POST webhook/send?key=KEY, with no access token. The key
// is the robot's only credential: it is never recorded or shown.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/91770

// Robot is a group robot of the org file: the key of its webhook URL and
// its name.
type Robot struct {
	Key  string `json:"key,omitempty" yaml:"key,omitempty"`
	Name string `json:"name" yaml:"name"`
}

// RobotMessage is a message a robot posted with webhook/send.
type RobotMessage struct {
	Time    time.Time `json:"time"`
	Robot   string    `json:"robot"` // the robot's name
	MsgType string    `json:"msgtype"`
	// Content is the text of a text or markdown message.
	Content string `json:"content,omitempty"`
	// Payload is the full request body.
	Payload json.RawMessage `json:"payload"`
}

// Limits of webhook/send, as WeCom documents them: 20 messages a minute per
// robot, a text of 2048 bytes, a markdown of 4096.
const (
	robotPerMinute   = 20
	robotTextMax     = 2048
	robotMarkdownMax = 4096
)

// robots are the org's robots by key, and what they posted.
type robots struct {
	mu       sync.Mutex
	names    map[string]string      // key to name
	sent     map[string][]time.Time // key to the times of the last minute's messages
	messages []RobotMessage
}

func newRobots(list []Robot) *robots {
	r := &robots{names: map[string]string{}, sent: map[string][]time.Time{}}
	for _, rb := range list {
		r.names[rb.Key] = rb.Name
	}
	return r
}

// robotTypes are the msgtypes webhook/send takes.
var robotTypes = map[string]bool{"text": true, "markdown": true, "markdown_v2": true, "image": true, "news": true, "file": true, "voice": true, "template_card": true}

type webhookRequest struct {
	MsgType string `json:"msgtype"`
}

// webhookSend serves POST webhook/send?key=KEY.
func (s *Server) webhookSend(c *call, req webhookRequest) (any, *apiError) {
	key := c.param("key")
	var content struct {
		Content string `json:"content"`
	}
	if req.MsgType == "text" || strings.HasPrefix(req.MsgType, "markdown") {
		var objs map[string]json.RawMessage
		if e := c.decode(&objs); e != nil {
			return nil, e
		}
		if e := decodeBody(objs[req.MsgType], &content); e != nil {
			return nil, e
		}
	}
	r := s.robots
	r.mu.Lock()
	defer r.mu.Unlock()
	name, ok := r.names[key]
	switch {
	case key == "" || !ok:
		return nil, errorf(93000, "invalid webhook url, hint: the key is unknown")
	case !robotTypes[req.MsgType]:
		return nil, errorf(40008, "msgtype %q", req.MsgType)
	case (req.MsgType == "text" || strings.HasPrefix(req.MsgType, "markdown")) && strings.TrimSpace(content.Content) == "":
		return nil, newError(44004)
	case req.MsgType == "text" && len(content.Content) > robotTextMax:
		return nil, errorf(45002, "content is %d bytes, more than %d", len(content.Content), robotTextMax)
	case strings.HasPrefix(req.MsgType, "markdown") && len(content.Content) > robotMarkdownMax:
		return nil, errorf(45002, "content is %d bytes, more than %d", len(content.Content), robotMarkdownMax)
	}
	now := s.now()
	recent := slices.DeleteFunc(r.sent[key], func(t time.Time) bool { return now.Sub(t) >= time.Minute })
	if len(recent) >= robotPerMinute {
		r.sent[key] = recent
		return nil, errorf(45009, "a robot posts at most %d messages a minute", robotPerMinute)
	}
	r.sent[key] = append(recent, now)
	r.messages = append(r.messages, RobotMessage{
		Time: now, Robot: name, MsgType: req.MsgType, Content: content.Content,
		Payload: json.RawMessage(append([]byte(nil), c.body...)),
	})
	return okStatus, nil
}

// RobotMessages returns the messages robots posted so far, oldest first.
func (s *Server) RobotMessages() []RobotMessage {
	s.robots.mu.Lock()
	defer s.robots.mu.Unlock()
	return cloneEach(s.robots.messages, func(*RobotMessage) {})
}
