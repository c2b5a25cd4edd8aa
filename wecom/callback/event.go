package callback

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Limits of what this package reads.
const (
	// MaxBody bounds a POST body, an envelope's ciphertext and an event's
	// XML. WeCom's largest events (approvals with many steps) are a few
	// kilobytes.
	MaxBody = 256 << 10
	// MaxDepth bounds how deeply an event's elements nest (<xml> is 1).
	MaxDepth = 16
	// MaxElements bounds the number of elements of an event.
	MaxElements = 4096
)

// ErrEvent is wrapped by the error of an event that is not well-formed XML
// under an <xml> root, or that exceeds MaxDepth or MaxElements.
var ErrEvent = errors.New("callback: not an event")

// Event is a decrypted callback message: every element under <xml>, by
// WeCom's names (ToUserName, FromUserName, CreateTime, MsgType, Event,
// ChangeType, UserID, ...). An element holding text is a string, as written
// (numbers too: CreateTime is "1409659813"); an element holding elements is
// a map[string]any of its own, by the same rules (BatchJob, ApprovalInfo);
// an element whose name occurs more than once in its parent, and every
// element WeCom repeats in its examples even when there is one (ExtAttr's
// Item; an approval's SpRecord, Details, Notifyer and Comments), is a []any
// of those. Attributes are ignored.
type Event map[string]any

// ParseEvent reads the XML of an event (what Open returns). DOCTYPE
// declarations are refused, so no entity is ever defined, let alone
// expanded.
func ParseEvent(data []byte) (Event, error) {
	if len(data) > MaxBody {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrTooLarge, len(data), MaxBody)
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	p := &parser{d: d}
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = errors.New("no <xml> element")
			}
			return nil, fmt.Errorf("%w: %v", ErrEvent, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "xml" {
				return nil, fmt.Errorf("%w: the root element is <%s>, not <xml>", ErrEvent, t.Name.Local)
			}
			v, err := p.element(1)
			if err != nil {
				return nil, err
			}
			children, _ := v.(map[string]any)
			if children == nil {
				children = map[string]any{}
			}
			return Event(children), p.rest()
		case xml.Directive:
			return nil, fmt.Errorf("%w: declarations (<!...>) are not allowed", ErrEvent)
		}
	}
}

type parser struct {
	d        *xml.Decoder
	elements int
}

// element reads the content of an element whose start was just read, at the
// given depth, up to its end: its text, or a map of its children.
func (p *parser) element(depth int) (any, error) {
	if p.elements++; p.elements > MaxElements {
		return nil, fmt.Errorf("%w: more than %d elements", ErrEvent, MaxElements)
	}
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: elements nested more than %d deep", ErrEvent, MaxDepth)
	}
	var text []byte
	var children map[string]any
	for {
		tok, err := p.d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("%w: %v", ErrEvent, err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if children == nil {
				text = append(text, t...)
			}
		case xml.StartElement:
			v, err := p.element(depth + 1)
			if err != nil {
				return nil, err
			}
			if children == nil {
				children = map[string]any{}
			}
			add(children, t.Name.Local, v)
		case xml.EndElement:
			if children != nil {
				return children, nil
			}
			if len(bytes.TrimSpace(text)) == 0 {
				return "", nil
			}
			return string(text), nil
		case xml.Directive:
			return nil, fmt.Errorf("%w: declarations (<!...>) are not allowed", ErrEvent)
		}
	}
}

// listElements are the elements that are always lists, even when there is
// one: those WeCom repeats in its examples (ExtAttr's Item; in
// sys_approval_change, an approval's steps SpRecord, a step's approvers
// Details, its Notifyer and Comments), so that a script iterates them
// whatever their number.
var listElements = []string{"Item", "SpRecord", "Details", "Notifyer", "Comments"}

