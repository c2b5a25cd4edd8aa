package luajson

import (
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// Decode parses one JSON value into Lua values: objects and arrays become
// tables, strings strings, numbers numbers, true/false booleans and null
// json.null. An integer beyond ±2^53 (a 64-bit id) becomes the string of its
// digits rather than a rounded number. Empty objects and arrays are tagged
// with their kind, so that they encode as they came. A leading UTF-8 byte
// order mark is skipped; invalid UTF-8 in a string is an error.
//
// The decoded strings share one copy of data: a string kept from a large
// response keeps that copy alive.
func Decode(L *lua.LState, data []byte) (lua.LValue, error) {
	return DecodeString(L, string(data))
}

// DecodeString is Decode of a string, which it does not copy.
func DecodeString(L *lua.LState, data string) (lua.LValue, error) {
	d := NewDecoder(L, nil)
	d.data = data
	return d.document()
}

// DecodeStream is Decode of the JSON text r reads, decoded as it is
// read: only a small window of the text is held at a time, and the strings
// are copied out of it into blocks of their own.
func DecodeStream(L *lua.LState, r io.Reader) (lua.LValue, error) {
	return NewDecoder(L, r).document()
}

// NewDecoder returns a decoder of the JSON text r gives, for Stream; with r
// nil, a decoder of no text whose Box, Array and Object build tables of
// values from elsewhere (the rows of a CSV file) as it builds decoded ones.
func NewDecoder(L *lua.LState, r io.Reader) *Decoder {
	d := &Decoder{L: L, r: r, names: make(map[string]lua.LValue), cutEvery: 32}
	d.tables.min, d.tables.max = 8, tableBlock
	d.slab.min, d.slab.max = 64, slotBlock
	d.strs.min, d.strs.max = 16, strBlock
	d.arena.min, d.arena.max = 1024, arenaBlock
	if r != nil {
		d.buf = make([]byte, streamWindow)
	}
	return d
}

// document parses the whole input: one JSON value, after a byte order mark
// and white space.
func (d *Decoder) document() (lua.LValue, error) {
	d.skipBOM()
	d.skipSpace()
	v, err := d.value()
	if err == nil {
		d.skipSpace()
		if d.pos < len(d.data) {
			err = d.errorf("unexpected %s after the JSON value", d.describe())
		}
	}
	if err != nil {
		return lua.LNil, d.failure(err)
	}
	return v, nil
}

// streamWindow is the size of the window of a stream the decoder reads
// through; it grows to hold a longer token.
const streamWindow = 64 << 10

// Decoder is the state of one decoding: one Decode call, one Stream, or
// the tables built with Box, Array and Object.
type Decoder struct {
	L     *lua.LState
	data  string // the input, or the window of it read so far and not yet parsed
	pos   int    // the next byte of data to parse
	depth int

	r     io.Reader // the stream read into buf, or nil
	buf   []byte    // data's memory when reading r
	rerr  error     // r's error (io.EOF at its end), once it has one
	base  int       // the offset in the input of data[0]
	lines int       // the newlines of the input before data[0]
	owned bool      // the string str just returned is a copy (it had escapes)

	vals  []lua.LValue // values of the arrays and objects still open
	keys  []lua.LValue // keys of the objects still open
	names map[string]lua.LValue

	null              lua.LValue
	objectMT, arrayMT *lua.LTable
	sharedMT          *lua.LTable // objects sharing their key index (sharedkeys.go)

	// Blocks the decoder carves its values out of (see Cut).
	tables blocks[lua.LTable]  // tables
	slab   blocks[lua.LValue]  // the elements of arrays and the keys of objects
	strs   blocks[lua.LString] // the headers of boxed strings
	arena  blocks[byte]        // the bytes of the strings of a stream

	elements int // the elements of lists decoded, for cut
	cutEvery int // how many elements of a list share blocks: 32, or 1 for one at a time (user.each)
	// apart gives each string of a stream its own memory rather than
	// blocks': a script that keeps a field of each element of a stream
	// keeps that string only.
	apart bool

	shapes map[uint64]*objectShape // the shapes of objects by a hash of their keys; nil until a second object has them
}

// blocks hands out slices carved from blocks of T, allocated a few at a
// time rather than each on its own. A block lives as long as any slice of
// it: cut starts new blocks, so that what is decoded after shares none with
// what was decoded before.
type blocks[T any] struct {
	free     []T // the rest of the current block
	size     int // the size of the current block
	min, max int // the sizes of blocks
	next     int // the size of the next block; 0 to double the current one
	taken    int // how many elements were taken since the last cut
}

// take returns n elements, zero, from the current block or a new one.
func (b *blocks[T]) take(n int) []T {
	if len(b.free) < n {
		size := b.next
		if size == 0 {
			size = min(max(2*b.size, b.min), b.max)
		}
		b.size, b.next = size, 0
		b.free = make([]T, max(size, n))
	}
	s := b.free[:n:n]
	b.free = b.free[n:]
	b.taken += n
	return s
}

// cut makes the next take start a new block, the size of what was taken
// since the last cut (and an eighth more): the elements of a list are about
// the same size.
func (b *blocks[T]) cut() {
	if b.taken > 0 {
		b.free = nil
		b.next = min(b.taken+b.taken/8+1, b.max)
		b.taken = 0
	}
}

// KeepApart makes each element of a list (each Cut) take blocks of its
// own, and each string its own memory rather than a block's: a script that
// keeps an element, or a field of it, keeps only that. It suits lists read
// one element at a time, whose elements are seldom all kept.
func (d *Decoder) KeepApart() {
	d.cutEvery, d.apart = 1, true
}

// Cut is called before each element of a large list (a member): every
// cutEvery elements it starts new blocks, so that a member a script keeps
// keeps alive the few members decoded with it, not, through the elements
// that blocks hold, every block decoded before it.
func (d *Decoder) Cut() {
	if d.elements++; d.elements%d.cutEvery != 0 {
		return
	}
	d.tables.cut()
	d.slab.cut()
	d.strs.cut()
	d.arena.cut()
}

// more reads more of the stream into the window, keeping data[pos:] (the
// token being parsed), and returns how far data[pos:] moved towards the
// start: positions in data must be shifted by it. It returns false when the
// input has no more: the whole input was given, or the stream ended or
// failed (rerr).
func (d *Decoder) more() (shift int, ok bool) {
	if d.r == nil || d.rerr != nil {
		return 0, false
	}
	shift = d.pos
	d.lines += strings.Count(d.data[:d.pos], "\n")
	d.base += d.pos
	kept := len(d.data) - d.pos
	if kept > len(d.buf)/2 {
		grown := make([]byte, 2*len(d.buf))
		copy(grown, d.data[d.pos:])
		d.buf = grown
	} else {
		copy(d.buf, d.data[d.pos:])
	}
	n, err := io.ReadAtLeast(d.r, d.buf[kept:], 1)
	if err != nil {
		d.rerr = err
	}
	d.data = unsafe.String(unsafe.SliceData(d.buf), kept+n)
	d.pos = 0
	return shift, n > 0
}

// failure is the error to return for err, a failure to parse: the stream's
// read error when there was one (the input was cut short, not malformed).
func (d *Decoder) failure(err error) error {
	if d.rerr != nil && d.rerr != io.EOF {
		return fmt.Errorf("reading the JSON text: %w", d.rerr)
	}
	return err
}

// keep returns s, a slice of data, as a string that outlives the window: a
// copy, in a block of string bytes, when reading a stream.
func (d *Decoder) keep(s string) string {
	if d.r == nil || s == "" {
		return s
	}
	if d.apart || len(s) > arenaBlock/8 {
		return strings.Clone(s)
	}
	b := d.arena.take(len(s))
	copy(b, s)
	return unsafe.String(&b[0], len(s))
}

// errorf returns a syntax error at the current position.
func (d *Decoder) errorf(format string, args ...any) error {
	line := 1 + d.lines + strings.Count(d.data[:min(d.pos, len(d.data))], "\n")
	return fmt.Errorf("invalid JSON at line %d (offset %d): %s", line, d.base+d.pos, fmt.Sprintf(format, args...))
}

// describe names the byte at the current position for an error message.
func (d *Decoder) describe() string {
	if d.pos >= len(d.data) {
		return "end of input"
	}
	c := d.data[d.pos]
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return fmt.Sprintf("character %q", c)
}

// skipBOM skips a UTF-8 byte order mark at the start of the input.
func (d *Decoder) skipBOM() {
	const bom = "\uFEFF"
	d.ensure(d.pos, len(bom))
	if strings.HasPrefix(d.data[d.pos:], bom) {
		d.pos += len(bom)
	}
}

// skipSpace skips white space; then either data[pos] is the next byte or
// the input has no more.
func (d *Decoder) skipSpace() {
	for {
		for d.pos < len(d.data) {
			switch d.data[d.pos] {
			case ' ', '\n', '\r', '\t':
				d.pos++
			default:
				return
			}
		}
		if _, ok := d.more(); !ok {
			return
		}
	}
}

// ensure makes the n bytes from data[i] available if the input has them, and
// returns i, shifted if the window moved.
func (d *Decoder) ensure(i, n int) int {
	for len(d.data)-i < n {
		shift, ok := d.more()
		i -= shift
		if !ok {
			break
		}
	}
	return i
}

// value parses the value at d.pos, which is not white space.
func (d *Decoder) value() (lua.LValue, error) {
	if d.pos >= len(d.data) {
		return lua.LNil, d.errorf("unexpected end of input")
	}
	switch c := d.data[d.pos]; c {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		s, err := d.str()
		if err != nil {
			return lua.LNil, err
		}
		if !d.owned {
			s = d.keep(s)
		}
		return d.Box(s), nil
	case 't':
		return d.literal("true", lua.LTrue)
	case 'f':
		return d.literal("false", lua.LFalse)
	case 'n':
		if d.null == nil {
			d.null = Null(d.L)
		}
		return d.literal("null", d.null)
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return d.number()
		}
		return lua.LNil, d.errorf("unexpected %s", d.describe())
	}
}

