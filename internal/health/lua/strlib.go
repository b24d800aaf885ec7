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
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// string.find, string.match, string.gmatch and string.gsub on our matcher
// (pattern.go, match.go), which stops at the evaluation's deadline where
// gopher-lua's would run for hours. Their arguments, results and errors are
// gopher-lua's, including where it departs from Lua 5.1: find with an empty
// pattern returns 1, 0 whatever init is, and is plain only when called with
// exactly four arguments; match returns nothing (not nil) when nothing
// matches; gmatch finds all its matches when called; gsub keeps "%x" in a
// replacement string as it is, takes a table or function value that is not
// a string or number as "", and returns its subject unchanged (a number
// stays a number) when nothing matches.

// Compiled patterns are cached per state: scripts use a handful of short
// patterns, on every evaluation.
const (
	patternCacheSize = 64
	maxCachedPattern = 256
)

func (st *state) compilePattern(L *lua.LState, p string) *pattern {
	if pat, ok := st.patterns[p]; ok {
		return pat
	}
	pat, err := compilePattern(p)
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	if len(p) <= maxCachedPattern {
		if len(st.patterns) >= patternCacheSize {
			clear(st.patterns)
		}
		st.patterns[p] = pat
	}
	return pat
}

func (st *state) search(L *lua.LState, s, p string) *matcher {
	st.m.reset(L, s, st.compilePattern(L, p))
	return &st.m
}

// goPanic raises msg as gopher-lua reports a Go runtime error in a library
// function: without a position.
func goPanic(L *lua.LState, format string, args ...any) {
	L.Error(lua.LString(fmt.Sprintf(format, args...)), 0)
}

