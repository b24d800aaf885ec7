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

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

const healthTestdata = "testdata/health"

func runCLI(args ...string) (stdout, stderr string, code int) {
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestHealth(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantOut  string
		wantErr  string
		wantCode int
	}{
		{
			name:    "guide ConfigMap, failed database",
			args:    []string{"health", "--object", healthTestdata + "/db-failed.yaml", "--configmap", healthTestdata + "/guide-configmap.yaml"},
			wantOut: `{"status":"Degraded","message":"Database initialization failed: disk quota exceeded"}` + "\n",
		},
		{
			name:    "library script without flags",
			args:    []string{"health", "--object", healthTestdata + "/db-running.yaml"},
			wantOut: `{"status":"Healthy","message":"Database is fully synchronized and running."}` + "\n",
		},
		{
			name:    "built-in check when no script applies",
			args:    []string{"health", "--object", healthTestdata + "/deployment.yaml"},
			wantOut: `{"status":"Healthy"`,
		},
		{
			name:    "--lua with the open libraries",
			args:    []string{"health", "--object", healthTestdata + "/db-running.yaml", "--lua", healthTestdata + "/upper.lua", "--use-open-libs"},
			wantOut: `{"status":"Healthy","message":"RUNNING"}` + "\n",
		},
		{
			name:     "--lua without the open libraries, as Argo CD",
			args:     []string{"health", "--object", healthTestdata + "/db-running.yaml", "--lua", healthTestdata + "/upper.lua"},
			wantOut:  `{"status":"Unknown","message":"lua: runtime error: <string>:1: attempt to index a non-table object(nil) with key 'upper'"}` + "\n",
			wantErr:  "Error: lua: runtime error",
			wantCode: 1,
		},
		{
			name:     "a script past its deadline",
			args:     []string{"health", "--object", healthTestdata + "/db-running.yaml", "--lua", healthTestdata + "/loop.lua", "--timeout", "100ms"},
			wantOut:  `{"status":"Unknown","message":"lua: deadline exceeded: the script ran longer than 100ms"}` + "\n",
			wantCode: 1,
		},
		{
			name:     "--lua and --configmap exclude each other",
			args:     []string{"health", "--object", healthTestdata + "/db-running.yaml", "--lua", "a", "--configmap", "b"},
			wantErr:  "none of the others can be",
			wantCode: 1,
		},
		{
			name:     "a file of several objects is refused, not judged by its first",
			args:     []string{"health", "--object", healthTestdata + "/two-objects.yaml"},
			wantErr:  "Error: " + healthTestdata + "/two-objects.yaml: 2 objects (Namespace/shop, apps/Deployment/shop/api): --object takes a file with one object",
			wantCode: 1,
		},
		{
			name:    "empty and comment-only documents before the object are skipped",
			args:    []string{"health", "--object", healthTestdata + "/after-empty-documents.yaml"},
			wantOut: `{"status":"Healthy","message":"namespace is active"}` + "\n",
		},
		{
			name:     "a List is refused, not judged as an object",
			args:     []string{"health", "--object", healthTestdata + "/list.yaml"},
			wantErr:  "Error: " + healthTestdata + "/list.yaml: a List: --object takes a file with one object",
			wantCode: 1,
		},
		{
			name:     "--object is required",
			args:     []string{"health"},
			wantErr:  `required flag(s) "object" not set`,
			wantCode: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			out, errOut, code := runCLI(tt.args...)
			g.Expect(code).To(Equal(tt.wantCode), "stdout: %s\nstderr: %s", out, errOut)
			g.Expect(out).To(HavePrefix(tt.wantOut))
			g.Expect(errOut).To(ContainSubstring(tt.wantErr))
		})
	}
}

func TestHealthTestLibrary(t *testing.T) {
	g := NewWithT(t)
	out, errOut, code := runCLI("health", "test", filepath.Join("..", "..", "config", "health"))
	g.Expect(code).To(Equal(0), "stdout: %s\nstderr: %s", out, errOut)
	g.Expect(out).To(MatchRegexp(`^\d+ passed, 0 failed\n$`))
}