// add sets a child, turning a repeated name (and every listElements) into a
// list. A value only becomes a []any here, so any []any is such a list.
func add(m map[string]any, name string, v any) {
	old, ok := m[name]
	switch {
	case !ok && slices.Contains(listElements, name):
		m[name] = []any{v}
	case !ok:
		m[name] = v
	default:
		if list, isList := old.([]any); isList {
			m[name] = append(list, v)
		} else {
			m[name] = []any{old, v}
		}
	}
}

// rest checks that nothing but whitespace, comments and processing
// instructions follows the root element.
func (p *parser) rest() error {
	for {
		tok, err := p.d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrEvent, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return fmt.Errorf("%w: a second root element <%s>", ErrEvent, t.Name.Local)
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return fmt.Errorf("%w: text after the root element", ErrEvent)
			}
		case xml.Directive:
			return fmt.Errorf("%w: declarations (<!...>) are not allowed", ErrEvent)
		}
	}
}

// Get returns the text of a top-level field, or "" when it is absent or not
// text.
func (e Event) Get(name string) string {
	s, _ := e[name].(string)
	return s
}

// Type is what the event is: its Event field for MsgType "event"
// (change_contact, batch_job_result, click, ...), else its MsgType (text,
// image, ...).
func (e Event) Type() string {
	if mt := e.Get("MsgType"); mt != "event" {
		return mt
	}
	return e.Get("Event")
}

// idLists are the fields WeCom writes as comma-separated department or tag
// ids; nameLists those it writes as comma-separated userids.
var (
	idLists   = []string{"Department", "IsLeaderInDept", "AddPartyItems", "DelPartyItems"}
	nameLists = []string{"DirectLeader", "AddUserItems", "DelUserItems"}
)

// Lists returns the comma-separated fields of the event parsed into lists,
// by field name: Department "1,2" is []any{1, 2} (ints), AddUserItems
// "lisi,wangwu" is []any{"lisi", "wangwu"} (strings). Only the fields present
// are returned; an empty field is an empty list. A department list that is
// not all numbers is kept as strings.
func (e Event) Lists() map[string]any {
	out := map[string]any{}
	for _, name := range idLists {
		s, ok := e[name].(string)
		if !ok {
			continue
		}
		parts := splitList(s)
		ids := make([]any, 0, len(parts))
		for _, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil {
				ids = nil
				break
			}
			ids = append(ids, n)
		}
		if ids == nil {
			ids = make([]any, len(parts))
			for i, p := range parts {
				ids[i] = p
			}
		}
		out[name] = ids
	}
	for _, name := range nameLists {
		if s, ok := e[name].(string); ok {
			parts := splitList(s)
			names := make([]any, len(parts))
			for i, p := range parts {
				names[i] = p
			}
			out[name] = names
		}
	}
	return out
}

// IDs returns the numbers of a comma-separated field (Department,
// AddPartyItems, ...), skipping what is not a number.
func (e Event) IDs(name string) []int {
	var out []int
	for _, p := range splitList(e.Get(name)) {
		if n, err := strconv.Atoi(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Key identifies the event for deduplication: WeCom delivers an event again
// when it thinks a delivery failed, identically. A message's key is its
// MsgId; an event's is a digest of every field (FromUserName, CreateTime,
// Event, ChangeType, UserID, ... and nested ones), so that two different
// changes of the same second stay apart.
func (e Event) Key() string {
	if id := e.Get("MsgId"); id != "" {
		return "msg:" + id
	}
	h := sha256.New()
	e.digest(h)
	return "event:" + hex.EncodeToString(h.Sum(nil)[:16])
}

func (e Event) digest(w io.Writer) {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%d:%s=", len(k), k)
		digestValue(w, e[k])
	}
}

func digestValue(w io.Writer, v any) {
	switch v := v.(type) {
	case string:
		fmt.Fprintf(w, "s%d:%s;", len(v), v)
	case map[string]any:
		io.WriteString(w, "{")
		Event(v).digest(w)
		io.WriteString(w, "}")
	case []any:
		io.WriteString(w, "[")
		for _, x := range v {
			digestValue(w, x)
		}
		io.WriteString(w, "]")
	}
}
