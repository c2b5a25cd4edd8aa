package bindings

// Module log writes to the run's structured log:
//
//	log.debug(msg [, fields])
//	log.info(msg [, fields])
//	log.warn(msg [, fields])
//	log.error(msg [, fields])
//
// fields is a table of string keys; each becomes an attribute of the record,
// in key order (tables become nested values: arrays as lists, objects as
// maps).

import (
	"log/slog"
	"slices"
	"strings"

	"github.com/wecomrunner/runner/bindings/luajson"
	lua "github.com/yuin/gopher-lua"
)

type logModule struct {
	logger *slog.Logger
}

func newLogModule(env *Env) module {
	l := env.Logger
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return &logModule{logger: l}
}

func (m *logModule) exports() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"debug": m.at(slog.LevelDebug),
		"error": m.at(slog.LevelError),
		"info":  m.at(slog.LevelInfo),
		"warn":  m.at(slog.LevelWarn),
	}
}

// at returns the Lua function that logs at level.
func (m *logModule) at(level slog.Level) lua.LGFunction {
	return func(L *lua.LState) int {
		msg := L.CheckString(1)
		fields := L.OptTable(2, nil)
		attrs := logAttrs(L, fields)
		m.logger.LogAttrs(contextOf(L), level, msg, attrs...)
		return 0
	}
}

// logAttrs converts the fields table to attributes sorted by key, raising
// an argument error for a key that is not a string.
func logAttrs(L *lua.LState, fields *lua.LTable) []slog.Attr {
	if fields == nil {
		return nil
	}
	var attrs []slog.Attr
	var bad lua.LValue
	fields.ForEach(func(k, v lua.LValue) {
		s, ok := k.(lua.LString)
		if !ok {
			bad = k
			return
		}
		attrs = append(attrs, slog.Attr{Key: string(s), Value: logValue(v)})
	})
	if bad != nil {
		L.ArgError(2, "field names must be strings, got "+bad.Type().String()+" "+bad.String())
	}
	slices.SortFunc(attrs, func(a, b slog.Attr) int { return strings.Compare(a.Key, b.Key) })
	return attrs
}

// logValue is the slog value of a field: numbers as int64 when integral,
// tables through toGo, anything toGo refuses (a function) as its name.
func logValue(v lua.LValue) slog.Value {
	g, err := luajson.ToGo(v)
	if err != nil {
		return slog.StringValue(v.String())
	}
	return slog.AnyValue(g)
}