func TestHealthTestFailures(t *testing.T) {
	g := NewWithT(t)
	dir := filepath.Join(healthTestdata, "fixtures")
	out, _, code := runCLI("health", "test", dir)
	g.Expect(code).To(Equal(1))
	g.Expect(out).To(Equal("FAIL " + filepath.Join(dir, "example.com", "Widget", "testdata", "not-ready.yaml") +
		`: want Healthy "ready", got Progressing "waiting"` + "\n1 passed, 1 failed\n"))

	out, _, code = runCLI("health", "test", "-v", dir)
	g.Expect(code).To(Equal(1))
	g.Expect(out).To(ContainSubstring("ok   " + filepath.Join(dir, "example.com", "Widget", "testdata", "ready.yaml") + `: Healthy "ready"`))

	_, errOut, code := runCLI("health", "test", healthTestdata+"/loop.lua")
	g.Expect(code).To(Equal(1))
	g.Expect(errOut).To(ContainSubstring("is not a directory"))
}

// treeDir is the committed script tree of the lua package (an exact
// directory, a wildcard directory and a core kind).
var treeDir = filepath.Join("..", "..", "internal", "health", "lua", "testdata", "tree")

// TestHealthTestTree: a fixture is judged by the script of its object's
// group and kind, which the line of the case names when it is not the one
// beside the fixture.
func TestHealthTestTree(t *testing.T) {
	g := NewWithT(t)
	out, errOut, code := runCLI("health", "test", "-v", treeDir)
	g.Expect(code).To(Equal(0), "stdout: %s\nstderr: %s", out, errOut)
	g.Expect(out).To(HaveSuffix("\n9 passed, 0 failed\n"))
	g.Expect(out).To(ContainSubstring("ok   " + filepath.Join(treeDir, "_.example.com", "_", "testdata", "provider-unhealthy.yaml") +
		" (script " + filepath.Join(treeDir, "pkg.example.com", "Provider", "health.lua") + `): Degraded "provider: package unhealthy"` + "\n"))
	g.Expect(out).To(ContainSubstring("ok   " + filepath.Join(treeDir, "_.example.com", "_", "testdata", "table-ready.yaml") + `: Healthy "Ready (wildcard)"` + "\n"))
}

func TestHealthImport(t *testing.T) {
	g := NewWithT(t)
	out, errOut, code := runCLI("health", "import", treeDir)
	g.Expect(code).To(Equal(0), "stderr: %s", errOut)
	g.Expect(errOut).To(BeEmpty())
	checkPlanGolden(t, filepath.Join("..", "health", "import.yaml"), out)

	out, _, code = runCLI("health", "import", treeDir, "-n", "ops", "--name", "checks", "-o", "json")
	g.Expect(code).To(Equal(0))
	g.Expect(out).To(ContainSubstring(`"name": "checks",` + "\n" + `    "namespace": "ops"`))

	// The printed ConfigMap feeds the health command as the controller's.
	cm := filepath.Join(t.TempDir(), "cm.yaml")
	out, _, _ = runCLI("health", "import", treeDir)
	g.Expect(os.WriteFile(cm, []byte(out), 0o644)).To(Succeed())
	out, errOut, code = runCLI("health", "--object", filepath.Join(treeDir, "_.example.com", "_", "testdata", "table-failed.yaml"), "--configmap", cm)
	g.Expect(code).To(Equal(0), "stderr: %s", errOut)
	g.Expect(out).To(Equal(`{"status":"Degraded","message":"OutOfSpace (wildcard)"}` + "\n"))
}

func TestHealthImportErrors(t *testing.T) {
	g := NewWithT(t)
	broken := t.TempDir()
	g.Expect(os.MkdirAll(filepath.Join(broken, "x.example.com", "X"), 0o755)).To(Succeed())
	g.Expect(os.WriteFile(filepath.Join(broken, "x.example.com", "X", "health.lua"), []byte("return {"), 0o644)).To(Succeed())
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"health", "import", broken}, "Error: read the scripts under " + broken + ": x.example.com/X/health.lua: lua: syntax error"},
		{[]string{"health", "import", t.TempDir()}, "Error: no <group>/<Kind>/health.lua under "},
		{[]string{"health", "import", healthTestdata + "/loop.lua"}, "is not a directory"},
		{[]string{"health", "import", treeDir, "-o", "table"}, `unknown output format "table": use yaml or json`},
	} {
		out, errOut, code := runCLI(tt.args...)
		g.Expect(code).To(Equal(1), strings.Join(tt.args, " "))
		g.Expect(out).To(BeEmpty())
		g.Expect(errOut).To(ContainSubstring(tt.want))
	}
}