func (d *Decoder) literal(word string, v lua.LValue) (lua.LValue, error) {
	d.ensure(d.pos, len(word))
	if !strings.HasPrefix(d.data[d.pos:], word) {
		return lua.LNil, d.errorf("unexpected %s", d.describe())
	}
	d.pos += len(word)
	return v, nil
}

// open enters the object or array whose opening bracket is at d.pos, and
// skips the white space after it. When the closing bracket follows, it
// leaves the value too, and done is true with the empty table (tagged kind)
// in v; it is true with an error in err when the value is nested too deep.
func (d *Decoder) open(closing byte, kind string) (v lua.LValue, done bool, err error) {
	d.depth++
	if d.depth > MaxDepth {
		return lua.LNil, true, d.errorf("nested deeper than %d levels", MaxDepth)
	}
	d.pos++
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == closing {
		d.pos++
		d.depth--
		return d.emptyTable(kind), true, nil
	}
	return nil, false, nil
}

func (d *Decoder) object() (lua.LValue, error) {
	if v, done, err := d.open('}', "object"); done {
		return v, err
	}
	mark, keyMark := len(d.vals), len(d.keys)
	for more := true; more; {
		key, err := d.member()
		if err != nil {
			return lua.LNil, err
		}
		v, err := d.value()
		if err != nil {
			return lua.LNil, err
		}
		d.keys = append(d.keys, key)
		d.vals = append(d.vals, v)
		if more, err = d.next('}'); err != nil {
			return lua.LNil, err
		}
	}
	keys, vals := d.keys[keyMark:], d.vals[mark:]
	t := d.Object(keys, vals)
	clear(keys)
	clear(vals)
	d.keys, d.vals = d.keys[:keyMark], d.vals[:mark]
	d.depth--
	return t, nil
}

