package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The types below decode the loosely typed values real clients send and
// WeCom accepts: ids as numbers or numeric strings, gender as 1 or "1",
// booleans as true or 1, and null as absent.

// flexInt is an integer sent as a JSON number or a numeric string.
type flexInt int

// UnmarshalJSON accepts a number, a numeric string, "" or null.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			*n = 0
			return nil
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return fmt.Errorf("not an integer: %s", b)
		}
		v = int64(f)
	}
	*n = flexInt(v)
	return nil
}

// flexString is a string sent as a JSON string or number.
type flexString string

// UnmarshalJSON accepts a string, a number or null.
func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
		return nil
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*s = flexString(b)
		return nil
	}
	return fmt.Errorf("not a string: %s", b)
}

// flexBool is a boolean sent as true/false, 0/1 or their string forms.
type flexBool bool

// UnmarshalJSON accepts true, false, 1, 0, their string forms or null.
func (v *flexBool) UnmarshalJSON(b []byte) error {
	switch strings.Trim(string(bytes.TrimSpace(b)), `"`) {
	case "null":
		return nil
	case "true", "1":
		*v = true
	case "false", "0", "":
		*v = false
	default:
		return fmt.Errorf("not a boolean: %s", b)
	}
	return nil
}

// intList is a JSON array of integers, each a number or a numeric string.
type intList []int

// UnmarshalJSON accepts an array of numbers or numeric strings.
func (l *intList) UnmarshalJSON(b []byte) error {
	return unmarshalList(b, (*[]int)(l), func(v flexInt) int { return int(v) })
}

// stringList is a JSON array of strings (numbers are accepted as strings).
type stringList []string

// UnmarshalJSON accepts an array of strings or numbers.
func (l *stringList) UnmarshalJSON(b []byte) error {
	return unmarshalList(b, (*[]string)(l), func(v flexString) string { return string(v) })
}

// unmarshalList decodes a JSON array of loosely typed elements F into *l,
// each converted by conv. null leaves *l as it is; a string is
// errListAsString.
func unmarshalList[F, T any](b []byte, l *[]T, conv func(F) T) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		return errListAsString
	}
	var raw []F
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make([]T, len(raw))
	for i, v := range raw {
		out[i] = conv(v)
	}
	*l = out
	return nil
}

// errListAsString reports a list sent as a "a|b" string where WeCom wants a
// JSON array (errcode 40035).
var errListAsString = errors.New("list given as a string, want an array")

// decodeBody decodes a JSON request body into v. An empty body decodes as {}.
// Unknown fields are ignored, as WeCom does.
func decodeBody(body []byte, v any) *apiError {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	if errors.Is(err, errListAsString) {
		return errorf(40035, "list parameters must be arrays")
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return errorf(47001, "invalid json at offset %d", syn.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return errorf(40058, "invalid type for %s", typ.Field)
	}
	return errorf(40058, "%v", err)
}

// splitBar splits a WeCom "a|b|c" list, trimming spaces and dropping empty
// elements.
func splitBar(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, "|")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// The appenders below write JSON as encoding/json does with SetEscapeHTML(false),
// for the answers the emulator builds by hand.

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	if !plainJSON(s) {
		return append(b, marshalJSON(s)...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plainJSON reports whether s goes into a JSON string as it is: valid UTF-8
// without control characters, quotes, backslashes, U+2028 and U+2029
// (which encoding/json escapes).
func plainJSON(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == '"' || c == '\\':
			return false
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9):
			return false
		case c >= 0x80:
			ascii = false
		}
	}
	return ascii || utf8.ValidString(s)
}

// appendOptional appends the member name (`,"key":`) and s, unless s is
// empty (omitempty).
func appendOptional(b []byte, name, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, name...)
	return appendJSONString(b, s)
}

// appendInts appends an array of integers, or null for a nil slice.
func appendInts(b []byte, ns []int) []byte {
	if ns == nil {
		return append(b, "null"...)
	}
	return appendArray(b, ns, func(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) })
}

// appendArray appends list as a JSON array, each element written by elem.
func appendArray[T any](b []byte, list []T, elem func([]byte, T) []byte) []byte {
	b = append(b, '[')
	for i, v := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = elem(b, v)
	}
	return append(b, ']')
}

// appendAny appends v, a value decoded from JSON or YAML (maps with string
// keys, in sorted order, slices, strings, numbers, booleans and nil). Other
// values go through encoding/json.
func appendAny(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, v)
	case bool:
		return strconv.AppendBool(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e15 && !math.Signbit(v) {
			return strconv.AppendInt(b, int64(v), 10)
		}
	case []any:
		return appendArray(b, v, appendAny)
	case map[string]any:
		b = append(b, '{')
		for i, k := range slices.Sorted(maps.Keys(v)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendAny(b, v[k])
		}
		return append(b, '}')
	}
	return append(b, marshalJSON(v)...)
}
