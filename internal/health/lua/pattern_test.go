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
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// patternPrelude serializes results the same way in both implementations:
// the number of values, then each value with its type (a string quoted).
const patternPrelude = `
local function ser(...)
  local out = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "string" then out[i] = "'" .. v .. "'" else out[i] = type(v) .. ":" .. tostring(v) end
  end
  return select("#", ...) .. "{" .. table.concat(out, ",") .. "}"
end
local function gm(s, p)
  local out = {}
  for a, b, c in string.gmatch(s, p) do out[#out + 1] = ser(a, b, c) end
  return #out .. ":" .. table.concat(out, " ")
end
local function try(f)
  local ok, r = pcall(f)
  if ok then return r end
  return "error: " .. tostring(r)
end
local results = {}
`

// patternScript runs each expression (a Lua expression list) in pcall and
// returns the serialized results, one a line, as the message.
func patternScript(exprs []string) string {
	var b strings.Builder
	b.WriteString(patternPrelude)
	for _, e := range exprs {
		fmt.Fprintf(&b, "results[#results + 1] = try(function() return ser(%s) end)\n", e)
	}
	b.WriteString(`return {status = "Healthy", message = table.concat(results, "\n")}`)
	return b.String()
}

// gopherResults runs script in a plain gopher-lua state: the reference.
func gopherResults(tb testing.TB, script string) []string {
	tb.Helper()
	L := lua.NewState()
	defer L.Close()
	if err := L.DoString(script); err != nil {
		tb.Fatalf("gopher-lua: %v", err)
	}
	return strings.Split(L.GetField(L.Get(-1), "message").String(), "\n")
}

// sandboxResults runs script in our sandbox with the open libraries.
func sandboxResults(tb testing.TB, e *Engine, script string) []string {
	tb.Helper()
	res, err := e.Eval(context.Background(), script, true, nil)
	if err != nil {
		tb.Fatalf("sandbox: %v", err)
	}
	return strings.Split(res.Message, "\n")
}

// comparePatterns runs exprs in both and reports every difference.
func comparePatterns(t *testing.T, exprs []string) {
	t.Helper()
	// gopher-lua's table.concat overflows its stack beyond a few thousand.
	const batch = 500
	for len(exprs) > batch {
		comparePatterns(t, exprs[:batch])
		exprs = exprs[batch:]
	}
	script := patternScript(exprs)
	want := gopherResults(t, script)
	got := sandboxResults(t, NewEngine(Options{Timeout: 30 * time.Second}), script)
	if len(got) != len(want) || len(want) != len(exprs) {
		t.Fatalf("%d expressions, gopher-lua gave %d results, the sandbox %d", len(exprs), len(want), len(got))
	}
	for i, e := range exprs {
		if got[i] != want[i] {
			t.Errorf("%s\n  gopher-lua: %s\n  sandbox:    %s", e, want[i], got[i])
		}
	}
}

// TestPatternsMatchGopherLua compares the corpus (pattern_corpus_test.go)
// with gopher-lua's own string library, results and error messages alike.
func TestPatternsMatchGopherLua(t *testing.T) {
	if len(patternCorpus) < 80 {
		t.Fatalf("the corpus has %d cases", len(patternCorpus))
	}
	comparePatterns(t, patternCorpus)
	// The corpus must exercise errors too, not only matches.
	errs := 0
	for _, r := range gopherResults(t, patternScript(patternCorpus)) {
		if strings.HasPrefix(r, "error: ") {
			errs++
		}
	}
	if errs < 10 {
		t.Errorf("only %d corpus cases fail", errs)
	}
}

// TestPatternsRandom compares random patterns (of the pieces that interact
// in the parser and the matcher) on random subjects.
func TestPatternsRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// Most pieces make patterns that parse; a few break them.
	pieces := []string{"a", "b", "x", ".", "%a", "%d", "%s", "%W", "%%", "[ab]", "[^a]", "[a-c]", "[%a-]", "*", "+", "-", "?",
		"()", "(a)", "(.-)", "(%a+)", "(b*)", "%1", "%b()", "%bab", "^", "$", "%f", "%z", "-a", ".-", "a*", "%a+"}
	breaking := []string{"%", "[]", "[", "]", "(", ")", "%2", "%0", "%b"}
	subjects := []string{"", "a", "ab", "aab", "ba", "x1 y22", "(a(b)c)", "((a)", "abab", "a.b", "AbC-1", "a\x00b", "bbbaaa", "  a  ", "aaaa", "a(b)a(b)", "xyzzy", "1a2b3c"}
	var exprs []string
	for range 5000 {
		var p strings.Builder
		for range 1 + r.IntN(5) {
			if r.IntN(10) == 0 {
				p.WriteString(breaking[r.IntN(len(breaking))])
			} else {
				p.WriteString(pieces[r.IntN(len(pieces))])
			}
		}
		subject := subjects[r.IntN(len(subjects))]
		if r.IntN(2) == 0 { // longer, for backtracking
			var b strings.Builder
			for range r.IntN(40) {
				b.WriteByte("ab()x a"[r.IntN(7)])
			}
			subject = b.String()
		}
		s, pat := luaQuote(subject), luaQuote(p.String())
		switch r.IntN(6) {
		case 0, 1:
			exprs = append(exprs, fmt.Sprintf("string.find(%s, %s, %d)", s, pat, r.IntN(7)-3))
		case 2:
			exprs = append(exprs, fmt.Sprintf("string.match(%s, %s)", s, pat))
		case 3:
			exprs = append(exprs, fmt.Sprintf("gm(%s, %s)", s, pat))
		case 4:
			exprs = append(exprs, fmt.Sprintf("string.gsub(%s, %s, %q, %d)", s, pat, []string{"<%0>", "<%1>", "%2", "%", "%x"}[r.IntN(5)], r.IntN(4)-1))
		default:
			exprs = append(exprs, fmt.Sprintf("string.gsub(%s, %s, function(...) return select('#', ...) .. tostring((...)) end)", s, pat))
		}
	}
	comparePatterns(t, exprs)
}