// member parses an object's key and the ':' after it, and skips the white
// space before the value.
func (d *Decoder) member() (lua.LValue, error) {
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return lua.LNil, d.errorf("unexpected %s, want a string key", d.describe())
	}
	key, err := d.key()
	if err != nil {
		return lua.LNil, err
	}
	d.skipSpace()
	if d.pos >= len(d.data) || d.data[d.pos] != ':' {
		return lua.LNil, d.errorf("unexpected %s, want ':'", d.describe())
	}
	d.pos++
	d.skipSpace()
	return key, nil
}

// next parses what follows an element of an array or object: a ',' (it
// returns true, with the white space after it skipped) or the closing
// bracket (false).
func (d *Decoder) next(closing byte) (bool, error) {
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == ',' {
		d.pos++
		d.skipSpace()
		return true, nil
	}
	if d.pos < len(d.data) && d.data[d.pos] == closing {
		d.pos++
		return false, nil
	}
	return false, d.errorf("unexpected %s, want ',' or '%c'", d.describe(), closing)
}

func (d *Decoder) array() (lua.LValue, error) {
	if v, done, err := d.open(']', "array"); done {
		return v, err
	}
	mark := len(d.vals)
	for more := true; more; {
		if d.depth <= 2 {
			// An element of the top array, or of an array member of the
			// top object (a list in WeCom's answer): a block of its own.
			d.Cut()
		}
		v, err := d.value()
		if err != nil {
			return lua.LNil, err
		}
		d.vals = append(d.vals, v)
		if more, err = d.next(']'); err != nil {
			return lua.LNil, err
		}
	}
	vals := d.vals[mark:]
	t := d.Array(vals)
	clear(vals)
	d.vals = d.vals[:mark]
	d.depth--
	return t, nil
}

