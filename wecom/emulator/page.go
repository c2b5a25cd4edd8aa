package emulator

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// page returns the rows of one page of a list paged by an opaque cursor:
// up to limit rows from the offset the cursor holds ("" for the start),
// and the cursor of the next page, "" after the last. A cursor the
// emulator did not make is errcode 50100.
func page[T any](rows []T, cursor string, limit int) ([]T, string, *apiError) {
	offset := 0
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		n, cerr := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || cerr != nil || !strings.HasPrefix(string(b), "offset:") || n < 0 {
			return nil, "", newError(50100)
		}
		offset = n
	}
	if offset >= len(rows) {
		return rows[:0:0], "", nil
	}
	end := min(len(rows), offset+limit)
	next := ""
	if end < len(rows) {
		next = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	}
	return rows[offset:end], next, nil
}