// luaQuote writes s as a Lua string literal.
func luaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := range len(s) {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\%03d", c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestPatternDeadline runs patterns that backtrack for hours in gopher-lua:
// each evaluation must end at its deadline.
func TestPatternDeadline(t *testing.T) {
	const timeout = 200 * time.Millisecond
	e := NewEngine(Options{Timeout: timeout})
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "big", "annotations": map[string]any{"big": strings.Repeat("a", 1<<20)}}}}
	tests := []struct{ name, script string }{
		{"nested lazy captures", `local s = string.rep("a", 20000) return {status = tostring(string.find(s, "(.-)(.-)(.-)b"))}`},
		{"greedy scan of a large annotation", `return {status = tostring(string.find(obj.metadata.annotations.big, ".*x"))}`},
		{"%b on a long unbalanced string", `local s = string.rep("(", 200000) return {status = tostring(s:find("%b()"))}`},
		{"gsub of .- on a long string", `local s = string.rep("a", 100000) return {status = (s:gsub(".-b", ""))}`},
		{"match as a method", `local s = string.rep("a", 20000) return {status = s:match("(.-)(.-)(.-)b")}`},
		{"gmatch", `local s = string.rep("a", 20000) for x in s:gmatch("(.-)(.-)(.-)b") do end`},
		{"caught by pcall in a loop", `local s = string.rep("a", 20000) while true do pcall(string.find, s, "(.-)(.-)(.-)b") end`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			done := make(chan error, 1)
			go func() {
				_, err := e.Eval(context.Background(), tt.script, true, obj)
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), "deadline") {
					t.Fatalf("got %v after %s, want the deadline (%s)", err, time.Since(start), timeout)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("still running after 30s (the deadline is %s)", timeout)
			}
		})
	}
}

// TestPatternStopMessage calls string.find directly with a context the
// engine cancelled for its deadline: the matcher stops with a clear error.
func TestPatternStopMessage(t *testing.T) {
	opts := DefaultOptions()
	st := newState(&opts, true)
	defer st.close()
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errDeadline)
	st.L.SetContext(ctx)
	st.L.Push(st.L.NewFunction(st.strFind))
	st.L.Push(lua.LString(strings.Repeat("a", 2000)))
	st.L.Push(lua.LString("(.-)(.-)(.-)b"))
	err := st.L.PCall(2, 1, nil)
	if err == nil || !strings.Contains(err.Error(), "pattern matching stopped: the evaluation's deadline passed") {
		t.Fatalf("got %v", err)
	}
}

// TestPatternTooComplex: a pattern of many repetitions to backtrack into
// fails with an error instead of exhausting the Go stack.
func TestPatternTooComplex(t *testing.T) {
	e := NewEngine(Options{Timeout: 30 * time.Second})
	script := `local n = 50000 return {status = tostring(string.find(string.rep("a", n), string.rep("a?", n) .. "b"))}`
	_, err := e.Eval(context.Background(), script, true, nil)
	if err == nil || !strings.Contains(err.Error(), "pattern too complex") {
		t.Fatalf("got %v", err)
	}
}

// TestGsubZeroLimit: as in gopher-lua, gsub's n = 0 stops nothing once
// the first try matches, so the size check must not count on it.
func TestGsubZeroLimit(t *testing.T) {
	e := NewEngine(Options{Timeout: 30 * time.Second})
	script := `local s = string.rep("x", 100000) return {status = s:gsub("", s, 0)}`
	if _, err := e.Eval(context.Background(), script, true, nil); !errors.Is(err, ErrMemoryLimit) {
		t.Fatalf("got %v, want %v", err, ErrMemoryLimit)
	}
}

// BenchmarkPatternFind compares our string.find with gopher-lua's on
// patterns health scripts use, on short subjects.
func BenchmarkPatternFind(b *testing.B) {
	image := "registry.example.com/team/some-service-with-a-long-name:v1.24.3-rc.1-" + strings.Repeat("0", 40)
	cases := []struct{ name, subject, pattern string }{
		{"image tag", image, ":(.-)$"},
		{"version", "v1.24.3", "^v(%d+)%.(%d+)"},
		{"no match", image, "%s"},
	}
	opts := DefaultOptions()
	st := newState(&opts, true)
	defer st.close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	st.L.SetContext(ctx)
	ref := lua.NewState()
	defer ref.Close()
	impls := []struct {
		name string
		L    *lua.LState
		find lua.LValue
	}{
		{"syncwave", st.L, st.L.NewFunction(st.strFind)},
		{"gopher-lua", ref, ref.GetField(ref.GetGlobal("string"), "find")},
	}
	for _, c := range cases {
		for _, impl := range impls {
			b.Run(c.name+"/"+impl.name, func(b *testing.B) {
				L := impl.L
				b.ReportAllocs()
				for b.Loop() {
					L.Push(impl.find)
					L.Push(lua.LString(c.subject))
					L.Push(lua.LString(c.pattern))
					L.Call(2, lua.MultRet)
					L.SetTop(0)
				}
			})
		}
	}
}