// emptyTable returns an empty table tagged with its JSON kind.
func (d *Decoder) emptyTable(kind string) *lua.LTable {
	t := d.newTable()
	if kind == "object" {
		if d.objectMT == nil {
			d.objectMT = KindMetatable(d.L, "object")
		}
		t.Metatable = d.objectMT
	} else {
		if d.arrayMT == nil {
			d.arrayMT = KindMetatable(d.L, "array")
		}
		t.Metatable = d.arrayMT
	}
	return t
}

// Tables are built once their elements are known. On the table layout it
// knows (tableLayout), the decoder fills them directly at their final size,
// and carves the tables and their small element slices out of shared
// blocks. Through gopher-lua's API, RawSetString grows a table's key list
// and key index one key at a time, and that growth and the allocations were
// most of the cost of decoding a large response. Objects with the same keys
// in the same order (the members of a list) share one key list: gopher-lua
// only ever appends to it, and its capacity is its length, so an append
// copies it first.

// The blocks start small and double up to tableBlock and slotBlock, so that
// a small answer (one member) costs little more than its own tables.
const (
	tableBlock = 1024     // the most tables allocated at once
	slotBlock  = 8192     // the most element slots allocated at once
	strBlock   = 2048     // the most boxed strings allocated at once
	arenaBlock = 64 << 10 // the most string bytes allocated at once
)

// newTable returns an empty table.
func (d *Decoder) newTable() *lua.LTable {
	t := &d.tables.take(1)[0]
	t.Metatable = lua.LNil
	return t
}

// slots returns a copy of vals whose capacity is its length, so that an
// append from Lua reallocates rather than writes into a neighbour's slots.
func (d *Decoder) slots(vals []lua.LValue) []lua.LValue {
	if len(vals) > 256 {
		return slices.Clone(vals)
	}
	s := d.slab.take(len(vals))
	copy(s, vals)
	return s
}

