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

package lua_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	healthlib "github.com/syncwave/syncwave/config/health"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/health/lua"
)

// shippedScripts returns config/health's scripts by directory.
func shippedScripts(f *testing.F) map[string]string {
	f.Helper()
	out := map[string]string{}
	err := fs.WalkDir(healthlib.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Base(p) != lua.ScriptFile {
			return err
		}
		b, err := fs.ReadFile(healthlib.FS, p)
		out[path.Dir(p)] = string(b)
		return err
	})
	if err != nil || len(out) == 0 {
		f.Fatalf("read config/health: %d scripts, %v", len(out), err)
	}
	return out
}

// fixtureObjects returns the objects of config/health's fixtures.
func fixtureObjects(f *testing.F) [][]byte {
	f.Helper()
	files, _ := filepath.Glob("../../../config/health/*/*/testdata/*.yaml")
	var out [][]byte
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		f.Fatal("no fixtures under config/health")
	}
	return out
}

var validStatus = map[health.Status]bool{health.Healthy: true, health.Progressing: true, health.Degraded: true,
	health.Suspended: true, health.Missing: true, health.Unknown: true}

// checkResult asserts the contract of Eval: a valid status, Unknown with
// the error as message on error, no panic caught, within the deadline.
func checkResult(t *testing.T, res health.Result, err error, took, limit time.Duration) {
	t.Helper()
	if !validStatus[res.Status] {
		t.Fatalf("invalid status %q", res.Status)
	}
	if res.Source != health.SourceLua {
		t.Fatalf("source %q", res.Source)
	}
	if err != nil {
		if res.Status != health.Unknown || res.Message == "" {
			t.Fatalf("error %v gave %s %q, want Unknown with the error", err, res.Status, res.Message)
		}
		// gopher-lua raises a registry overflow (unpack of a huge range) as a
		// Go panic that Eval's safety net turns into ErrRuntime; any other
		// panic is a bug to fix.
		if strings.Contains(err.Error(), "panic:") && !strings.Contains(err.Error(), "registry overflow") {
			t.Fatalf("the engine recovered a panic: %v", err)
		}
		if !errors.Is(err, lua.ErrCompile) && !errors.Is(err, lua.ErrRuntime) && !errors.Is(err, lua.ErrTimeout) &&
			!errors.Is(err, lua.ErrMemoryLimit) && !errors.Is(err, lua.ErrInvalidResult) {
			t.Fatalf("error of no documented kind: %v", err)
		}
	}
	if took > limit {
		t.Fatalf("evaluation took %s, the limit is %s", took, limit)
	}
}

// FuzzShippedScripts runs every script of config/health against any
// object: a valid status or Unknown with a message, never a panic, within
// the deadline.
func FuzzShippedScripts(f *testing.F) {
	scripts := shippedScripts(f)
	for _, obj := range fixtureObjects(f) {
		f.Add(obj)
	}
	f.Add([]byte(`{"status":{"conditions":[null,1,"x",{"type":[]}],"phase":{}},"spec":[]}`))
	f.Add([]byte("status: {replicas: -1, readyReplicas: 1e300, conditions: {a: b}}\nmetadata: {generation: x}"))
	e := lua.NewEngine(lua.Options{Timeout: time.Second})
	f.Fuzz(func(t *testing.T, raw []byte) {
		obj, err := lua.ParseObject(raw)
		if err != nil {
			return
		}
		for dir, script := range scripts {
			start := time.Now()
			res, err := e.Eval(context.Background(), script, false, obj)
			if err != nil && strings.Contains(err.Error(), "panic:") {
				t.Fatalf("%s: the engine recovered a panic: %v", dir, err)
			}
			checkResult(t, res, err, time.Since(start), 3*time.Second)
		}
	})
}

// FuzzScript runs any script against a fixed object within tight sandbox
// limits: runaway loops, recursion, huge strings and tables end as
// Unknown within the deadline, and the sandbox never opens io, os.execute,
// load or debug.
func FuzzScript(f *testing.F) {
	for _, s := range shippedScripts(f) {
		f.Add(s, false)
	}
	for _, s := range []string{
		`while true do end`,
		`local function r() return r() + 1 end return r()`,
		`local s = "x" while true do s = s .. s end`,
		`local t = {} for i = 1, 1e9 do t[i] = i end`,
		`return string.rep("x", 1e9)`,
		`return {status = "Healthy", message = obj.metadata.name}`,
		`return {status = "Bogus"}`,
		`return nil`,
		`io.write("x")`,
		`os.execute("true")`,
		`return load("return 1")()`,
		`return debug.getinfo(1)`,
		`return dofile("/etc/passwd")`,
		`return require("os")`,
		`return {status = os.date("%Y"), message = tostring(os.time())}`,
		`return setmetatable({}, {__index = function(t, k) return t[k] end}).x`,
		`return unpack({}, 1, 1e8)`,
		`return string.format("%99999999d", 1)`,
		`return ("x"):rep(100):gsub("x", ("y"):rep(1e6))`,
		`return table.concat(setmetatable({}, {__len = function() return 1e9 end}))`,
	} {
		f.Add(s, true)
	}
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.com/v1", "kind": "Thing",
		"metadata": map[string]any{"name": "thing", "generation": int64(2)},
		"status":   map[string]any{"phase": "Running", "conditions": []any{map[string]any{"type": "Ready", "status": "True"}}}}}
	e := lua.NewEngine(lua.Options{Timeout: 200 * time.Millisecond, MaxMemoryBytes: 64 << 20, MaxStringBytes: 1 << 20})
	f.Fuzz(func(t *testing.T, script string, openLibs bool) {
		start := time.Now()
		res, err := e.Eval(context.Background(), script, openLibs, obj.DeepCopy())
		checkResult(t, res, err, time.Since(start), 3*time.Second)
		for _, forbidden := range []string{"io.write", "os.execute", "dofile", "loadfile", "require", "debug."} {
			if err == nil && strings.Contains(script, forbidden) && strings.Contains(res.Message, "pwned") {
				t.Fatalf("%s ran", forbidden)
			}
		}
	})
}
