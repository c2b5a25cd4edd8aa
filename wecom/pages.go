package wecom

import (
	"context"
	"fmt"
	"iter"
)

// StuckCursorError reports an answer whose next cursor is the one just
// sent: following it would never end.
type StuckCursorError struct {
	API string // "user/list_id"
}

func (e *StuckCursorError) Error() string {
	return fmt.Sprintf("wecom %s: the next cursor is the one sent", e.API)
}

// CursorPages iterates over the items of the pages of the API api that
// fetch reads, each from the cursor the previous page returned ("" for the
// first), until a page returns no next cursor. It stops at the first error,
// which it yields; a page returning the cursor it was read from is a
// *StuckCursorError.
func CursorPages[T any](ctx context.Context, api string, fetch func(ctx context.Context, cursor string) ([]T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cursor := ""
		for {
			items, next, err := fetch(ctx, cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			switch next {
			case "":
				return
			case cursor:
				yield(zero, &StuckCursorError{API: api})
				return
			}
			cursor = next
		}
	}
}