// Array returns a table of the elements vals.
func (d *Decoder) Array(vals []lua.LValue) *lua.LTable {
	if !knownTableLayout {
		t := d.L.CreateTable(len(vals), 0)
		for _, v := range vals {
			t.Append(v)
		}
		return t
	}
	t := d.newTable()
	(*tableLayout)(unsafe.Pointer(t)).array = d.slots(vals)
	return t
}

// Object returns a table of the given keys (LStrings) and values (none
// nil); of duplicate keys, the last one wins.
func (d *Decoder) Object(keys, vals []lua.LValue) *lua.LTable {
	if !knownTableLayout {
		t := d.L.CreateTable(0, len(keys))
		for i, k := range keys {
			t.RawSetString(string(k.(lua.LString)), vals[i])
		}
		return t
	}
	t := d.newTable()
	m := (*tableLayout)(unsafe.Pointer(t))
	if sh := d.shape(keys); sh != nil {
		// An object of keys seen before: copy the shape's map of values,
		// which is cheaper than building it a key at a time, and share its
		// key list and key index (sharedkeys.go).
		m.strdict = maps.Clone(sh.strdict)
		for i, k := range keys {
			m.strdict[string(k.(lua.LString))] = vals[i]
		}
		m.keys, m.k2i = sh.keys, sh.k2i
		if d.sharedMT == nil {
			d.sharedMT = sharedMetatable(d.L)
		}
		t.Metatable = d.sharedMT
		return t
	}
	m.strdict = make(map[string]lua.LValue, len(keys))
	for i, k := range keys {
		m.strdict[string(k.(lua.LString))] = vals[i]
	}
	if len(m.strdict) < len(keys) {
		seen := make(map[lua.LValue]bool, len(keys))
		keys = slices.DeleteFunc(slices.Clone(keys), func(k lua.LValue) bool {
			dup := seen[k]
			seen[k] = true
			return dup
		})
	}
	m.keys = d.slots(keys)
	m.k2i = make(map[lua.LValue]int, len(keys))
	for i, k := range m.keys {
		m.k2i[k] = i
	}
	return t
}

// objectShape is what objects with the same keys in the same order share: the
// list of keys (gopher-lua only ever appends to it, and its capacity is its
// length, so an append copies it first), the key index, which they share
// too (sharedkeys.go), and a map of those keys, copied for each object.
type objectShape struct {
	keys    []lua.LValue
	strdict map[string]lua.LValue // values are placeholders
	k2i     map[lua.LValue]int
}

// shape returns the objectShape of objects with the given keys when an earlier
// object had the same (interned) keys, or nil for keys seen for the first
// time, not interned, or with a key twice.
func (d *Decoder) shape(keys []lua.LValue) *objectShape {
	h := uint64(len(keys))
	for _, k := range keys {
		h = h*1099511628211 ^ uint64(uintptr((*iface)(unsafe.Pointer(&k)).data))
	}
	sh, ok := d.shapes[h]
	switch {
	case ok && sh != nil && slices.Equal(sh.keys, keys):
		return sh
	case ok && sh != nil, len(d.shapes) >= 1024:
		return nil // another shape of the same hash, or too many shapes
	case !ok:
		// Most sets of keys are seen once: record the shape at the second
		// object of these keys.
		if d.shapes == nil {
			d.shapes = make(map[uint64]*objectShape)
		}
		d.shapes[h] = nil
		return nil
	}
	sh = &objectShape{keys: slices.Clone(keys), strdict: make(map[string]lua.LValue, len(keys)), k2i: make(map[lua.LValue]int, len(keys))}
	for i, k := range sh.keys {
		sh.strdict[string(k.(lua.LString))] = lua.LNil
		sh.k2i[k] = i
	}
	if len(sh.strdict) < len(keys) {
		return nil // a duplicate key: d.shapes[h] stays nil
	}
	d.shapes[h] = sh
	return sh
}

