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
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
)

func TestHealthCEL(t *testing.T) {
	issuing := healthTestdata + "/certificate-issuing.yaml"
	tests := []struct {
		name     string
		args     []string
		wantOut  string
		wantErr  string
		wantCode int
	}{
		{
			name:    "--cel, Flux's order: inProgress before failed",
			args:    []string{"health", "--object", issuing, "--cel", healthTestdata + "/certificate.cel.yaml"},
			wantOut: `{"status":"Progressing","message":"inProgress is true: status.conditions.exists(e, e.type == 'Issuing' && e.status == 'True')"}` + "\n",
		},
		{
			name:    "the ConfigMap's health.cel key",
			args:    []string{"health", "--object", issuing, "--configmap", healthTestdata + "/cel-configmap.yaml"},
			wantOut: `{"status":"Degraded","message":"failed is true:`,
		},
		{
			name:    "--cel wins over the ConfigMap",
			args:    []string{"health", "--object", issuing, "--configmap", healthTestdata + "/cel-configmap.yaml", "--cel", healthTestdata + "/certificate.cel.yaml"},
			wantOut: `{"status":"Progressing"`,
		},
		{
			name:    "a kind the checks do not name goes on to the built-in checks",
			args:    []string{"health", "--object", healthTestdata + "/deployment.yaml", "--cel", healthTestdata + "/certificate.cel.yaml"},
			wantOut: `{"status":"Healthy"`,
		},
		{
			name:     "an expression that does not compile is refused, naming the kind and the expression",
			args:     []string{"health", "--object", issuing, "--cel", healthTestdata + "/bad.cel.yaml"},
			wantErr:  `bad.cel.yaml[0] (Certificate.cert-manager.io): current: cel: the expression does not compile: "status.conditions.exists(e, e.type == 'Ready'": 1:46: Syntax error`,
			wantCode: 1,
		},
		{
			name:     "an expression that fails at run time is Unknown",
			args:     []string{"health", "--object", healthTestdata + "/db-running.yaml", "--cel", healthTestdata + "/db.cel.yaml"},
			wantOut:  `{"status":"Unknown","message":"health check ` + healthTestdata + `/db.cel.yaml[0]: current: cel: evaluation failed:`,
			wantErr:  "Error: health check",
			wantCode: 1,
		},
		{
			name:    "--cel wins over the --health-dir tree",
			args:    []string{"health", "--object", committedTreeWidget, "--health-dir", committedTree, "--cel", healthTestdata + "/widget.cel.yaml"},
			wantOut: `{"status":"Healthy","message":"current is true: true"}` + "\n",
		},
		{
			name:    "without --cel the tree judges",
			args:    []string{"health", "--object", committedTreeWidget, "--health-dir", committedTree},
			wantOut: `{"status":"Progressing","message":"widget waiting"}` + "\n",
		},
		{
			name:     "--lua and --cel exclude each other",
			args:     []string{"health", "--object", issuing, "--lua", "a", "--cel", "b"},
			wantErr:  "none of the others can be",
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

// committedTree is the lua package's small script tree.
var (
	committedTree       = filepath.Join("..", "..", "internal", "health", "lua", "testdata", "tree")
	committedTreeWidget = filepath.Join(committedTree, "example.com", "Widget", "testdata", "waiting.yaml")
)

// TestHealthTestLuaTreeAndCELFixtures: one tree holds Lua directories,
// judged by the tree's lookup, and CEL directories, judged by their
// health.cel.yaml.
func TestHealthTestLuaTreeAndCELFixtures(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		g.Expect(os.MkdirAll(filepath.Dir(p), 0o755)).To(Succeed())
		g.Expect(os.WriteFile(p, []byte(content), 0o600)).To(Succeed())
	}
	write("_.example.com/_/health.lua", `return {status = "Healthy", message = "wildcard"}`)
	write("_.example.com/_/health_test.yaml", "tests: [{inputPath: testdata/w.yaml, healthStatus: {status: Healthy, message: wildcard}}]")
	write("_.example.com/_/testdata/w.yaml", "{apiVersion: db.example.com/v1, kind: Table, metadata: {name: t}}")
	write("cert-manager.io/Certificate/health.cel.yaml", "{apiVersion: cert-manager.io/v1, kind: Certificate, current: \"status.ready == true\"}")
	write("cert-manager.io/Certificate/health_test.yaml", "tests: [{inputPath: testdata/ready.yaml, healthStatus: {status: Healthy}}]")
	write("cert-manager.io/Certificate/testdata/ready.yaml", "{apiVersion: cert-manager.io/v1, kind: Certificate, metadata: {name: c}, status: {ready: true}}")
	out, errOut, code := runCLI("health", "test", "-v", dir)
	g.Expect(code).To(Equal(0), "stdout: %s\nstderr: %s", out, errOut)
	g.Expect(out).To(ContainSubstring(`: Healthy "wildcard"`))
	g.Expect(out).To(ContainSubstring(`: Healthy "current is true: status.ready == true"`))
	g.Expect(out).To(HaveSuffix("\n2 passed, 0 failed\n"))
}

func TestHealthTestCELFixtures(t *testing.T) {
	g := NewWithT(t)
	dir := filepath.Join(healthTestdata, "cel-fixtures")
	ready := filepath.Join(dir, "cert-manager.io", "Certificate", "testdata", "ready.yaml")
	out, errOut, code := runCLI("health", "test", "-v", dir)
	g.Expect(code).To(Equal(1), "stdout: %s\nstderr: %s", out, errOut)
	g.Expect(out).To(ContainSubstring("ok   " + filepath.Join(dir, "cert-manager.io", "Certificate", "testdata", "issuing.yaml") + `: Progressing "inProgress is true:`))
	g.Expect(out).To(ContainSubstring("ok   " + ready + `: Healthy "current is true:`))
	g.Expect(out).To(ContainSubstring("FAIL " + ready + `: want Degraded "expected to fail: it is ready", got Healthy`))
	g.Expect(out).To(HaveSuffix("\n2 passed, 1 failed\n"))
}
