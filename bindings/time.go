package bindings

// Module time reads the clock, formats and parses times, and sleeps:
//
//	time.now() -> seconds since the Unix epoch, with a fraction
//	time.unix() -> whole seconds since the Unix epoch
//	time.format([t [, layout [, tz]]]) -> string
//	time.parse(s [, layout [, tz]]) -> seconds since the Unix epoch
//	time.date([t [, tz]]) -> {year=, month=, day=, hour=, min=, sec=, wday=, yday=}
//	time.sleep(seconds)          raises "cancelled" when the run is cancelled
//
// t is seconds since the epoch (nil: now). tz is a zone name such as
// "Asia/Shanghai" (the default), "UTC", or a fixed offset such as "+08:00".
// wday counts from Sunday = 1 and yday from January 1st = 1, as os.date does.
//
// layout is strftime-like, "%Y-%m-%d %H:%M:%S" by default, with
//
//	%Y year (2024)        %y year in century (24)   %m month (01-12)
//	%d day (01-31)        %e day, space-padded      %j day of year (001-366)
//	%H hour (00-23)       %I hour (01-12)           %p AM or PM
//	%M minute (00-59)     %S second (00-60)         %f microseconds (000000)
//	%b month name (Jan)   %B month name (January)   %a weekday (Mon)
//	%A weekday (Monday)   %z offset (+0800)         %Z zone abbreviation (CST)
//	%s epoch seconds      %F is %Y-%m-%d            %T is %H:%M:%S
//	%% a percent sign
//
// Any other character stands for itself. Parsing takes the fields a layout
// names; missing ones default to 1970-01-01 00:00:00. An offset in the text
// (%z) takes precedence over tz; %Z is not parsed (zone abbreviations are
// ambiguous). %y reads 69-99 as 1969-1999 and 00-68 as 2000-2068.

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // time zones on machines without a zone database

	lua "github.com/yuin/gopher-lua"
)

// defaultZone is the zone of times when a script names none.
const defaultZone = "Asia/Shanghai"

// defaultLayout is the layout of time.format and time.parse when a script
// names none.
const defaultLayout = "%Y-%m-%d %H:%M:%S"

type timeModule struct{}

func newTimeModule(*Env) module { return timeModule{} }

func (m timeModule) exports() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"date":   m.date,
		"format": m.format,
		"now":    m.now,
		"parse":  m.parse,
		"sleep":  m.sleep,
		"unix":   m.unix,
	}
}

func (timeModule) now(L *lua.LState) int {
	L.Push(lua.LNumber(float64(time.Now().UnixNano()) / 1e9))
	return 1
}

func (timeModule) unix(L *lua.LState) int {
	L.Push(lua.LNumber(time.Now().Unix()))
	return 1
}

func (timeModule) format(L *lua.LState) int {
	t := checkTime(L, 1)
	layout := L.OptString(2, defaultLayout)
	loc := checkZone(L, 3)
	s, err := strftime(t.In(loc), layout)
	if err != nil {
		L.ArgError(2, err.Error())
	}
	L.Push(lua.LString(s))
	return 1
}

func (timeModule) parse(L *lua.LState) int {
	s := L.CheckString(1)
	layout := L.OptString(2, defaultLayout)
	loc := checkZone(L, 3)
	t, err := strptime(s, layout, loc)
	if err != nil {
		L.RaiseError("time.parse: %v", err)
	}
	L.Push(lua.LNumber(float64(t.Unix()) + float64(t.Nanosecond())/1e9))
	return 1
}

func (timeModule) date(L *lua.LState) int {
	t := checkTime(L, 1)
	loc := checkZone(L, 2)
	t = t.In(loc)
	d := L.CreateTable(0, 8)
	for k, v := range map[string]int{
		"year": t.Year(), "month": int(t.Month()), "day": t.Day(),
		"hour": t.Hour(), "min": t.Minute(), "sec": t.Second(),
		"wday": int(t.Weekday()) + 1, "yday": t.YearDay(),
	} {
		d.RawSetString(k, lua.LNumber(v))
	}
	L.Push(d)
	return 1
}

func (timeModule) sleep(L *lua.LState) int {
	secs := float64(L.CheckNumber(1))
	if math.IsNaN(secs) || secs < 0 {
		L.ArgError(1, "seconds must be a number ≥ 0")
	}
	var done <-chan struct{}
	if ctx := L.Context(); ctx != nil {
		done = ctx.Done()
		if ctx.Err() != nil {
			L.RaiseError("cancelled")
		}
	}
	d := time.Duration(math.MaxInt64)
	if secs < float64(math.MaxInt64)/float64(time.Second) {
		d = time.Duration(secs * float64(time.Second))
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-done:
		L.RaiseError("cancelled")
	}
	return 0
}