func (st *state) strFind(L *lua.LState) int {
	s := L.CheckString(1)
	p := L.CheckString(2)
	if p == "" {
		L.Push(lua.LNumber(1))
		L.Push(lua.LNumber(0))
		return 2
	}
	init := L.OptInt(3, 1)
	if init != 0 {
		init--
	}
	if init < 0 {
		init += len(s) + 1
	}
	init = max(init, 0)
	if L.GetTop() == 4 && lua.LVAsBool(L.Get(4)) {
		if init > len(s) {
			goPanic(L, "runtime error: slice bounds out of range [%d:%d]", init, len(s))
		}
		i := strings.Index(s[init:], p)
		if i < 0 {
			L.Push(lua.LNil)
			return 1
		}
		L.Push(lua.LNumber(init + i + 1))
		L.Push(lua.LNumber(init + i + len(p)))
		return 2
	}
	m := st.search(L, s, p)
	if m.scan(init, 1, false) == 0 {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(lua.LNumber(m.start + 1))
	L.Push(lua.LNumber(m.end))
	return 2 + m.pushCaptures()
}

// pushCaptures pushes the captures of the last match.
func (m *matcher) pushCaptures() int {
	for _, c := range m.caps[1:] {
		m.L.Push(captureValue(m.src, c.start, c.end))
	}
	return len(m.caps) - 1
}

func captureValue(s string, start, end int) lua.LValue {
	if end == capPosition {
		return lua.LNumber(start + 1)
	}
	return lua.LString(s[start:end])
}

func (st *state) strMatch(L *lua.LState) int {
	s := L.CheckString(1)
	p := L.CheckString(2)
	init := L.OptInt(3, 1)
	if init < 0 {
		init += len(s) + 1
	}
	init = max(init-1, 0)
	m := st.search(L, s, p)
	if m.scan(init, 1, false) == 0 {
		return 0
	}
	if m.pat.ncap == 0 {
		L.Push(lua.LString(s[m.start:m.end]))
		return 1
	}
	return m.pushCaptures()
}

type gmatchState struct {
	src   string
	ncap  int
	found []int32
	next  int
}

func (st *state) strGmatch(L *lua.LState) int {
	s := L.CheckString(1)
	p := L.CheckString(2)
	m := st.search(L, s, p)
	m.scan(0, -1, true)
	ud := L.NewUserData()
	ud.Value = &gmatchState{src: s, ncap: m.pat.ncap, found: m.found}
	m.found = nil // the iterator owns it now
	L.Push(st.gmatchIter)
	L.Push(ud)
	return 2
}

func gmatchNext(L *lua.LState) int {
	g, ok := L.CheckUserData(1).Value.(*gmatchState)
	if !ok {
		L.ArgError(1, "not the state of a string.gmatch")
	}
	width := 2 + 2*g.ncap
	i, n := g.next, len(g.found)/width
	g.next++
	switch {
	case i == n:
		return 0
	case i > n: // called again after the end
		goPanic(L, "runtime error: index out of range [%d] with length %d", i, n)
	}
	rec := g.found[i*width : (i+1)*width]
	if g.ncap == 0 {
		L.Push(lua.LString(g.src[rec[0]:rec[1]]))
		return 1
	}
	for k := 2; k < width; k += 2 {
		L.Push(captureValue(g.src, int(rec[k]), int(rec[k+1])))
	}
	return g.ncap
}

// strGsubMatch is string.gsub without the memory limits (strGsub in
// limits.go wraps it). Every match is found before the first replacement
// is made, as in gopher-lua, so that a replacement function is called the
// same number of times before an error.
func (st *state) strGsubMatch(L *lua.LState) int {
	s := L.CheckString(1)
	p := L.CheckString(2)
	L.CheckTypes(3, lua.LTString, lua.LTTable, lua.LTFunction)
	repl := L.CheckAny(3)
	limit := L.OptInt(4, -1)
	m := st.search(L, s, p)
	n := m.scan(0, limit, true)
	if n == 0 {
		L.SetTop(1)
		L.Push(lua.LNumber(0))
		return 2
	}
	found, ncap := m.found, m.pat.ncap
	m.found = nil // a replacement function may search again
	var parts []replPart
	if r, ok := repl.(lua.LString); ok {
		parts = parseRepl(string(r))
	}
	var b strings.Builder
	b.Grow(len(s))
	width, prev := 2+2*ncap, 0
	for i := range n {
		rec := found[i*width : (i+1)*width]
		start, end := int(rec[0]), int(rec[1])
		b.WriteString(s[prev:start])
		prev = end
		var v lua.LValue
		switch r := repl.(type) {
		case lua.LString:
			for _, part := range parts {
				if part.capture < 0 {
					b.WriteString(part.text)
				} else {
					b.WriteString(replCapture(L, s, rec, part.capture))
				}
			}
			continue
		case *lua.LTable:
			v = L.GetTable(r, firstCapture(s, rec))
		case *lua.LFunction:
			L.Push(r)
			if ncap == 0 {
				L.Push(lua.LString(s[start:end]))
			}
			for k := 2; k < width; k += 2 {
				L.Push(captureValue(s, int(rec[k]), int(rec[k+1])))
			}
			L.Call(max(ncap, 1), 1)
			v = L.Get(-1)
			L.Pop(1)
		}
		if lua.LVIsFalse(v) {
			b.WriteString(s[start:end])
		} else {
			b.WriteString(lua.LVAsString(v))
		}
	}
	b.WriteString(s[prev:])
	if st.m.found == nil {
		st.m.found = found[:0]
	}
	L.Push(lua.LString(b.String()))
	L.Push(lua.LNumber(n))
	return 2
}

// firstCapture is the key of a table replacement: the first capture, or the
// whole match.
func firstCapture(s string, rec []int32) lua.LValue {
	if len(rec) > 2 {
		return captureValue(s, int(rec[2]), int(rec[3]))
	}
	return lua.LString(s[rec[0]:rec[1]])
}

// replPart is a piece of a replacement string: text, or capture (0 for the
// whole match) when capture >= 0.
type replPart struct {
	text    string
	capture int
}

// parseRepl splits a replacement string as gopher-lua reads it: %% is %,
// %0-%9 a capture, % before anything else stays as it is (both bytes), and
// a % at the end is a %.
func parseRepl(r string) []replPart {
	var parts []replPart
	var text []byte
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c != '%' || i == len(r)-1:
			text = append(text, c)
		case r[i+1] == '%':
			text = append(text, '%')
			i++
		case '0' <= r[i+1] && r[i+1] <= '9':
			parts = append(parts, replPart{text: string(text), capture: -1}, replPart{capture: int(r[i+1] - '0')})
			text = text[:0]
			i++
		default:
			text = append(text, c, r[i+1])
			i++
		}
	}
	return append(parts, replPart{text: string(text), capture: -1})
}

// replCapture is %d of a replacement string for the match rec: as in
// gopher-lua, %0 and (without captures) %1 are the whole match, and a
// missing capture is an error.
func replCapture(L *lua.LState, s string, rec []int32, d int) string {
	ncap := len(rec)/2 - 1
	switch {
	case d == 0 || (d == 1 && ncap == 0):
		return s[rec[0]:rec[1]]
	case d > ncap:
		L.RaiseError("invalid capture index")
	}
	start, end := int(rec[2*d]), int(rec[2*d+1])
	if end == capPosition {
		return strconv.Itoa(start + 1)
	}
	return s[start:end]
}
