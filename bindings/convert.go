package bindings

// Values cross between Go, JSON and Lua here and nowhere else:
//
//	decodeJSON(L, data) -> lua.LValue      JSON text straight into Lua tables
//	encodeJSON(v)       -> JSON text       Lua value to JSON (rules in json.go)
//	toGo(v)             -> any             Lua value to plain Go values
//	toLua(L, v)         -> lua.LValue      Go value to Lua value
//
// The decoder is the hot path (a 50,000-member user/list is about 13 MB): it
// parses in one pass and builds each table once, with its exact size, from a
// stack of pending values.

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// Registry keys of the per-state JSON values. They live in the registry,
// never in globals, so scripts cannot replace them.
const (
	jsonObjectKey = "json.object" // metatable tagging a table as a JSON object
	jsonArrayKey  = "json.array"  // metatable tagging a table as a JSON array
	jsonNullKey   = "json.null"   // the userdata that stands for JSON null
)

// jsonKindField is the metatable field that tags a table's JSON kind; its
// value is "object" or "array".
const jsonKindField = "__jsonkind"

// maxDepth bounds the nesting of decoded and encoded values.
const maxDepth = 1000

// maxSafeInt is 2^53: integers beyond it do not survive a float64, so the
// decoder keeps them as strings.
const maxSafeInt = 1 << 53

// jsonNull is the Go value inside the json.null userdata.
type jsonNull struct{}

// smallInts holds the Lua values of the integers most JSON documents are made
// of (ids, orders, flags), so that decoding them allocates nothing.
var smallInts = func() (v [1024]lua.LValue) {
	for i := range v {
		v[i] = lua.LNumber(i)
	}
	return v
}()

// nullValue returns L's json.null, creating it on first use.
func nullValue(L *lua.LState) lua.LValue {
	reg := L.Get(lua.RegistryIndex).(*lua.LTable)
	if v := reg.RawGetString(jsonNullKey); v != lua.LNil {
		return v
	}
	mt := L.CreateTable(0, 2)
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("json.null"))
		return 1
	}))
	mt.RawSetString("__metatable", lua.LFalse)
	ud := L.NewUserData()
	ud.Value = jsonNull{}
	ud.Metatable = mt
	reg.RawSetString(jsonNullKey, ud)
	return ud
}

// kindMetatable returns L's metatable tagging tables as JSON kind ("object"
// or "array"), creating it on first use.
func kindMetatable(L *lua.LState, kind string) *lua.LTable {
	key := jsonObjectKey
	if kind == "array" {
		key = jsonArrayKey
	}
	mt := L.NewTypeMetatable(key)
	if mt.RawGetString(jsonKindField) == lua.LNil {
		mt.RawSetString(jsonKindField, lua.LString(kind))
	}
	return mt
}

// isNull reports whether v is json.null.
func isNull(v lua.LValue) bool {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return false
	}
	_, ok = ud.Value.(jsonNull)
	return ok
}

// tableKind is the JSON kind a table was tagged with: "object", "array" or "".
func tableKind(t *lua.LTable) string {
	mt, ok := t.Metatable.(*lua.LTable)
	if !ok {
		return ""
	}
	s, _ := mt.RawGetString(jsonKindField).(lua.LString)
	return string(s)
}

// decodeJSON parses one JSON value into Lua values: objects and arrays become
// tables, strings strings, numbers numbers, true/false booleans and null
// json.null. An integer beyond ±2^53 (a 64-bit id) becomes the string of its
// digits rather than a rounded number. Empty objects and arrays are tagged
// with their kind, so that they encode as they came. A leading UTF-8 byte
// order mark is skipped; invalid UTF-8 in a string is an error.
//
// The decoded strings share one copy of data: a string kept from a large
// response keeps that copy alive.
func decodeJSON(L *lua.LState, data []byte) (lua.LValue, error) {
	return decodeJSONString(L, string(data))
}

// decodeJSONString is decodeJSON of a string, which it does not copy.
func decodeJSONString(L *lua.LState, data string) (lua.LValue, error) {
	d := newDecoder(L, nil)
	d.data = data
	return d.document()
}