// checkTime returns argument n as a time: seconds since the epoch, or now
// when it is nil or absent.
func checkTime(L *lua.LState, n int) time.Time {
	if L.Get(n) == lua.LNil {
		return time.Now()
	}
	secs := float64(L.CheckNumber(n))
	if math.IsNaN(secs) || math.IsInf(secs, 0) {
		L.ArgError(n, "time must be a finite number of seconds")
	}
	whole, frac := math.Modf(secs)
	return time.Unix(int64(whole), int64(math.Round(frac*1e9)))
}

// checkZone returns the location named by argument n, Asia/Shanghai when
// it is nil or absent.
func checkZone(L *lua.LState, n int) *time.Location {
	loc, err := zone(L.OptString(n, defaultZone))
	if err != nil {
		L.ArgError(n, err.Error())
	}
	return loc
}

// zones caches the locations by name: time.LoadLocation reads the zone
// database each time.
var zones sync.Map

// zone returns the location named tz: an IANA name or a fixed offset such
// as "+08:00". Asia/Shanghai is known even without a zone database (it has
// been UTC+8 without daylight saving time since 1991).
func zone(tz string) (*time.Location, error) {
	if loc, ok := zones.Load(tz); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		if off, ok := parseOffset(tz); ok {
			loc, err = time.FixedZone(tz, off), nil
		} else if tz == defaultZone {
			loc, err = time.FixedZone("CST", 8*3600), nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", tz)
	}
	zones.Store(tz, loc)
	return loc, nil
}

// parseOffset parses "+08:00", "+0800" or "-05" as seconds east of UTC.
func parseOffset(s string) (int, bool) {
	if len(s) < 3 || s[0] != '+' && s[0] != '-' {
		return 0, false
	}
	digits := strings.Replace(s[1:], ":", "", 1)
	if len(digits) != 2 && len(digits) != 4 {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	h, _ := strconv.Atoi(digits[:2])
	m := 0
	if len(digits) == 4 {
		m, _ = strconv.Atoi(digits[2:])
	}
	if h > 23 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return off, true
}

// expand replaces the composite directives %F and %T by their parts.
func expand(layout string) string {
	return strings.NewReplacer("%%", "%%", "%F", "%Y-%m-%d", "%T", "%H:%M:%S").Replace(layout)
}

// goLayouts are the directives of names and zones, as Go's time layouts
// write them.
var goLayouts = map[byte]string{
	'p': "PM", 'b': "Jan", 'B': "January", 'a': "Mon", 'A': "Monday", 'z': "-0700", 'Z': "MST",
}

// strftime formats t by layout.
func strftime(t time.Time, layout string) (string, error) {
	layout = expand(layout)
	var b []byte
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c != '%' {
			b = append(b, c)
			continue
		}
		i++
		if i == len(layout) {
			return "", fmt.Errorf("layout %q ends with %%", layout)
		}
		switch layout[i] {
		case 'Y':
			b = fmt.Appendf(b, "%04d", t.Year())
		case 'y':
			b = fmt.Appendf(b, "%02d", t.Year()%100)
		case 'm':
			b = fmt.Appendf(b, "%02d", int(t.Month()))
		case 'd':
			b = fmt.Appendf(b, "%02d", t.Day())
		case 'e':
			b = fmt.Appendf(b, "%2d", t.Day())
		case 'j':
			b = fmt.Appendf(b, "%03d", t.YearDay())
		case 'H':
			b = fmt.Appendf(b, "%02d", t.Hour())
		case 'I':
			b = fmt.Appendf(b, "%02d", (t.Hour()+11)%12+1)
		case 'M':
			b = fmt.Appendf(b, "%02d", t.Minute())
		case 'S':
			b = fmt.Appendf(b, "%02d", t.Second())
		case 'f':
			b = fmt.Appendf(b, "%06d", t.Nanosecond()/1000)
		case 's':
			b = strconv.AppendInt(b, t.Unix(), 10)
		case '%':
			b = append(b, '%')
		default:
			l, ok := goLayouts[layout[i]]
			if !ok {
				return "", fmt.Errorf("unknown directive %%%c in layout %q", layout[i], layout)
			}
			b = t.AppendFormat(b, l)
		}
	}
	return string(b), nil
}

