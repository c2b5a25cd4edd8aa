package luajson

import lua "github.com/yuin/gopher-lua"

// Part is what ObjectStream.Next read.
type Part int

const (
	End     Part = iota // the object has been read
	Member              // a member of the object other than the list
	Element             // the list's next element
)

// ObjectStream reads one JSON object from the decoder's stream: its
// members one at a time, and, of its member list when that is an array,
// the elements one at a time, so that a list of 100,000 members is never
// held whole.
type ObjectStream struct {
	d     *Decoder
	list  string
	state int // where the stream is: one of the states below
}

const (
	beforeObject = iota // before the object's '{'
	inList              // before the list's next element
	afterValue          // after a member or the list, before the object's next member or its end
	atEnd               // the object has been read
)

// Stream returns the stream of the object d reads, whose array member list
// it reads one element at a time.
func (d *Decoder) Stream(list string) *ObjectStream {
	return &ObjectStream{d: d, list: list}
}

// Next reads the next part of the object: a Member with its key and
// value, an Element of the list, or End once the object and what follows
// it (white space only) have been read. Once it has been read, or after an
// error, Next returns End again. An error is a syntax error, or the
// stream's own read error when it failed.
func (s *ObjectStream) Next() (part Part, key, value lua.LValue, err error) {
	part, key, value, err = s.step()
	if err != nil {
		s.state = atEnd
		return End, lua.LNil, lua.LNil, s.d.failure(err)
	}
	return part, key, value, nil
}

func (s *ObjectStream) step() (Part, lua.LValue, lua.LValue, error) {
	d := s.d
	switch s.state {
	case beforeObject:
		d.skipBOM()
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != '{' {
			return End, lua.LNil, lua.LNil, d.errorf("unexpected %s, want '{'", d.describe())
		}
		d.pos++
		d.skipSpace()
		if d.pos < len(d.data) && d.data[d.pos] == '}' {
			d.pos++
			return s.end()
		}
		return s.member()
	case inList:
		d.Cut()
		v, err := d.value()
		if err != nil {
			return End, lua.LNil, lua.LNil, err
		}
		more, err := d.next(']')
		if err != nil {
			return End, lua.LNil, lua.LNil, err
		}
		if !more {
			s.state = afterValue
		}
		return Element, lua.LNil, v, nil
	case afterValue:
		more, err := d.next('}')
		if err != nil {
			return End, lua.LNil, lua.LNil, err
		}
		if !more {
			return s.end()
		}
		return s.member()
	}
	return End, lua.LNil, lua.LNil, nil
}

// member reads the object's next member, or enters the list.
func (s *ObjectStream) member() (Part, lua.LValue, lua.LValue, error) {
	d := s.d
	key, err := d.member()
	if err != nil {
		return End, lua.LNil, lua.LNil, err
	}
	if string(key.(lua.LString)) == s.list && d.pos < len(d.data) && d.data[d.pos] == '[' {
		d.pos++
		d.skipSpace()
		if d.pos < len(d.data) && d.data[d.pos] == ']' {
			d.pos++
			s.state = afterValue
		} else {
			s.state = inList
		}
		return s.step()
	}
	v, err := d.value()
	if err != nil {
		return End, lua.LNil, lua.LNil, err
	}
	s.state = afterValue
	return Member, key, v, nil
}

// end checks that only white space follows the object.
func (s *ObjectStream) end() (Part, lua.LValue, lua.LValue, error) {
	s.state = atEnd
	d := s.d
	d.skipSpace()
	if d.pos < len(d.data) {
		return End, lua.LNil, lua.LNil, d.errorf("unexpected %s after the JSON value", d.describe())
	}
	return End, lua.LNil, lua.LNil, nil
}
