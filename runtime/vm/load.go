package vm

import (
	"fmt"
	"os"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Every chunk a run compiles goes through CompileReader, so that its
// concatenations are bounded (see boundConcat): the script, what load and
// loadstring compile, and the modules require loads from files.

// loaders replaces load, loadstring and package.loaders' file loader in L.
// load and loadstring refuse precompiled chunks, and source longer than the
// run's string limit; load takes a string too, as in Lua 5.2.
func loaders(L *lua.LState) {
	L.SetGlobal("load", L.NewFunction(func(L *lua.LState) int {
		if src, ok := L.Get(1).(lua.LString); ok { // as Lua 5.2's load
			return loadChunk(L, string(src), L.OptString(2, "<string>"))
		}
		fn := L.CheckFunction(1)
		name := L.OptString(2, "?")
		var b strings.Builder
		limit := StringLimit()
		for {
			L.Push(fn)
			L.Call(0, 1)
			piece := L.Get(-1)
			L.Pop(1)
			if piece == lua.LNil {
				break
			}
			s, ok := piece.(lua.LString)
			if !ok {
				if n, isNum := piece.(lua.LNumber); isNum {
					s, ok = lua.LString(n.String()), true
				}
			}
			if !ok {
				L.Push(lua.LNil)
				L.Push(lua.LString("reader function must return a string"))
				return 2
			}
			if s == "" {
				break
			}
			if b.Len()+len(s) > limit {
				L.RaiseError("load: a chunk of more than %d bytes", limit)
			}
			b.WriteString(string(s))
		}
		return loadChunk(L, b.String(), name)
	}))
	L.SetGlobal("loadstring", L.NewFunction(func(L *lua.LState) int {
		return loadChunk(L, L.CheckString(1), L.OptString(2, "<string>"))
	}))
	loaders := L.GetField(L.GetGlobal("package"), "loaders").(*lua.LTable)
	loaders.RawSetInt(2, L.NewFunction(requireFile))
}

// loadChunk compiles src and pushes the function, or nil and the error.
func loadChunk(L *lua.LState, src, name string) int {
	if strings.HasPrefix(src, "\x1bLua") {
		L.Push(lua.LNil)
		L.Push(lua.LString("loading precompiled Lua is not allowed"))
		return 2
	}
	proto, err := CompileReader(strings.NewReader(src), name)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(L.NewFunctionFromProto(proto))
	return 1
}

// requireFile is the loader of Lua modules from the files package.path
// names, as gopher-lua's, compiling them with CompileReader.
func requireFile(L *lua.LState) int {
	name := L.CheckString(1)
	path, ok := L.GetField(L.GetGlobal("package"), "path").(lua.LString)
	if !ok {
		L.RaiseError("package.path must be a string")
	}
	var tried []string
	file := strings.ReplaceAll(name, ".", string(os.PathSeparator))
	for _, p := range strings.Split(string(path), ";") {
		p = strings.ReplaceAll(p, "?", file)
		if _, err := os.Stat(p); err != nil {
			tried = append(tried, fmt.Sprintf("no file %q", p))
			continue
		}
		proto, err := Compile(p)
		if err != nil {
			L.RaiseError("%s", err.Error())
		}
		L.Push(L.NewFunctionFromProto(proto))
		return 1
	}
	L.Push(lua.LString("\n\t" + strings.Join(tried, "\n\t")))
	return 1
}
