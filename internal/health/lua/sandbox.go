/*
Copyright 2026 The syncwave Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package lua

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// safeBase lists the base functions a script keeps as gopher-lua implements
// them. The rest of gopher-lua's base library is left out (dofile, loadfile,
// load, loadstring, getfenv, setfenv, module, newproxy, _printregs) or
// replaced (print, collectgarbage, setmetatable, require).
var safeBase = []string{
	"assert", "error", "getmetatable", "ipairs", "next", "pairs",
	"rawequal", "rawget", "rawset", "select", "tonumber", "tostring", "type",
	"unpack", "xpcall", "_VERSION",
}

type namedValue struct {
	name  string
	value lua.LValue
}

type library struct {
	name  string
	funcs []namedValue
}

// state is one pooled Lua state. The library functions are created once per
// state; every evaluation copies them into fresh tables and a fresh global
// environment, so that nothing a script assigns (a global, string.find = nil)
// is seen by the next evaluation.
type state struct {
	L        *lua.LState
	opts     *Options
	openLibs bool
	base     []namedValue
	libs     []library

	// loaded maps the module names require knows to this evaluation's tables.
	loaded map[string]lua.LValue
	// limitErr is set when a library call refused to build a string above
	// Options.MaxStringBytes, so that the error is reported as a memory limit
	// even when the script caught it and failed later.
	limitErr string
	// keepError is the message handler of every protected call: returning
	// the error unchanged stops gopher-lua from building a traceback, which
	// has a line per tail call and takes seconds (and gigabytes) after a
	// long tail-call loop.
	keepError *lua.LFunction
	// clockStart is the zero of os.clock in this evaluation.
	clockStart float64
	clockSet   bool
	// readClock is set when the script read the time (os.time(),
	// os.date() of now, os.clock()): its result may change with no event.
	readClock bool

	// The pattern functions' matcher, compiled patterns and gmatch's
	// iterator (see strlib.go).
	m          matcher
	patterns   map[string]*pattern
	gmatchIter *lua.LFunction
}

func newState(opts *Options, openLibs bool) *state {
	L := lua.NewState(lua.Options{
		SkipOpenLibs:    true,
		CallStackSize:   opts.CallStackSize,
		RegistrySize:    opts.RegistrySize,
		RegistryMaxSize: opts.RegistryMaxSize,
		// gopher-lua grows the data stack by this many slots at a time,
		// copying it each time: small steps make one unpack of a long range
		// quadratic (and deaf to the deadline).
		RegistryGrowStep: max(opts.RegistrySize, 1024),
	})
	st := &state{L: L, opts: opts, openLibs: openLibs, loaded: map[string]lua.LValue{}}
	st.keepError = L.NewFunction(keepError)
	openLib(L, lua.OpenBase, lua.BaseLibName)
	openLib(L, lua.OpenTable, lua.TabLibName)
	if openLibs {
		openLib(L, lua.OpenString, lua.StringLibName)
		openLib(L, lua.OpenMath, lua.MathLibName)
	}
	g := L.G.Global
	for _, name := range safeBase {
		if v := g.RawGetString(name); v != lua.LNil {
			st.base = append(st.base, namedValue{name, v})
		}
	}
	st.base = append(st.base,
		namedValue{"print", L.NewFunction(st.print)},
		namedValue{"collectgarbage", L.NewFunction(noop)},
		namedValue{"setmetatable", L.NewFunction(wrapSetMetatable(g.RawGetString("setmetatable")))},
		namedValue{"require", L.NewFunction(st.require)},
		namedValue{"pcall", L.NewFunction(st.pcall)},
		namedValue{concatName, L.NewFunction(st.concat)},
	)

	tbl := harvest(g.RawGetString(lua.TabLibName), nil)
	tbl = replace(tbl, "concat", L.NewFunction(st.tableConcat(goFunc(g, lua.TabLibName, "concat"))))
	st.libs = append(st.libs, library{lua.TabLibName, tbl})
	st.libs = append(st.libs, library{lua.OsLibName, []namedValue{
		{"time", L.NewFunction(st.osTime)},
		{"date", L.NewFunction(st.osDate)},
		{"clock", L.NewFunction(st.osClock)},
	}})
	if openLibs {
		str := harvest(g.RawGetString(lua.StringLibName), map[string]bool{"dump": true})
		str = replace(str, "rep", L.NewFunction(st.strRep))
		str = replace(str, "format", L.NewFunction(st.strFormat(goFunc(g, lua.StringLibName, "format"))))
		// gopher-lua's pattern matching never looks at the deadline: ours
		// does (strlib.go).
		st.patterns = map[string]*pattern{}
		st.gmatchIter = L.NewFunction(gmatchNext)
		str = replace(str, "find", L.NewFunction(st.strFind))
		str = replace(str, "match", L.NewFunction(st.strMatch))
		str = replace(str, "gmatch", L.NewFunction(st.strGmatch))
		str = replace(str, "gsub", L.NewFunction(st.strGsub(st.strGsubMatch)))
		st.libs = append(st.libs, library{lua.StringLibName, str})
		math := harvest(g.RawGetString(lua.MathLibName), nil)
		// math.randomseed would reseed the process-wide generator.
		math = replace(math, "randomseed", L.NewFunction(noop))
		st.libs = append(st.libs, library{lua.MathLibName, math})
	}
	return st
}

func openLib(L *lua.LState, open lua.LGFunction, name string) {
	L.Push(L.NewFunction(open))
	L.Push(lua.LString(name))
	L.Call(1, 0)
}

// harvest lists the fields of a library table, sorted by name, without skip.
func harvest(lib lua.LValue, skip map[string]bool) []namedValue {
	var out []namedValue
	if t, ok := lib.(*lua.LTable); ok {
		t.ForEach(func(k, v lua.LValue) {
			if name, ok := k.(lua.LString); ok && !skip[string(name)] && string(name) != "__index" {
				out = append(out, namedValue{string(name), v})
			}
		})
	}
	slices.SortFunc(out, func(a, b namedValue) int { return strings.Compare(a.name, b.name) })
	return out
}

func replace(lib []namedValue, name string, v lua.LValue) []namedValue {
	for i := range lib {
		if lib[i].name == name {
			lib[i].value = v
			return lib
		}
	}
	return append(lib, namedValue{name, v})
}

// goFunc returns the Go implementation of lib.name as gopher-lua opened it.
func goFunc(g *lua.LTable, lib, name string) lua.LGFunction {
	if t, ok := g.RawGetString(lib).(*lua.LTable); ok {
		if fn, ok := t.RawGetString(name).(*lua.LFunction); ok && fn.IsG {
			return fn.GFunction
		}
	}
	panic(fmt.Sprintf("gopher-lua has no %s.%s", lib, name))
}

// run evaluates proto with obj as the global obj and returns the script's
// last return value (nil when it returns nothing), as Argo CD reads it.
func (st *state) run(ctx context.Context, proto *lua.FunctionProto, obj map[string]any) (lua.LValue, error) {
	L := st.L
	env := L.CreateTable(0, len(st.base)+len(st.libs)+3)
	for _, nv := range st.base {
		env.RawSetString(nv.name, nv.value)
	}
	for _, lib := range st.libs {
		t := L.CreateTable(0, len(lib.funcs))
		for _, nv := range lib.funcs {
			t.RawSetString(nv.name, nv.value)
		}
		env.RawSetString(lib.name, t)
		st.loaded[lib.name] = t
	}
	// Strings index the string library (s:upper()) only when it is open; the
	// metatable is per evaluation too, so that changes to it do not last.
	strMeta := lua.LNil
	if str, ok := st.loaded[lua.StringLibName]; ok {
		mt := L.CreateTable(0, 1)
		mt.RawSetString("__index", str)
		strMeta = mt
	}
	L.SetMetatable(lua.LString(""), strMeta)
	env.RawSetString("_G", env)
	if obj != nil {
		env.RawSetString("obj", toLua(L, obj))
	}

	fn := L.NewFunctionFromProto(proto)
	fn.Env = env
	L.SetContext(ctx)
	defer L.RemoveContext()
	L.Push(fn)
	if err := L.PCall(0, lua.MultRet, st.keepError); err != nil {
		return nil, err
	}
	return L.Get(-1), nil
}

// reset makes a state that evaluated successfully ready for the pool.
func (st *state) reset() {
	st.L.SetTop(0)
	clear(st.loaded)
	st.limitErr = ""
	st.clockSet, st.readClock = false, false
	st.m.release()
}

func (st *state) close() { st.L.Close() }

func noop(L *lua.LState) int {
	L.Push(lua.LNumber(0))
	return 1
}

func (st *state) print(L *lua.LState) int {
	top := L.GetTop()
	var b strings.Builder
	for i := 1; i <= top; i++ {
		if i > 1 {
			b.WriteByte('\t')
		}
		b.WriteString(L.ToStringMeta(L.Get(i)).String())
	}
	b.WriteByte('\n')
	_, _ = st.opts.Print.Write([]byte(b.String()))
	return 0
}

// require returns the libraries of the sandbox (local os = require("os")
// works, as in Argo CD) and nothing else: there is no loading from files.
func (st *state) require(L *lua.LState) int {
	name := L.CheckString(1)
	if m, ok := st.loaded[name]; ok {
		L.Push(m)
		return 1
	}
	names := make([]string, 0, len(st.loaded))
	for n := range st.loaded {
		names = append(names, n)
	}
	slices.Sort(names)
	L.RaiseError("module %q not found: health scripts cannot load modules or files; require knows only %s", name, strings.Join(names, ", "))
	return 0
}

// wrapSetMetatable limits setmetatable to tables, as in Lua 5.1: gopher-lua
// would also set the shared metatable of a whole type (numbers, strings),
// which would outlive the evaluation in a pooled state.
func wrapSetMetatable(orig lua.LValue) lua.LGFunction {
	fn := orig.(*lua.LFunction).GFunction
	return func(L *lua.LState) int {
		L.CheckTable(1)
		return fn(L)
	}
}

func keepError(L *lua.LState) int {
	L.Push(L.Get(1))
	return 1
}

// pcall is Lua's pcall without the traceback gopher-lua would build for
// every caught error (see keepError).
func (st *state) pcall(L *lua.LState) int {
	fn := L.CheckAny(1)
	if fn.Type() != lua.LTFunction && L.GetMetaField(fn, "__call").Type() != lua.LTFunction {
		L.Push(lua.LFalse)
		L.Push(lua.LString("attempt to call a " + fn.Type().String() + " value"))
		return 2
	}
	if err := L.PCall(L.GetTop()-1, lua.MultRet, st.keepError); err != nil {
		L.Push(lua.LFalse)
		var apiErr *lua.ApiError
		if errors.As(err, &apiErr) {
			L.Push(apiErr.Object)
		} else {
			L.Push(lua.LString(err.Error()))
		}
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}