// strptime parses s by layout in loc.
func strptime(s, layout string, loc *time.Location) (time.Time, error) {
	layout = expand(layout)
	p := timeParser{s: s}
	year, month, day, hour, minute, sec, nsec := 1970, 1, 1, 0, 0, 0, 0
	yday, pm, twelve, offset, epoch := 0, -1, false, -1<<31, int64(-1)
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c != '%' {
			if err := p.literal(c); err != nil {
				return time.Time{}, err
			}
			continue
		}
		i++
		if i == len(layout) {
			return time.Time{}, fmt.Errorf("layout %q ends with %%", layout)
		}
		var err error
		switch layout[i] {
		case 'Y':
			year, err = p.number("year", 4, 4)
		case 'y':
			year, err = p.number("year", 2, 2)
			if year < 69 {
				year += 2000
			} else {
				year += 1900
			}
		case 'm':
			month, err = p.number("month", 1, 2)
		case 'd':
			day, err = p.number("day", 1, 2)
		case 'e':
			p.skipSpace()
			day, err = p.number("day", 1, 2)
		case 'j':
			yday, err = p.number("day of year", 1, 3)
		case 'H':
			hour, err = p.number("hour", 1, 2)
		case 'I':
			hour, err = p.number("hour", 1, 2)
			twelve = true
		case 'p':
			pm, err = p.name("AM or PM", []string{"AM", "PM"})
		case 'M':
			minute, err = p.number("minute", 1, 2)
		case 'S':
			sec, err = p.number("second", 1, 2)
		case 'f':
			start := p.i
			var frac int
			frac, err = p.number("fraction", 1, 9)
			for n := p.i - start; n < 9; n++ {
				frac *= 10
			}
			nsec = frac
		case 'b':
			var m int
			m, err = p.name("month name", shortMonths)
			month = m + 1
		case 'B':
			var m int
			m, err = p.name("month name", longMonths)
			month = m + 1
		case 'a':
			_, err = p.name("weekday", shortDays)
		case 'A':
			_, err = p.name("weekday", longDays)
		case 'z':
			offset, err = p.offset()
		case 's':
			var n int
			n, err = p.number("epoch seconds", 1, 19)
			epoch = int64(n)
		case 'Z':
			return time.Time{}, fmt.Errorf("layout %q: %%Z cannot be parsed; pass the zone as tz", layout)
		case '%':
			err = p.literal('%')
		default:
			return time.Time{}, fmt.Errorf("unknown directive %%%c in layout %q", layout[i], layout)
		}
		if err != nil {
			return time.Time{}, err
		}
	}
	if p.i < len(s) {
		return time.Time{}, fmt.Errorf("%q: unexpected %q after the layout %q", s, s[p.i:], layout)
	}
	if epoch >= 0 {
		return time.Unix(epoch, 0).In(loc), nil
	}
	if twelve {
		if hour < 1 || hour > 12 {
			return time.Time{}, fmt.Errorf("%q: hour %d out of range 1-12", s, hour)
		}
		hour %= 12
	}
	if pm == 1 {
		hour += 12
	}
	if offset != -1<<31 {
		loc = time.FixedZone("", offset)
	}
	if yday > 0 {
		month, day = 1, yday
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
	switch {
	case hour > 23 || minute > 59 || sec > 60:
		return time.Time{}, fmt.Errorf("%q: time of day %02d:%02d:%02d out of range", s, hour, minute, sec)
	case yday > 0 && (yday > 366 || t.Year() != year):
		return time.Time{}, fmt.Errorf("%q: day of year %d out of range", s, yday)
	case yday == 0 && (month < 1 || month > 12):
		return time.Time{}, fmt.Errorf("%q: month %d out of range", s, month)
	case yday == 0 && (t.Month() != time.Month(month) || t.Day() != day):
		return time.Time{}, fmt.Errorf("%q: day %d out of range for %s %d", s, day, time.Month(month), year)
	}
	return t, nil
}

var (
	shortMonths = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	longMonths  = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	shortDays   = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	longDays    = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

// timeParser reads the text being parsed by strptime.
type timeParser struct {
	s string
	i int
}

func (p *timeParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%q at offset %d: %s", p.s, p.i, fmt.Sprintf(format, args...))
}

func (p *timeParser) literal(c byte) error {
	if p.i >= len(p.s) || p.s[p.i] != c {
		return p.errorf("want %q", c)
	}
	p.i++
	return nil
}

func (p *timeParser) skipSpace() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

// number reads between least and most decimal digits.
func (p *timeParser) number(what string, least, most int) (int, error) {
	n, start := 0, p.i
	for p.i < len(p.s) && p.i-start < most && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		n = n*10 + int(p.s[p.i]-'0')
		p.i++
	}
	if p.i-start < least {
		p.i = start
		return 0, p.errorf("want %s (%d digits)", what, least)
	}
	return n, nil
}

// name reads one of names, ignoring case, and returns its index.
func (p *timeParser) name(what string, names []string) (int, error) {
	for i, n := range names {
		if len(p.s)-p.i >= len(n) && strings.EqualFold(p.s[p.i:p.i+len(n)], n) {
			p.i += len(n)
			return i, nil
		}
	}
	return 0, p.errorf("want %s", what)
}

// offset reads Z, +hh, +hhmm or +hh:mm as seconds east of UTC.
func (p *timeParser) offset() (int, error) {
	if p.i < len(p.s) && p.s[p.i] == 'Z' {
		p.i++
		return 0, nil
	}
	end := p.i + 1
	for end < len(p.s) && end-p.i <= 5 && (p.s[end] >= '0' && p.s[end] <= '9' || p.s[end] == ':') {
		end++
	}
	off, ok := parseOffset(p.s[p.i:end])
	if !ok {
		return 0, p.errorf("want a UTC offset such as +0800")
	}
	p.i = end
	return off, nil
}
