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
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/syncwave/syncwave/internal/health"
)

// guideScript is the guide's MyDatabaseInstance check (examples/custom-health).
//
//nolint:dupword // Lua closes nested blocks with "end end"
const guideScript = `hs = {}
if obj.status ~= nil then
  if obj.status.phase == "Running" then
    hs.status = "Healthy"
    hs.message = "Database is fully synchronized and running."
    return hs
  end
  if obj.status.phase == "Failed" then
    hs.status = "Degraded"
    hs.message = "Database initialization failed: " .. obj.status.reason
    return hs
  end
end
hs.status = "Progressing"
hs.message = "Database is provisioning schema or allocating storage..."
return hs
`

func dbInstance(status map[string]any) *unstructured.Unstructured {
	obj := map[string]any{
		"apiVersion": "databases.example.com/v1",
		"kind":       "MyDatabaseInstance",
		"metadata":   map[string]any{"name": "db", "namespace": "default", "generation": int64(1)},
	}
	if status != nil {
		obj["status"] = status
	}
	return &unstructured.Unstructured{Object: obj}
}

func TestEvalGuideScript(t *testing.T) {
	e := NewEngine(Options{})
	tests := []struct {
		name    string
		status  map[string]any
		want    health.Result
		wantErr error
	}{
		{"running", map[string]any{"phase": "Running"},
			health.Result{Status: health.Healthy, Message: "Database is fully synchronized and running.", Source: health.SourceLua}, nil},
		{"failed", map[string]any{"phase": "Failed", "reason": "disk full"},
			health.Result{Status: health.Degraded, Message: "Database initialization failed: disk full", Source: health.SourceLua}, nil},
		{"pending", map[string]any{"phase": "Pending"},
			health.Result{Status: health.Progressing, Message: "Database is provisioning schema or allocating storage...", Source: health.SourceLua}, nil},
		{"no status", nil,
			health.Result{Status: health.Progressing, Message: "Database is provisioning schema or allocating storage...", Source: health.SourceLua}, nil},
		// The guide's script concatenates a missing reason: Argo CD gives
		// Unknown with gopher-lua's message, and so do we.
		{"failed without reason", map[string]any{"phase": "Failed"},
			health.Result{Status: health.Unknown, Message: "lua: runtime error: <string>:10: cannot perform concat operation between string and nil", Source: health.SourceLua}, ErrRuntime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			for _, open := range []bool{false, true} {
				got, err := e.Eval(context.Background(), guideScript, open, dbInstance(tt.status))
				if tt.wantErr == nil {
					g.Expect(err).NotTo(HaveOccurred())
				} else {
					g.Expect(err).To(MatchError(tt.wantErr))
				}
				g.Expect(got).To(Equal(tt.want))
			}
		})
	}
}

func TestEvalResults(t *testing.T) {
	e := NewEngine(Options{})
	obj := dbInstance(map[string]any{"phase": "Running"})
	tests := []struct {
		name, script string
		want         health.Status
		wantMsg      string // substring
		wantErr      error
	}{
		{"status and message", `return {status = "Suspended", message = "paused"}`, health.Suspended, "paused", nil},
		{"status only", `return {status = "Missing"}`, health.Missing, "", nil},
		{"explicit Unknown is not an error", `return {status = "Unknown", message = "cannot tell"}`, health.Unknown, "cannot tell", nil},
		{"last return value counts, as in Argo CD", `return 1, {status = "Healthy"}`, health.Healthy, "", nil},
		{"extra fields are ignored", `return {status = "Healthy", message = "ok", extra = {1, 2}}`, health.Healthy, "ok", nil},
		{"unknown status string", `return {status = "Fine"}`, health.Unknown, `invalid health status "Fine"`, ErrInvalidResult},
		{"lower-case status", `return {status = "healthy"}`, health.Unknown, `invalid health status "healthy"`, ErrInvalidResult},
		{"no status", `return {message = "hi"}`, health.Unknown, "no status", ErrInvalidResult},
		{"empty table", `return {}`, health.Unknown, "no status", ErrInvalidResult},
		{"number status", `return {status = 1}`, health.Unknown, "field status of the returned table is a number", ErrInvalidResult},
		{"number message", `return {status = "Healthy", message = 5}`, health.Unknown, "field message of the returned table is a number", ErrInvalidResult},
		{"nil return", `return nil`, health.Unknown, "returned nil, want a table", ErrInvalidResult},
		{"no return", `local x = 1`, health.Unknown, "returned nil, want a table", ErrInvalidResult},
		{"string return", `return "Healthy"`, health.Unknown, "returned string, want a table", ErrInvalidResult},
		{"syntax error", `return {status = `, health.Unknown, "lua: syntax error", ErrCompile},
		{"nil index", `return {status = obj.spec.foo}`, health.Unknown, "attempt to index a non-table object(nil) with key 'foo'", ErrRuntime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			got, err := e.Eval(context.Background(), tt.script, false, obj)
			if tt.wantErr == nil {
				g.Expect(err).NotTo(HaveOccurred())
			} else {
				g.Expect(err).To(MatchError(tt.wantErr))
				g.Expect(got.Message).To(Equal(err.Error()))
			}
			g.Expect(got.Status).To(Equal(tt.want))
			g.Expect(got.Message).To(ContainSubstring(tt.wantMsg))
			g.Expect(got.Source).To(Equal(health.SourceLua))
		})
	}
}

