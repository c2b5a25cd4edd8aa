// Package vm runs one admin script in a sandboxed Lua VM (gopher-lua).
//
// Compile and CompileReader compile a script once (a syntax error is a
// SyntaxError with file, line and column); Run runs a compiled Script in a
// fresh Lua state with the allow-listed standard libraries, the modules of
// package bindings preloaded, require limited to the script's directory and
// lua_path, and the run's context (timeout, cancellation) checked as it goes.
// A failure is a ScriptError carrying the Lua traceback and, for a WeCom
// error, its errcode.
//
// The sandbox also bounds what a script can take from the process: the memory
// of the Go heap (SetMemoryLimit; a run over it stops with ErrMemory), the
// length of any string it builds (a string library and concatenation of its
// own, with the Lua pattern matcher of package pattern), the depth of
// recursion and of nested coroutines.
//
// It knows nothing of jobs.yaml, schedules or state: the scheduler fills a
// Script for each run.
package vm