// tableLayout is the layout of lua.LTable in gopher-lua v1.1.2: its
// string-keyed entries are in strdict, and keys with k2i keep their order
// for next().
type tableLayout struct {
	Metatable lua.LValue
	array     []lua.LValue
	dict      map[lua.LValue]lua.LValue
	strdict   map[string]lua.LValue
	keys      []lua.LValue
	k2i       map[lua.LValue]int
}

// knownTableLayout reports whether lua.LTable is laid out as tableLayout
// (same field names, types and offsets). When a gopher-lua upgrade changes
// it, the decoder falls back to gopher-lua's API and TestTableLayout fails.
var knownTableLayout = sameLayout(reflect.TypeFor[lua.LTable](), reflect.TypeFor[tableLayout]())

func sameLayout(a, b reflect.Type) bool {
	if a.Size() != b.Size() || a.NumField() != b.NumField() {
		return false
	}
	for i := range a.NumField() {
		fa, fb := a.Field(i), b.Field(i)
		if fa.Name != fb.Name || fa.Type != fb.Type || fa.Offset != fb.Offset {
			return false
		}
	}
	return true
}

// iface is the layout of a Go interface value: a type word and a pointer to
// the value.
type iface struct {
	tab  unsafe.Pointer
	data unsafe.Pointer
}

// lstringTab is the type word of an lua.LValue holding an lua.LString.
var lstringTab = func() unsafe.Pointer {
	v := lua.LValue(lua.LString("x"))
	return (*iface)(unsafe.Pointer(&v)).tab
}()

// blockBoxing reports whether Box's way of making an lua.LValue of an
// lua.LString in a block gives the same value as Go's conversion: it holds
// as long as interfaces are laid out as iface, and TestBlockBoxing fails
// otherwise (Box then converts).
var blockBoxing = func() bool {
	s := []lua.LString{"probe"}
	var v lua.LValue
	*(*iface)(unsafe.Pointer(&v)) = iface{lstringTab, unsafe.Pointer(&s[0])}
	got, ok := v.(lua.LString)
	return ok && got == "probe" && v == lua.LValue(lua.LString("probe")) && unsafe.Sizeof(v) == unsafe.Sizeof(iface{})
}()

// Box returns s as an lua.LValue. Converting a string to an interface
// allocates its header: the decoder carves the headers out of blocks
// instead, a few allocations for a whole member list instead of one a
// string.
func (d *Decoder) Box(s string) lua.LValue {
	if !blockBoxing || d.apart {
		return lua.LString(s)
	}
	p := &d.strs.take(1)[0]
	*p = lua.LString(s)
	var v lua.LValue
	*(*iface)(unsafe.Pointer(&v)) = iface{lstringTab, unsafe.Pointer(p)}
	return v
}

// key parses an object key. Keys are interned as Lua values, so that each
// is boxed once: a response repeats the same few dozen keys on every
// element.
func (d *Decoder) key() (lua.LValue, error) {
	s, err := d.str()
	if err != nil {
		return lua.LNil, err
	}
	if v, ok := d.names[s]; ok {
		return v, nil
	}
	if !d.owned {
		s = d.keep(s)
	}
	v := lua.LValue(lua.LString(s))
	if len(d.names) < 4096 {
		d.names[s] = v
	}
	return v, nil
}

// str parses the string at d.pos (its opening quote). A string without
// escapes is a slice of data (see keep); owned tells which.
func (d *Decoder) str() (string, error) {
	d.owned = false
	start := d.pos + 1
	ascii := true
	for i := start; ; i++ {
		if i >= len(d.data) {
			shift, ok := d.more()
			i, start = i-shift, start-shift
			if !ok {
				d.pos = len(d.data)
				return "", d.errorf("unterminated string")
			}
		}
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			s := d.data[start:i]
			if !ascii && !utf8.ValidString(s) {
				d.pos = start
				return "", d.errorf("string is not valid UTF-8")
			}
			return s, nil
		case c == '\\':
			return d.escaped(start, i)
		case c < 0x20:
			d.pos = i
			return "", d.errorf("control character 0x%02x in string", c)
		case c >= 0x80:
			ascii = false
		}
	}
}

