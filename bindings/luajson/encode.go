package luajson

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// Encode encodes v as compact JSON by the rules of the package doc.
func Encode(v lua.LValue) ([]byte, error) {
	e := encoder{}
	if err := e.value(v); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// EncodeIndent is Encode with each element on its own line,
// indented by two spaces per level.
func EncodeIndent(v lua.LValue) ([]byte, error) {
	e := encoder{indent: true}
	if err := e.value(v); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// encoder is the state of one Encode call.
type encoder struct {
	buf    []byte
	indent bool
	path   []pathElem
	seen   map[*lua.LTable]bool // the tables being encoded, to refuse cycles
	keys   []objectKey          // a stack of the keys of the objects being encoded
}

// pathElem is one step from the top value to the one being encoded.
type pathElem struct {
	key   string
	index int // 1-based array index when key is ""
}

// formatPath writes path for an error message: $.userlist[3].name.
func formatPath(path []pathElem) string {
	var b strings.Builder
	b.WriteString("$")
	for _, p := range path {
		switch {
		case p.key == "":
			fmt.Fprintf(&b, "[%d]", p.index)
		case isIdentifier(p.key):
			b.WriteString(".")
			b.WriteString(p.key)
		default:
			fmt.Fprintf(&b, "[%q]", p.key)
		}
	}
	return b.String()
}

func isIdentifier(s string) bool {
	for i, c := range s {
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}

func (e *encoder) errorf(format string, args ...any) error {
	return fmt.Errorf("%s at %s", fmt.Sprintf(format, args...), formatPath(e.path))
}

func (e *encoder) newline() {
	if e.indent {
		e.buf = append(e.buf, '\n')
		for range e.path {
			e.buf = append(e.buf, ' ', ' ')
		}
	}
}

func (e *encoder) value(v lua.LValue) error {
	if len(e.buf) > MaxText {
		return e.errorf("the JSON text is longer than %d bytes, the limit of a string", MaxText)
	}
	switch v := v.(type) {
	case *lua.LNilType:
		e.buf = append(e.buf, "null"...)
	case lua.LBool:
		e.buf = strconv.AppendBool(e.buf, bool(v))
	case lua.LNumber:
		b, err := AppendNumber(e.buf, float64(v))
		if err != nil {
			return e.errorf("%v", err)
		}
		e.buf = b
	case lua.LString:
		e.buf = appendString(e.buf, string(v))
	case *lua.LTable:
		return e.table(v)
	case *lua.LUserData:
		if IsNull(v) {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.errorf("cannot encode a userdata")
	default:
		return e.errorf("cannot encode a %s", v.Type())
	}
	return nil
}

func (e *encoder) table(t *lua.LTable) error {
	if e.seen[t] {
		return e.errorf("table contains itself")
	}
	if len(e.path) >= MaxDepth {
		return e.errorf("nested deeper than %d levels", MaxDepth)
	}
	mark := len(e.keys)
	s, keys, err := shapeOf(t, e.keys)
	if err != nil {
		return e.errorf("%v", err)
	}
	e.keys = keys
	defer func() { e.keys = e.keys[:mark] }()
	if e.seen == nil {
		e.seen = make(map[*lua.LTable]bool)
	}
	e.seen[t] = true
	defer delete(e.seen, t)

	if s.array {
		e.buf = append(e.buf, '[')
		for i := 1; i <= s.n; i++ {
			if i > 1 {
				e.buf = append(e.buf, ',')
			}
			e.path = append(e.path, pathElem{index: i})
			e.newline()
			err := e.value(t.RawGet(lua.LNumber(i)))
			e.path = e.path[:len(e.path)-1]
			if err != nil {
				return err
			}
		}
		if s.n > 0 {
			e.newline()
		}
		e.buf = append(e.buf, ']')
		return nil
	}
	e.buf = append(e.buf, '{')
	for i, k := range s.keys {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.path = append(e.path, pathElem{key: k.name})
		e.newline()
		e.buf = appendString(e.buf, k.name)
		e.buf = append(e.buf, ':')
		if e.indent {
			e.buf = append(e.buf, ' ')
		}
		err := e.value(t.RawGet(k.key))
		e.path = e.path[:len(e.path)-1]
		if err != nil {
			return err
		}
	}
	if len(s.keys) > 0 {
		e.newline()
	}
	e.buf = append(e.buf, '}')
	return nil
}

// shape is how a table encodes: an array of n elements (t[1] .. t[n]), or an
// object with keys sorted by name.
type shape struct {
	array bool
	n     int
	keys  []objectKey
}

// objectKey is one key of a table that encodes as an object.
type objectKey struct {
	name string     // the JSON name
	key  lua.LValue // the Lua key
}

// shapeOf decides whether t encodes as an array or an object (see the package doc).
// It appends an object's keys to stack and returns the grown stack, of which
// shape.keys is the appended part: nested objects share one stack.
func shapeOf(t *lua.LTable, stack []objectKey) (shape, []objectKey, error) {
	kind := Kind(t)
	var (
		mark            = len(stack)
		count, maxIndex int
		bad             lua.LValue
	)
	t.ForEach(func(k, _ lua.LValue) {
		count++
		switch k := k.(type) {
		case lua.LString:
			stack = append(stack, objectKey{string(k), k})
		case lua.LNumber:
			if f := float64(k); f >= 1 && f == math.Trunc(f) && f <= MaxSafeInt {
				maxIndex = max(maxIndex, int(f))
				if kind == "object" {
					stack = append(stack, objectKey{strconv.FormatFloat(f, 'f', -1, 64), k})
				}
			} else if bad == nil {
				bad = k
			}
		default:
			if bad == nil {
				bad = k
			}
		}
	})
	names := stack[mark:]
	switch {
	case bad != nil:
		return shape{}, stack, fmt.Errorf("key %s is neither a string nor an array index", describeKey(bad))
	case kind == "object" || kind == "" && len(names) > 0 && len(names) == count:
		slices.SortFunc(names, func(a, b objectKey) int { return strings.Compare(a.name, b.name) })
		for i := 1; i < len(names); i++ {
			if names[i].name == names[i-1].name {
				return shape{}, stack, fmt.Errorf("key %q appears both as a number and as a string", names[i].name)
			}
		}
		return shape{keys: names}, stack, nil
	case len(names) > 0 && kind == "array":
		return shape{}, stack, fmt.Errorf("array (json.array) has the key %q", firstName(names))
	case len(names) > 0:
		return shape{}, stack, fmt.Errorf("table mixes array elements with the key %q", firstName(names))
	case kind == "" && maxIndex != count:
		missing := 1
		for t.RawGet(lua.LNumber(missing)) != lua.LNil {
			missing++
		}
		return shape{}, stack, fmt.Errorf("array has a hole at index %d (its largest index is %d; use json.array for sparse arrays, json.null for null)", missing, maxIndex)
	}
	return shape{array: true, n: maxIndex}, stack, nil
}

func firstName(keys []objectKey) string {
	return slices.MinFunc(keys, func(a, b objectKey) int { return strings.Compare(a.name, b.name) }).name
}

func describeKey(k lua.LValue) string {
	if n, ok := k.(lua.LNumber); ok {
		return n.String()
	}
	return fmt.Sprintf("of type %s (%s)", k.Type(), k.String())
}

// AppendNumber appends f as JSON: integers up to ±2^53 without a decimal
// point or exponent (1000002, not 1.000002e+06), other numbers in the
// shortest form that reads back as the same float64, with an exponent when
// they are very small or beyond 2^53 (which Decode would otherwise read
// as a string of digits).
func AppendNumber(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, fmt.Errorf("cannot encode the number %v", f)
	}
	abs := math.Abs(f)
	if abs < 1e-6 && abs != 0 || abs > MaxSafeInt {
		n := len(b)
		b = strconv.AppendFloat(b, f, 'e', -1, 64)
		// 1e-07 -> 1e-7, as JavaScript writes it.
		if m := len(b); m-n >= 4 && b[m-4] == 'e' && b[m-3] == '-' && b[m-2] == '0' {
			b[m-2] = b[m-1]
			b = b[:m-1]
		}
		return b, nil
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64), nil
}

// appendString appends s as a JSON string. Non-ASCII text stays as UTF-8;
// only quotes, backslashes and control characters are escaped. Bytes that
// are not UTF-8 (binary data), which JSON cannot carry, become U+FFFD.
func appendString(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			const hex = "0123456789abcdef"
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
