package wecom

import (
	"bytes"
	"strconv"
)

// flexInt decodes a JSON number or a numeric string: WeCom answers some ids
// as strings ("tagid":"1").
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(b, `"`)
	if len(b) == 0 || string(b) == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.Atoi(string(b))
	*f = flexInt(n)
	return err
}