// escaped finishes a string that starts at start and has its first
// backslash at i.
func (d *Decoder) escaped(start, i int) (string, error) {
	buf := make([]byte, 0, i-start+16)
	buf = append(buf, d.data[start:i]...)
	for {
		if i >= len(d.data) {
			shift, ok := d.more()
			i, start = i-shift, start-shift
			if !ok {
				break
			}
		}
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			if !utf8.Valid(buf) {
				d.pos = start
				return "", d.errorf("string is not valid UTF-8")
			}
			d.owned = true
			return string(buf), nil
		case c < 0x20:
			d.pos = i
			return "", d.errorf("control character 0x%02x in string", c)
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		// The escape and what it needs: \uD83D\uDE00 at most. Reading
		// more moves the string, start with it.
		moved := d.ensure(i, 12)
		i, start = moved, start-(i-moved)
		if i+1 >= len(d.data) {
			break
		}
		i++
		switch e := d.data[i]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := hex4(d.data[i+1:])
			if !ok {
				d.pos = i
				return "", d.errorf("invalid \\u escape")
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if len(d.data) > i+2 && d.data[i+1] == '\\' && d.data[i+2] == 'u' {
					r2, ok = hex4(d.data[i+3:])
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			d.pos = i
			return "", d.errorf("invalid escape '\\%c'", e)
		}
		i++
	}
	d.pos = len(d.data)
	return "", d.errorf("unterminated string")
}

// hex4 parses the 4 hex digits at the start of s.
func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[:4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// skipDigits returns the index after the digits of data from i, and whether
// there was at least one.
func skipDigits(data string, i int) (int, bool) {
	start := i
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		i++
	}
	return i, i > start
}

// number parses the number at d.pos following JSON's grammar.
func (d *Decoder) number() (lua.LValue, error) {
	// Find the end of the number's characters first, reading on if the
	// window ends within it; then parse them.
	end := d.pos
	for {
		if end >= len(d.data) {
			shift, ok := d.more()
			end -= shift
			if !ok {
				break
			}
		}
		if c := d.data[end]; c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			end++
			continue
		}
		break
	}
	data, start, i := d.data[:end], d.pos, d.pos
	neg := data[i] == '-'
	if neg {
		i++
	}
	digits := i
	var n uint64
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		for ; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
			n = n*10 + uint64(data[i]-'0')
		}
	default:
		d.pos = i
		return lua.LNil, d.errorf("unexpected %s in number", d.describe())
	}
	integer, ok := true, false
	if i < len(data) && data[i] == '.' {
		integer = false
		if i, ok = skipDigits(data, i+1); !ok {
			d.pos = i
			return lua.LNil, d.errorf("unexpected %s after decimal point", d.describe())
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		integer = false
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i, ok = skipDigits(data, i); !ok {
			d.pos = i
			return lua.LNil, d.errorf("unexpected %s in exponent", d.describe())
		}
	}
	d.pos = i
	if integer && i-digits <= 15 { // at most 15 digits: exact in n and in a float64
		if !neg && n < uint64(len(smallInts)) {
			return smallInts[n], nil
		}
		f := float64(n)
		if neg {
			f = -f
		}
		return lua.LNumber(f), nil
	}
	text := data[start:i]
	if integer {
		if v, err := strconv.ParseInt(text, 10, 64); err == nil && v >= -MaxSafeInt && v <= MaxSafeInt {
			return lua.LNumber(v), nil
		}
		return lua.LString(d.keep(text)), nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		d.pos = start
		return lua.LNil, d.errorf("number %s is out of range", text)
	}
	return lua.LNumber(f), nil
}