// TestUseOpenLibs pins Argo CD's useOpenLibs semantics: without it a script
// has base, table and a safe os only; with it also string and math.
func TestUseOpenLibs(t *testing.T) {
	e := NewEngine(Options{})
	obj := dbInstance(map[string]any{"phase": "Running"})
	tests := []struct {
		name       string
		script     string
		closedLibs bool // also works without useOpenLibs
	}{
		{"table", `local t = {"b", "a"} table.sort(t) table.insert(t, "c") return {status = "Healthy", message = table.concat(t, ",")}`, true},
		{"os.time and os.date", `local now = os.time() local d = os.date("!*t", 0) return {status = "Healthy", message = tostring(now > 0 and d.year == 1970)}`, true},
		{"require os", `local os2 = require("os") return {status = "Healthy", message = tostring(os2.time() > 0)}`, true},
		{"base", `local n = 0 for _, v in ipairs({1, 2}) do n = n + v end for k in pairs({a = 1}) do n = n + 1 end
			return {status = "Healthy", message = tostring(n) .. type(nil) .. tostring(tonumber("4")) .. select("#", 1, 2) .. tostring(pcall(error, "x"))}`, true},
		{"string library", `return {status = "Healthy", message = string.upper(string.sub("abc", 1, 2))}`, false},
		{"string methods", `local s = "v1.2" return {status = "Healthy", message = s:match("^v(%d+)")}`, false},
		{"string.format", `return {status = "Healthy", message = string.format("%d of %s", 3, "x")}`, false},
		{"math", `return {status = "Healthy", message = tostring(math.floor(2.5) + math.max(1, 2))}`, false},
		{"require string", `local s = require("string") return {status = "Healthy", message = s.lower("A")}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			got, err := e.Eval(context.Background(), tt.script, true, obj)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got.Status).To(Equal(health.Healthy))

			got, err = e.Eval(context.Background(), tt.script, false, obj)
			if tt.closedLibs {
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(got.Status).To(Equal(health.Healthy))
			} else {
				g.Expect(err).To(MatchError(ErrRuntime))
				g.Expect(got.Status).To(Equal(health.Unknown))
			}
		})
	}
}

// TestAdversarial runs hostile scripts: each must give Unknown with a clear
// message, about within the deadline, and leave the engine working.
func TestAdversarial(t *testing.T) {
	// Loops meet the default deadline (1 s). The cases that must hit a
	// memory limit get a long deadline, so that a loaded machine (or -race)
	// cannot turn them into timeouts.
	loops := NewEngine(Options{})
	patient := NewEngine(Options{Timeout: 30 * time.Second})
	obj := dbInstance(map[string]any{"phase": "Running"})
	tests := []struct {
		name     string
		script   string
		openLibs bool
		wantErr  error
		wantMsg  string
	}{
		{"infinite loop", `while true do end`, false, ErrTimeout, "ran longer than 1s"},
		{"infinite loop swallowing the deadline in pcall", `while true do pcall(function() while true do end end) end`, false, ErrTimeout, "ran longer than"},
		{"infinite tail calls", `local function f() return f() end return f()`, false, ErrTimeout, "ran longer than"},
		{"tail calls caught by pcall", `local function f() return f() end while true do pcall(f) end`, false, ErrTimeout, "ran longer than"},
		{"deep recursion", `local function f(n) return 1 + f(n + 1) end return f(1)`, false, ErrRuntime, "stack overflow"},
		{"recursion through metamethods", `local t = setmetatable({}, {}) getmetatable(t).__index = function(t, k) return t[k] end return {status = t.x}`, false, ErrRuntime, "stack overflow"},
		{"multi-GB string by doubling", `local s = "x" while true do s = s .. s end`, false, ErrMemoryLimit, "is too large"},
		{"multi-GB string by long concat", `local s = "xxxxxxxxxx" while true do s = s..s..s..s..s..s..s..s..s..s end`, false, ErrMemoryLimit, "is too large"},
		{"multi-GB string.rep", `return {status = string.rep("x", 4 * 1024 * 1024 * 1024)}`, true, ErrMemoryLimit, "string.rep"},
		{"string.rep doubling", `local s = string.rep("x", 1024 * 1024) while true do s = string.rep(s, 2) end`, true, ErrMemoryLimit, "string.rep"},
		{"huge format width", `return {status = string.format("%99999999d", 1)}`, true, ErrRuntime, "width or precision too long"},
		{"gsub amplification", `local s = string.rep("x", 100000) return {status = s:gsub("", s)}`, true, ErrMemoryLimit, "string.gsub"},
		{"gsub function amplification", `local s = string.rep("x", 100000) return {status = s:gsub("x", function() return s end)}`, true, ErrMemoryLimit, "string.gsub"},
		{"table.concat amplification", `local s = string.rep("x", 1000000) local t = {} for i = 1, 100 do t[i] = s end return {status = table.concat(t)}`, true, ErrMemoryLimit, "table.concat"},
		{"huge table", `local t = {} local i = 0 while true do i = i + 1 t[i] = {i} end`, false, nil, ""},
		{"unpack of a huge range", `return {status = unpack({}, 1, 100000000)}`, false, ErrRuntime, ""},
		{"os.execute", `os.execute("touch /tmp/pwned")`, true, ErrRuntime, "attempt to call a non-function object"},
		{"os.exit", `os.exit(1)`, true, ErrRuntime, "attempt to call a non-function object"},
		{"os.getenv", `return {status = os.getenv("HOME")}`, true, ErrRuntime, "attempt to call a non-function object"},
		{"io.open", `local f = io.open("/etc/passwd") return {status = f:read("*a")}`, true, ErrRuntime, "attempt to index a non-table object(nil) with key 'open'"},
		{"require of a path", `local m = require("/etc/passwd")`, true, ErrRuntime, `module "/etc/passwd" not found`},
		{"require of a module", `local m = require("io")`, true, ErrRuntime, `module "io" not found`},
		{"dofile", `dofile("/etc/passwd")`, true, ErrRuntime, "attempt to call a non-function object"},
		{"loadfile", `loadfile("/etc/passwd")()`, true, ErrRuntime, "attempt to call a non-function object"},
		{"load of a string", `local f = load("return 1") return {status = f()}`, true, ErrRuntime, "attempt to call a non-function object"},
		{"loadstring", `return loadstring("return {status = 'Healthy'}")()`, true, ErrRuntime, "attempt to call a non-function object"},
		{"debug", `debug.sethook(function() end, "l")`, true, ErrRuntime, "attempt to index a non-table object(nil) with key 'sethook'"},
		{"package.loadlib", `package.loadlib("/lib/libc.so.6", "system")`, true, ErrRuntime, "attempt to index a non-table object(nil) with key 'loadlib'"},
		{"setfenv", `setfenv(0, {})`, true, ErrRuntime, "attempt to call a non-function object"},
		{"string.dump", `return {status = string.dump(function() end)}`, true, ErrRuntime, "attempt to call a non-function object"},
		{"metatable of all strings", `setmetatable("", {__index = function() return "Healthy" end})`, true, ErrRuntime, "table expected"},
		{"error()", `error("boom")`, false, ErrRuntime, "<string>:1: boom"},
		{"error() with a table", `error({code = 1})`, false, ErrRuntime, "table"},
		{"returning a number", `return 42`, false, ErrInvalidResult, "returned number, want a table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			e := loops
			if errors.Is(tt.wantErr, ErrMemoryLimit) {
				e = patient
			}
			deadline := e.Options().Timeout
			start := time.Now()
			got, err := e.Eval(context.Background(), tt.script, tt.openLibs, obj)
			elapsed := time.Since(start)
			g.Expect(err).To(HaveOccurred())
			if tt.wantErr != nil {
				g.Expect(err).To(MatchError(tt.wantErr))
			} else {
				// The huge table is stopped by the deadline or by the memory
				// watchdog, whichever comes first on this machine.
				g.Expect(errors.Is(err, ErrTimeout) || errors.Is(err, ErrMemoryLimit)).To(BeTrue(), "%v", err)
			}
			g.Expect(got.Status).To(Equal(health.Unknown))
			g.Expect(got.Message).To(Equal(err.Error()))
			g.Expect(got.Message).To(ContainSubstring(tt.wantMsg))
			// Loose on purpose (shared CI machines, -race): the point is
			// "bounded by the deadline", not "minutes or never". Timing is
			// measured by the benchmarks, not asserted here.
			g.Expect(elapsed).To(BeNumerically("<", deadline+10*time.Second))

			// The engine still works.
			ok, err := e.Eval(context.Background(), guideScript, tt.openLibs, obj)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(ok.Status).To(Equal(health.Healthy))
		})
	}
}

// TestEvaluationsAreIsolated checks that nothing a script does to its
// globals or libraries is seen by the next evaluation on a pooled state.
func TestEvaluationsAreIsolated(t *testing.T) {
	g := NewWithT(t)
	e := NewEngine(Options{})
	obj := dbInstance(nil)
	for range 20 {
		_, err := e.Eval(context.Background(), `hs = {status = "Degraded"} leaked = true string.upper = nil table.insert = nil
			os.time = function() return 0 end getmetatable("").__index = {} return hs`, true, obj)
		g.Expect(err).NotTo(HaveOccurred())
	}
	for range 20 {
		got, err := e.Eval(context.Background(), `if leaked ~= nil or hs ~= nil then return {status = "Degraded", message = "leaked"} end
			local t = {} table.insert(t, ("a"):upper()) return {status = "Healthy", message = string.upper(t[1]) .. tostring(os.time() > 0)}`, true, obj)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(got.Status).To(Equal(health.Healthy))
		g.Expect(got.Message).To(Equal("Atrue"))
	}
}

func TestEvalConcurrent(t *testing.T) {
	// A long deadline: this test is about sharing, not time, and runs with
	// -race on loaded machines. The third script runs long enough to start
	// the memory watchdog, then finishes.
	e := NewEngine(Options{Timeout: time.Minute})
	scripts := []string{guideScript, `return {status = "Healthy", message = obj.metadata.name}`,
		`local n = 0 for i = 1, 300000 do n = n + i end return {status = "Healthy", message = tostring(n)}`}
	var wg sync.WaitGroup
	errs := make(chan error, 64*20)
	for w := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				phase := "Running"
				if (w+i)%2 == 0 {
					phase = "Pending"
				}
				script := scripts[(w+i)%2]
				if w == 0 && i == 0 {
					script = scripts[2] // one slow script among the fast ones
				}
				got, err := e.Eval(context.Background(), script, w%2 == 0, dbInstance(map[string]any{"phase": phase}))
				switch {
				case err != nil:
					errs <- err
				case script == guideScript && phase == "Running" && got.Status != health.Healthy,
					script == guideScript && phase == "Pending" && got.Status != health.Progressing:
					errs <- fmt.Errorf("phase %s: got %s", phase, got.Status)
				case script == scripts[1] && got.Message != "db":
					errs <- fmt.Errorf("got %q", got.Message)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	g := NewWithT(t)
	var all []string
	for err := range errs {
		all = append(all, err.Error())
	}
	g.Expect(all).To(BeEmpty())
}

func TestObjectConversion(t *testing.T) {
	g := NewWithT(t)
	e := NewEngine(Options{})
	obj := &unstructured.Unstructured{Object: map[string]any{
		"kind": "X",
		"spec": map[string]any{
			"replicas": int64(3), "ratio": 0.5, "enabled": true, "nothing": nil,
			"list": []any{"a", nil, "c"}, "objs": []any{map[string]any{"n": int64(1)}, map[string]any{"n": int64(2)}},
		},
	}}
	script := `local s = obj.spec
	local parts = {
		tostring(s.replicas + 1), tostring(s.ratio * 2), tostring(s.enabled), tostring(s.nothing),
		tostring(#s.list), s.list[1], s.list[2], tostring(s.objs[2].n), tostring(obj.status),
	}
	return {status = "Healthy", message = table.concat(parts, " ")}`
	got, err := e.Eval(context.Background(), script, false, obj)
	g.Expect(err).NotTo(HaveOccurred())
	// A null element is skipped, so later ones move down, as in Argo CD.
	g.Expect(got.Message).To(Equal("4 1 true nil 2 a c 2 nil"))
}

func TestPrint(t *testing.T) {
	g := NewWithT(t)
	var b strings.Builder
	e := NewEngine(Options{Print: &b})
	_, err := e.Eval(context.Background(), `print("phase", obj.status.phase) return {status = "Healthy"}`, false, dbInstance(map[string]any{"phase": "Running"}))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(b.String()).To(Equal("phase\tRunning\n"))
}

func TestEvalCanceledContext(t *testing.T) {
	g := NewWithT(t)
	e := NewEngine(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := e.Eval(ctx, `while true do end`, false, dbInstance(nil))
	g.Expect(err).To(MatchError(context.Canceled))
	g.Expect(got.Status).To(Equal(health.Unknown))
}

func TestCompileCache(t *testing.T) {
	g := NewWithT(t)
	e := NewEngine(Options{CacheSize: 2})
	for i := range 5 {
		g.Expect(e.Compile(fmt.Sprintf("return {status = %q}", fmt.Sprint(i)))).To(Succeed())
	}
	g.Expect(len(e.cache)).To(BeNumerically("<=", 2))
	g.Expect(e.Compile("return {")).To(MatchError(ErrCompile))
}
