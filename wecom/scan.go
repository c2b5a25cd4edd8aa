package wecom

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"
)

// envelope reads errcode and errmsg from a WeCom answer without decoding the
// rest of it. WeCom sends them first: the scan stops once it has both, so a
// 13 MB member list is not read here at all (its decoder checks it). errcode
// may be a number or a numeric string; a missing errcode means success.
func envelope(body []byte) (code int, msg string, err error) {
	var codeErr error
	var haveCode, haveMsg bool
	err = eachMember(body, func(key, value []byte) bool {
		switch string(key) {
		case "errcode":
			code, codeErr = parseCode(value)
			haveCode = true
		case "errmsg":
			msg = parseMsg(value)
			haveMsg = true
		}
		return !haveCode || !haveMsg
	})
	if err == nil {
		err = codeErr
	}
	return code, msg, err
}

// member returns the raw value of the top-level member key of body, or
// JSON null when body has none.
func member(body []byte, key string) ([]byte, error) {
	found := []byte("null")
	err := eachMember(body, func(k, value []byte) bool {
		if string(k) == key {
			found = value
			return false
		}
		return true
	})
	return found, err
}

// parseMsg is the string errmsg: its text, or its JSON as it is when it is
// not a string. A plain string (no escapes, no control characters, valid
// UTF-8), which is what WeCom sends, is taken without a decoder.
func parseMsg(value []byte) string {
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		inner := value[1 : len(value)-1]
		plain := utf8.Valid(inner)
		for _, c := range inner {
			if c < 0x20 || c == '\\' || c == '"' {
				plain = false
				break
			}
		}
		if plain {
			return string(inner)
		}
	}
	var msg string
	if json.Unmarshal(value, &msg) != nil {
		return string(value)
	}
	return msg
}

func parseCode(value []byte) (int, error) {
	s := string(bytes.Trim(value, `"`))
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errors.New("errcode is not a number: " + strconv.Quote(string(value)))
	}
	return n, nil
}

// eachMember calls fn with each top-level key of the JSON object body
// (unescaped; a slice of body when it has no escapes) and the raw bytes of
// its value, until fn returns false.
func eachMember(body []byte, fn func(key, value []byte) bool) error {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return errNotObject
	}
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		return nil
	}
	for {
		if i >= len(body) || body[i] != '"' {
			return errBadJSON
		}
		end, err := skipString(body, i)
		if err != nil {
			return err
		}
		keyRaw := body[i:end]
		i = skipSpace(body, end)
		if i >= len(body) || body[i] != ':' {
			return errBadJSON
		}
		i = skipSpace(body, i+1)
		vend, err := skipValue(body, i)
		if err != nil {
			return err
		}
		key := keyRaw[1 : len(keyRaw)-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var s string
			if err := json.Unmarshal(keyRaw, &s); err != nil {
				return errBadJSON
			}
			key = []byte(s)
		}
		if !fn(key, body[i:vend]) {
			return nil
		}
		i = skipSpace(body, vend)
		if i >= len(body) {
			return errBadJSON
		}
		switch body[i] {
		case ',':
			i = skipSpace(body, i+1)
		case '}':
			return nil
		default:
			return errBadJSON
		}
	}
}

var errBadJSON = errors.New("the answer is not valid JSON")

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errBadJSON
}

// skipValue returns the index just past the JSON value starting at b[i].
// Nested values are skipped by counting brackets outside strings; their
// syntax is checked by whoever decodes them.
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errBadJSON
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := skipString(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errBadJSON
	default:
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\r' && b[j] != '\t' {
			j++
		}
		if j == i {
			return 0, errBadJSON
		}
		return j, nil
	}
}
