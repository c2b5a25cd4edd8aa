package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
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
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		return errListAsString
	}
	var raw []flexInt
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make([]int, len(raw))
	for i, v := range raw {
		out[i] = int(v)
	}
	*l = out
	return nil
}

// stringList is a JSON array of strings (numbers are accepted as strings).
type stringList []string

// UnmarshalJSON accepts an array of strings or numbers.
func (l *stringList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		return errListAsString
	}
	var raw []flexString
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make([]string, len(raw))
	for i, v := range raw {
		out[i] = string(v)
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