// decodeJSONStream is decodeJSON of the JSON text r reads, decoded as it is
// read: only a small window of the text is held at a time, and the strings
// are copied out of it into blocks of their own.
func decodeJSONStream(L *lua.LState, r io.Reader) (lua.LValue, error) {
	return newDecoder(L, r).document()
}

// newDecoder returns a decoder of r, or of d.data when r is nil.
func newDecoder(L *lua.LState, r io.Reader) *decoder {
	d := &decoder{L: L, r: r, names: make(map[string]lua.LValue), cutEvery: 32}
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
func (d *decoder) document() (lua.LValue, error) {
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

// decoder is the state of one decodeJSON call.
type decoder struct {
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

	// Blocks the decoder carves its values out of (see cut).
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

// cut is called before each element of a large list (a member): every
// cutEvery elements it starts new blocks, so that a member a script keeps
// keeps alive the few members decoded with it, not, through the elements
// that blocks hold, every block decoded before it.
func (d *decoder) cut() {
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
func (d *decoder) more() (shift int, ok bool) {
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
func (d *decoder) failure(err error) error {
	if d.rerr != nil && d.rerr != io.EOF {
		return fmt.Errorf("reading the JSON text: %w", d.rerr)
	}
	return err
}

// keep returns s, a slice of data, as a string that outlives the window: a
// copy, in a block of string bytes, when reading a stream.
func (d *decoder) keep(s string) string {
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
func (d *decoder) errorf(format string, args ...any) error {
	line := 1 + d.lines + strings.Count(d.data[:min(d.pos, len(d.data))], "\n")
	return fmt.Errorf("invalid JSON at line %d (offset %d): %s", line, d.base+d.pos, fmt.Sprintf(format, args...))
}

// describe names the byte at the current position for an error message.
func (d *decoder) describe() string {
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
func (d *decoder) skipBOM() {
	const bom = "\uFEFF"
	d.ensure(d.pos, len(bom))
	if strings.HasPrefix(d.data[d.pos:], bom) {
		d.pos += len(bom)
	}
}

// skipSpace skips white space; then either data[pos] is the next byte or
// the input has no more.
func (d *decoder) skipSpace() {
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
func (d *decoder) ensure(i, n int) int {
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
func (d *decoder) value() (lua.LValue, error) {
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
		return d.boxString(s), nil
	case 't':
		return d.literal("true", lua.LTrue)
	case 'f':
		return d.literal("false", lua.LFalse)
	case 'n':
		if d.null == nil {
			d.null = nullValue(d.L)
		}
		return d.literal("null", d.null)
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return d.number()
		}
		return lua.LNil, d.errorf("unexpected %s", d.describe())
	}
}

func (d *decoder) literal(word string, v lua.LValue) (lua.LValue, error) {
	d.ensure(d.pos, len(word))
	if !strings.HasPrefix(d.data[d.pos:], word) {
		return lua.LNil, d.errorf("unexpected %s", d.describe())
	}
	d.pos += len(word)
	return v, nil
}

func (d *decoder) enter() error {
	d.depth++
	if d.depth > maxDepth {
		return d.errorf("nested deeper than %d levels", maxDepth)
	}
	return nil
}

func (d *decoder) object() (lua.LValue, error) {
	if err := d.enter(); err != nil {
		return lua.LNil, err
	}
	d.pos++ // '{'
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		d.depth--
		return d.emptyTable("object"), nil
	}
	mark, keyMark := len(d.vals), len(d.keys)
	for {
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
		more, err := d.next('}')
		if err != nil {
			return lua.LNil, err
		}
		if !more {
			break
		}
	}
	keys, vals := d.keys[keyMark:], d.vals[mark:]
	t := d.objectTable(keys, vals)
	clear(keys)
	clear(vals)
	d.keys, d.vals = d.keys[:keyMark], d.vals[:mark]
	d.depth--
	return t, nil
}

// member parses an object's key and the ':' after it, and skips the white
// space before the value.
func (d *decoder) member() (lua.LValue, error) {
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
func (d *decoder) next(closing byte) (bool, error) {
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

func (d *decoder) array() (lua.LValue, error) {
	if err := d.enter(); err != nil {
		return lua.LNil, err
	}
	d.pos++ // '['
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		d.depth--
		return d.emptyTable("array"), nil
	}
	mark := len(d.vals)
	for {
		if d.depth <= 2 {
			// An element of the top array, or of an array member of the
			// top object (a list in WeCom's answer): a block of its own.
			d.cut()
		}
		v, err := d.value()
		if err != nil {
			return lua.LNil, err
		}
		d.vals = append(d.vals, v)
		more, err := d.next(']')
		if err != nil {
			return lua.LNil, err
		}
		if !more {
			break
		}
	}
	vals := d.vals[mark:]
	t := d.arrayTable(vals)
	clear(vals)
	d.vals = d.vals[:mark]
	d.depth--
	return t, nil
}

// emptyTable returns an empty table tagged with its JSON kind.
func (d *decoder) emptyTable(kind string) *lua.LTable {
	t := d.newTable()
	if kind == "object" {
		if d.objectMT == nil {
			d.objectMT = kindMetatable(d.L, "object")
		}
		t.Metatable = d.objectMT
	} else {
		if d.arrayMT == nil {
			d.arrayMT = kindMetatable(d.L, "array")
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
func (d *decoder) newTable() *lua.LTable {
	t := &d.tables.take(1)[0]
	t.Metatable = lua.LNil
	return t
}

// slots returns a copy of vals whose capacity is its length, so that an
// append from Lua reallocates rather than writes into a neighbour's slots.
func (d *decoder) slots(vals []lua.LValue) []lua.LValue {
	if len(vals) > 256 {
		return slices.Clone(vals)
	}
	s := d.slab.take(len(vals))
	copy(s, vals)
	return s
}

// arrayTable returns a table of the elements vals.
func (d *decoder) arrayTable(vals []lua.LValue) *lua.LTable {
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

// objectTable returns a table of the given keys (LStrings) and values (none
// nil); of duplicate keys, the last one wins.
func (d *decoder) objectTable(keys, vals []lua.LValue) *lua.LTable {
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
		// An object of keys seen before: copy the shape's maps, which is
		// cheaper than building them a key at a time.
		m.strdict = maps.Clone(sh.strdict)
		for i, k := range keys {
			m.strdict[string(k.(lua.LString))] = vals[i]
		}
		m.keys, m.k2i = sh.keys, maps.Clone(sh.k2i)
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
// length, so an append copies it first), and maps with those keys, copied
// for each object.
type objectShape struct {
	keys    []lua.LValue
	strdict map[string]lua.LValue // values are placeholders
	k2i     map[lua.LValue]int
}

// shape returns the objectShape of objects with the given keys when an earlier
// object had the same (interned) keys, or nil for keys seen for the first
// time, not interned, or with a key twice.
func (d *decoder) shape(keys []lua.LValue) *objectShape {
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

// blockBoxing reports whether boxString's way of making an lua.LValue of an
// lua.LString in a block gives the same value as Go's conversion: it holds
// as long as interfaces are laid out as iface, and TestBlockBoxing fails
// otherwise (boxString then converts).
var blockBoxing = func() bool {
	s := []lua.LString{"probe"}
	var v lua.LValue
	*(*iface)(unsafe.Pointer(&v)) = iface{lstringTab, unsafe.Pointer(&s[0])}
	got, ok := v.(lua.LString)
	return ok && got == "probe" && v == lua.LValue(lua.LString("probe")) && unsafe.Sizeof(v) == unsafe.Sizeof(iface{})
}()

// boxString returns s as an lua.LValue. Converting a string to an interface
// allocates its header: the decoder carves the headers out of blocks
// instead, a few allocations for a whole member list instead of one a
// string.
func (d *decoder) boxString(s string) lua.LValue {
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
func (d *decoder) key() (lua.LValue, error) {
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
func (d *decoder) str() (string, error) {
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
func (d *decoder) escaped(start, i int) (string, error) {
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
		// The escape and what it needs: \uD83D\uDE00 at most.
		if i = d.ensure(i, 12); i+1 >= len(d.data) {
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

// number parses the number at d.pos following JSON's grammar.
func (d *decoder) number() (lua.LValue, error) {
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
	integer := true
	if i < len(data) && data[i] == '.' {
		integer = false
		i++
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			d.pos = i
			return lua.LNil, d.errorf("unexpected %s after decimal point", d.describe())
		}
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		integer = false
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			d.pos = i
			return lua.LNil, d.errorf("unexpected %s in exponent", d.describe())
		}
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
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
		if v, err := strconv.ParseInt(text, 10, 64); err == nil && v >= -maxSafeInt && v <= maxSafeInt {
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

// encodeJSON encodes v as compact JSON by the rules documented in json.go.
func encodeJSON(v lua.LValue) ([]byte, error) {
	e := encoder{}
	if err := e.value(v); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// encodeJSONIndent is encodeJSON with each element on its own line,
// indented by two spaces per level.
func encodeJSONIndent(v lua.LValue) ([]byte, error) {
	e := encoder{indent: true}
	if err := e.value(v); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// encoder is the state of one encodeJSON call.
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
	if len(e.buf) > MaxString {
		return e.errorf("the JSON text is longer than %d bytes, the limit of a string", MaxString)
	}
	switch v := v.(type) {
	case *lua.LNilType:
		e.buf = append(e.buf, "null"...)
	case lua.LBool:
		e.buf = strconv.AppendBool(e.buf, bool(v))
	case lua.LNumber:
		b, err := appendNumber(e.buf, float64(v))
		if err != nil {
			return e.errorf("%v", err)
		}
		e.buf = b
	case lua.LString:
		e.buf = appendString(e.buf, string(v))
	case *lua.LTable:
		return e.table(v)
	case *lua.LUserData:
		if isNull(v) {
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
	if len(e.path) >= maxDepth {
		return e.errorf("nested deeper than %d levels", maxDepth)
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

// shapeOf decides whether t encodes as an array or an object (see json.go).
// It appends an object's keys to stack and returns the grown stack, of which
// shape.keys is the appended part: nested objects share one stack.
func shapeOf(t *lua.LTable, stack []objectKey) (shape, []objectKey, error) {
	kind := tableKind(t)
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
			if f := float64(k); f >= 1 && f == math.Trunc(f) && f <= maxSafeInt {
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

// appendNumber appends f as JSON: integers up to ±2^53 without a decimal
// point or exponent (1000002, not 1.000002e+06), other numbers in the
// shortest form that reads back as the same float64, with an exponent when
// they are very small or beyond 2^53 (which decodeJSON would otherwise read
// as a string of digits).
func appendNumber(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, fmt.Errorf("cannot encode the number %v", f)
	}
	abs := math.Abs(f)
	if abs < 1e-6 && abs != 0 || abs > maxSafeInt {
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

// toGo converts a Lua value to plain Go values: nil, bool, string, int64
// (integral numbers within ±2^63) or float64, []any and map[string]any.
// Tables follow the same array/object rules as encodeJSON; json.null becomes
// nil. Functions, userdata, threads and cyclic tables are errors.
func toGo(v lua.LValue) (any, error) {
	c := goConverter{seen: make(map[*lua.LTable]bool)}
	return c.value(v)
}

// goConverter is the state of one toGo call.
type goConverter struct {
	path []pathElem
	seen map[*lua.LTable]bool
}

func (c *goConverter) errorf(format string, args ...any) error {
	return fmt.Errorf("%s at %s", fmt.Sprintf(format, args...), formatPath(c.path))
}

func (c *goConverter) value(v lua.LValue) (any, error) {
	switch v := v.(type) {
	case *lua.LNilType:
		return nil, nil
	case lua.LBool:
		return bool(v), nil
	case lua.LString:
		return string(v), nil
	case lua.LNumber:
		f := float64(v)
		if f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64 {
			return int64(f), nil
		}
		return f, nil
	case *lua.LUserData:
		if isNull(v) {
			return nil, nil
		}
		return nil, c.errorf("cannot convert a userdata")
	case *lua.LTable:
		return c.table(v)
	default:
		return nil, c.errorf("cannot convert a %s", v.Type())
	}
}

func (c *goConverter) table(t *lua.LTable) (any, error) {
	if c.seen[t] {
		return nil, c.errorf("table contains itself")
	}
	if len(c.path) >= maxDepth {
		return nil, c.errorf("nested deeper than %d levels", maxDepth)
	}
	s, _, err := shapeOf(t, nil)
	if err != nil {
		return nil, c.errorf("%v", err)
	}
	c.seen[t] = true
	defer delete(c.seen, t)
	if s.array {
		out := make([]any, s.n)
		for i := range out {
			c.path = append(c.path, pathElem{index: i + 1})
			v, err := c.value(t.RawGet(lua.LNumber(i + 1)))
			c.path = c.path[:len(c.path)-1]
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	out := make(map[string]any, len(s.keys))
	for _, k := range s.keys {
		c.path = append(c.path, pathElem{key: k.name})
		v, err := c.value(t.RawGet(k.key))
		c.path = c.path[:len(c.path)-1]
		if err != nil {
			return nil, err
		}
		out[k.name] = v
	}
	return out, nil
}

// toLua converts a Go value to a Lua value, for the small results bindings
// return: nil, booleans, strings, []byte (as a string), numbers (integers
// beyond ±2^53 as strings of digits, like decodeJSON), slices, maps with
// string keys, json.RawMessage (through decodeJSON) and lua.LValue as is.
// Empty slices and maps become tables tagged as arrays and objects. Any
// other value, a struct for instance, goes through its JSON encoding. A
// value that cannot be converted raises a Lua error.
func toLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case nil:
		return lua.LNil
	case lua.LValue:
		return v
	case bool:
		return lua.LBool(v)
	case string:
		return lua.LString(v)
	case []byte:
		return lua.LString(v)
	case int:
		return intToLua(int64(v))
	case int8:
		return lua.LNumber(v)
	case int16:
		return lua.LNumber(v)
	case int32:
		return lua.LNumber(v)
	case int64:
		return intToLua(v)
	case uint:
		return uintToLua(uint64(v))
	case uint8:
		return lua.LNumber(v)
	case uint16:
		return lua.LNumber(v)
	case uint32:
		return lua.LNumber(v)
	case uint64:
		return uintToLua(v)
	case float32:
		return lua.LNumber(v)
	case float64:
		return lua.LNumber(v)
	case json.Number:
		return numberToLua(L, string(v))
	case json.RawMessage:
		return rawToLua(L, v)
	case []any:
		t := newArray(L, len(v))
		for _, e := range v {
			t.Append(toLua(L, e))
		}
		return t
	case []string:
		t := newArray(L, len(v))
		for _, e := range v {
			t.Append(lua.LString(e))
		}
		return t
	case map[string]any:
		t := newObject(L, len(v))
		for k, e := range v {
			t.RawSetString(k, toLua(L, e))
		}
		return t
	case map[string]string:
		t := newObject(L, len(v))
		for k, e := range v {
			t.RawSetString(k, lua.LString(e))
		}
		return t
	}
	if rv := reflect.ValueOf(v); (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Map || rv.Kind() == reflect.Slice) && rv.IsNil() {
		return lua.LNil
	}
	data, err := json.Marshal(v)
	if err != nil {
		L.RaiseError("cannot convert %T to a Lua value: %v", v, err)
	}
	return rawToLua(L, data)
}

func intToLua(v int64) lua.LValue {
	if v < -maxSafeInt || v > maxSafeInt {
		return lua.LString(strconv.FormatInt(v, 10))
	}
	return lua.LNumber(v)
}

func uintToLua(v uint64) lua.LValue {
	if v > maxSafeInt {
		return lua.LString(strconv.FormatUint(v, 10))
	}
	return lua.LNumber(v)
}

func numberToLua(L *lua.LState, s string) lua.LValue {
	v, err := decodeJSON(L, []byte(s))
	if err != nil {
		L.RaiseError("invalid number %q", s)
	}
	return v
}

func rawToLua(L *lua.LState, data []byte) lua.LValue {
	if len(data) == 0 {
		return lua.LNil
	}
	v, err := decodeJSON(L, data)
	if err != nil {
		L.RaiseError("%v", err)
	}
	return v
}

// newArray returns a table for n elements, tagged as an array when empty.
func newArray(L *lua.LState, n int) *lua.LTable {
	t := L.CreateTable(n, 0)
	if n == 0 {
		t.Metatable = kindMetatable(L, "array")
	}
	return t
}

// newObject returns a table for n keys, tagged as an object when empty.
func newObject(L *lua.LState, n int) *lua.LTable {
	t := L.CreateTable(0, n)
	if n == 0 {
		t.Metatable = kindMetatable(L, "object")
	}
	return t
}
