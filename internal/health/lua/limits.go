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
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The wrappers below bound what one library call may allocate. The
// instruction loop looks at the deadline between instructions only, so one
// call that builds gigabytes (string.rep("x", 1e10)) would exhaust memory
// before the deadline is ever seen.

// maxPatternSubjectDivisor bounds the subject of string.gsub relative to
// MaxStringBytes: gsub collects every match before replacing, as gopher-lua
// does (8 bytes for each, and 8 more for each capture).
const maxPatternSubjectDivisor = 8

// raiseLimit records and raises a string-limit error.
func (st *state) raiseLimit(L *lua.LState, format string, args ...any) {
	st.limitErr = fmt.Sprintf(format, args...) + fmt.Sprintf(" (the limit is %d bytes)", st.opts.MaxStringBytes)
	L.RaiseError("%s", st.limitErr)
}

// strRep is string.rep(s, n) with a bound on the result.
func (st *state) strRep(L *lua.LState) int {
	s := L.CheckString(1)
	n := L.CheckInt(2)
	if n <= 0 || s == "" {
		L.Push(lua.LString(""))
		return 1
	}
	if n > st.opts.MaxStringBytes/len(s) {
		st.raiseLimit(L, "string.rep: a result of %d x %d bytes is too large", n, len(s))
	}
	L.Push(lua.LString(strings.Repeat(s, n)))
	return 1
}

// strFormat refuses widths and precisions of more than two digits (Lua 5.1
// does too: "invalid format (width or precision too long)") and results
// above the limit, then formats as gopher-lua does.
func (st *state) strFormat(orig lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		f := L.CheckString(1)
		size := len(f)
		for i := 0; i < len(f); i++ {
			if f[i] != '%' {
				continue
			}
			i++
			if i < len(f) && f[i] == '%' {
				continue
			}
			for i < len(f) && strings.IndexByte("-+ #0", f[i]) >= 0 {
				i++
			}
			digits := 0
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				i++
				digits++
			}
			precision := 0
			if i < len(f) && f[i] == '.' {
				i++
				for i < len(f) && f[i] >= '0' && f[i] <= '9' {
					i++
					precision++
				}
			}
			if digits > 2 || precision > 2 {
				L.RaiseError("invalid format (width or precision too long)")
			}
			size += 100
		}
		for i := 2; i <= L.GetTop(); i++ {
			if s, ok := L.Get(i).(lua.LString); ok {
				size += len(s)
			}
		}
		if size > st.opts.MaxStringBytes {
			st.raiseLimit(L, "string.format: a result of up to %d bytes is too large", size)
		}
		return orig(L)
	}
}

// strGsub bounds string.gsub: its subject, the worst case of a string
// replacement, and the running total of function or table replacements.
func (st *state) strGsub(orig lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		s := L.CheckString(1)
		L.CheckString(2)
		L.CheckTypes(3, lua.LTString, lua.LTTable, lua.LTFunction)
		limit := st.opts.MaxStringBytes
		if len(s) > limit/maxPatternSubjectDivisor {
			st.raiseLimit(L, "string.gsub: a subject of %d bytes is too large for pattern matching", len(s))
		}
		// Only a positive n bounds the replacements: in gopher-lua (and so
		// in orig) 0 stops after a failed first try and means no limit
		// after a successful one.
		matches := len(s) + 1
		if n := L.OptInt(4, -1); n > 0 && n < matches {
			matches = n
		}
		switch repl := L.Get(3).(type) {
		case lua.LString:
			refs := strings.Count(string(repl), "%")
			worst := len(s) + matches*(len(repl)+refs*len(s))
			if worst > limit || worst < 0 {
				st.raiseLimit(L, "string.gsub: a result of up to %d bytes is too large", worst)
			}
		case *lua.LFunction, *lua.LTable:
			L.Replace(3, L.NewFunction(st.countingRepl(repl, len(s))))
		}
		return orig(L)
	}
}

// countingRepl calls a function replacement (or indexes a table one) as gsub
// would, and stops once the replacements add up to more than the limit.
func (st *state) countingRepl(repl lua.LValue, base int) lua.LGFunction {
	total := base
	return func(L *lua.LState) int {
		var v lua.LValue
		if fn, ok := repl.(*lua.LFunction); ok {
			n := L.GetTop()
			L.Push(fn)
			for i := 1; i <= n; i++ {
				L.Push(L.Get(i))
			}
			L.Call(n, 1)
			v = L.Get(-1)
		} else {
			v = L.GetTable(repl, L.Get(1))
		}
		switch rv := v.(type) {
		case lua.LString:
			total += len(rv)
		case lua.LNumber:
			total += 32
		}
		if total > st.opts.MaxStringBytes {
			st.raiseLimit(L, "string.gsub: replacements of more than %d bytes are too large", total)
		}
		L.Push(v)
		return 1
	}
}

// tableConcat adds up the parts before table.concat joins them.
func (st *state) tableConcat(orig lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		t := L.CheckTable(1)
		sep := L.OptString(2, "")
		n := t.Len()
		i := max(L.OptInt(3, 1), 1)
		j := min(L.OptInt(4, n), n)
		size := 0
		for k := i; k <= j; k++ {
			switch v := t.RawGetInt(k).(type) {
			case lua.LString:
				size += len(v) + len(sep)
			case lua.LNumber:
				size += 32 + len(sep)
			}
			if size > st.opts.MaxStringBytes {
				st.raiseLimit(L, "table.concat: a result of more than %d bytes is too large", size)
			}
		}
		return orig(L)
	}
}
