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
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	. "github.com/onsi/gomega"
)

// The -update flag rewrites the golden files; other test files of this
// package may define it too, so it is looked up, not owned.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

// runPlan runs the CLI and returns its exit code, stdout and stderr.
func runPlan(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// checkPlanGolden compares got with testdata/plan/<name>, or rewrites it
// with -update.
func checkPlanGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "plan", name)
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/kubectl-syncwave -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// testdata/plan/guide is a copy of the guide's example
// (../shared/examples/guide), so that the test runs on a fresh clone.
func TestPlanGuide(t *testing.T) {
	g := NewWithT(t)
	code, out, errOut := runPlan(t, "", "plan", "-f", "testdata/plan/guide")
	g.Expect(code).To(Equal(0))
	g.Expect(errOut).To(BeEmpty())
	g.Expect(out).To(ContainSubstring("PreSync wave -2\n"))
	g.Expect(out).To(MatchRegexp(`SW001 batch/Job/production/prod-db-migration: uses ServiceAccount "argocd-hook-executor" .* only in the later step Sync/-20`))
	checkPlanGolden(t, "guide.txt", out)

	code, strictOut, errOut := runPlan(t, "", "plan", "-f", "testdata/plan/guide", "--strict")
	g.Expect(code).To(Equal(1), "warnings fail with --strict")
	g.Expect(strictOut).To(Equal(out))
	g.Expect(errOut).To(BeEmpty())

	code, out, _ = runPlan(t, "", "plan", "-f", "testdata/plan/guide", "-o", "json")
	g.Expect(code).To(Equal(0))
	checkPlanGolden(t, "guide.json", out)
}

func TestPlanWalksDirectoriesAndStdin(t *testing.T) {
	g := NewWithT(t)
	stdin := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-stdin}\n"
	code, out, errOut := runPlan(t, stdin, "plan", "-f", "testdata/plan/tree", "-f", "-", "-n", "shop")
	g.Expect(errOut).To(BeEmpty())
	g.Expect(code).To(Equal(0))
	g.Expect(out).NotTo(ContainSubstring("notes"), ".txt files in directories are not read")
	checkPlanGolden(t, "tree.txt", out)

	// -v names the skipped files; -f a,b is two paths, as in kubectl.
	code, verboseOut, errOut := runPlan(t, stdin, "plan", "-v", "-f", "testdata/plan/tree/a.yaml,testdata/plan/tree/sub", "-f", "-", "-n", "shop")
	g.Expect(code).To(Equal(0))
	g.Expect(verboseOut).To(Equal(out))
	g.Expect(errOut).To(BeEmpty(), "no file skipped")
	code, _, errOut = runPlan(t, stdin, "plan", "--verbose", "-f", "testdata/plan/tree", "-f", "-", "-n", "shop")
	g.Expect(code).To(Equal(0))
	g.Expect(errOut).To(Equal("skipped testdata/plan/tree/notes.txt: not .yaml, .yml or .json\n"))
}

func TestPlanKustomization(t *testing.T) {
	g := NewWithT(t)
	code, out, errOut := runPlan(t, "", "plan", "-k", "testdata/create/kustomize/overlay")
	g.Expect(errOut).To(BeEmpty())
	g.Expect(code).To(Equal(0))
	g.Expect(out).To(MatchRegexp(`(?m)^\s+ConfigMap\s+shop/settings$`))
	g.Expect(out).To(MatchRegexp(`(?m)^\s+apps/Deployment\s+shop/web$`))
}

func TestPlanInvalid(t *testing.T) {
	g := NewWithT(t)
	code, out, errOut := runPlan(t, "", "plan", "-f", "testdata/plan/invalid")
	g.Expect(code).To(Equal(1))
	g.Expect(out).To(BeEmpty())
	checkPlanGolden(t, "invalid.stderr", errOut)

	code, out, errOut = runPlan(t, "", "plan", "-f", "testdata/plan/invalid", "-o", "json")
	g.Expect(code).To(Equal(1))
	g.Expect(errOut).To(BeEmpty())
	checkPlanGolden(t, "invalid.json", out)

	// Parse errors name the line of the file.
	code, out, errOut = runPlan(t, "", "plan", "-f", "testdata/plan/invalid/broken.yaml.txt")
	g.Expect(code).To(Equal(1))
	g.Expect(out).To(BeEmpty())
	g.Expect(errOut).To(Equal(`Error: invalid manifests: 2 errors:
  - testdata/plan/invalid/broken.yaml.txt:6, document 1: invalid YAML: did not find expected ',' or ']'
  - testdata/plan/invalid/broken.yaml.txt:8, document 2: not an object but a list: a manifest is a Kubernetes object with apiVersion, kind and metadata
`))

	// A file named explicitly is read whatever its extension.
	code, out, _ = runPlan(t, "", "plan", "-f", "testdata/plan/invalid/broken.yaml.txt", "-o", "json")
	g.Expect(code).To(Equal(1))
	checkPlanGolden(t, "broken.json", out)
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		panic(err)
	}
	return a
}

func TestPlanUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"plan"}, "Error: no manifests: give -f PATH (a file, a directory or - for standard input) or -k DIR\n"},
		{[]string{"plan", "-f", "-"}, "Error: no manifests in <stdin>\n"},
		{[]string{"plan", "-f", "testdata/plan/tree/notes.txt", "-f", "testdata/plan/tree/sub/c.yml", "-k", "testdata/plan/tree"},
			"Error: render kustomization testdata/plan/tree: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '" + abs("testdata/plan/tree") + "'\n"},
		{[]string{"plan", "-f", "x", "-o", "yaml"}, "Error: unknown output format \"yaml\": use table or json\n"},
		{[]string{"plan", "-f", "testdata/plan/does-not-exist"}, "Error: read manifests: lstat testdata/plan/does-not-exist: no such file or directory\n"},
		{[]string{"plan", "extra"}, "Error: unknown command \"extra\" for \"kubectl syncwave plan\"\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			g := NewWithT(t)
			code, out, errOut := runPlan(t, "", tt.args...)
			g.Expect(code).To(Equal(1))
			g.Expect(out).To(BeEmpty())
			g.Expect(errOut).To(Equal(tt.want))
		})
	}
}

func TestRootHelpListsPlan(t *testing.T) {
	g := NewWithT(t)
	code, out, _ := runPlan(t, "", "--help")
	g.Expect(code).To(Equal(0))
	g.Expect(out).To(ContainSubstring("kubectl syncwave [command]"))
	g.Expect(out).To(MatchRegexp(`(?m)^  plan\s+Print and lint the ordered plan`))
}

// TestPlanHealthLayers: SW006 is drawn only by kinds that none of the
// controller's layers knows: syncwave's library (Knative Service,
// cert-manager Certificate, the Upbound wildcard), and with the flags the
// health ConfigMap and the --health-dir tree.
func TestPlanHealthLayers(t *testing.T) {
	g := NewWithT(t)
	code, out, errOut := runPlan(t, "", "plan", "-f", "testdata/plan/health")
	g.Expect(code).To(Equal(0))
	g.Expect(errOut).To(BeEmpty())
	for _, kind := range []string{"Service.serving.knative.dev", "Certificate.cert-manager.io", "Bucket.s3.aws.upbound.io"} {
		g.Expect(out).NotTo(ContainSubstring("no health check is known for "+kind), "the library has one")
	}
	checkPlanGolden(t, "health.txt", out)

	tree := filepath.Join("..", "..", "internal", "health", "lua", "testdata", "tree")
	code, out, errOut = runPlan(t, "", "plan", "-f", "testdata/plan/health", "--health-dir", tree, "--health-configmap", "testdata/plan/health-configmap.yaml")
	g.Expect(code).To(Equal(0))
	g.Expect(errOut).To(BeEmpty())
	checkPlanGolden(t, "health-layers.txt", out)
	g.Expect(strings.Count(out, "SW006")).To(Equal(1), "only Gizmo is known nowhere")

	// The ConfigMap's health.cel.* keys count too; a key that does not
	// parse is a warning, and its kind has a check (Unknown, as in the
	// controller) rather than none.
	code, out, errOut = runPlan(t, "", "plan", "-f", "testdata/plan/health", "--health-configmap", "testdata/plan/health-configmap-cel.yaml")
	g.Expect(code).To(Equal(0))
	g.Expect(errOut).To(ContainSubstring("warning: testdata/plan/health-configmap-cel.yaml: health.cel.db.example.com_Table: parse health check"))
	g.Expect(out).NotTo(ContainSubstring("no health check is known for Gizmo.mystery.example.org"))
	g.Expect(out).NotTo(ContainSubstring("no health check is known for Table.db.example.com"))
	g.Expect(out).To(ContainSubstring("no health check is known for Queue.queue.example.org"))
	g.Expect(strings.Count(out, "SW006")).To(Equal(1), "only Queue is known nowhere")

	code, out, _ = runPlan(t, "", "plan", "-f", "testdata/plan/health", "--health-library=false")
	g.Expect(code).To(Equal(0))
	g.Expect(out).To(ContainSubstring("no health check is known for Service.serving.knative.dev"))

	code, _, errOut = runPlan(t, "", "plan", "-f", "testdata/plan/health", "--health-dir", "testdata/plan/does-not-exist")
	g.Expect(code).To(Equal(1))
	g.Expect(errOut).To(ContainSubstring("does-not-exist: no such file or directory"))
}

// testdata/plan/graph is one step with syncwave.dev/depends-on: the table
// and the JSON say which object waits for which.
func TestPlanGraph(t *testing.T) {
	g := NewWithT(t)
	code, out, errOut := runPlan(t, "", "plan", "-f", "testdata/plan/graph", "-n", "shop")
	g.Expect(errOut).To(BeEmpty())
	g.Expect(code).To(Equal(0))
	g.Expect(out).To(MatchRegexp(`(?m)^\s+apps/Deployment\s+shop/api\s+waits for apps/Deployment/shop/database, ConfigMap/shop/api-config$`))
	g.Expect(out).To(MatchRegexp(`(?m)^\s+batch/Job\s+shop/smoke\s+hook Sync\s+delete BeforeHookCreation\s+waits for apps/Deployment/shop/api$`))
	checkPlanGolden(t, "graph.txt", out)

	code, out, _ = runPlan(t, "", "plan", "-f", "testdata/plan/graph", "-n", "shop", "-o", "json")
	g.Expect(code).To(Equal(0))
	g.Expect(out).To(ContainSubstring(`"dependsOn": [
            "apps/Deployment/shop/database",
            "ConfigMap/shop/api-config"
          ]`))
	checkPlanGolden(t, "graph.json", out)

	code, out, errOut = runPlan(t, "", "plan", "-f", "testdata/plan/graph-invalid", "-n", "shop")
	g.Expect(code).To(Equal(1))
	g.Expect(out).To(BeEmpty())
	g.Expect(errOut).To(ContainSubstring("ConfigMap/shop/a: metadata.annotations[syncwave.dev/depends-on]: dependency cycle in step Sync/0: ConfigMap/shop/a -> ConfigMap/shop/b -> ConfigMap/shop/a"))
	g.Expect(errOut).To(ContainSubstring("ConfigMap/shop/early: metadata.annotations[syncwave.dev/depends-on]: depends on ConfigMap/shop/late, which is in step Sync/1, not in this object's step Sync/0"))
	g.Expect(errOut).To(ContainSubstring("depends on Secret/shop/nowhere, which is not in the manifests"))
	checkPlanGolden(t, "graph-invalid.stderr", errOut)
}

// Ctrl-C (the context ending) ends a read of the standard input that
// nothing writes to: the plugin exits with an error instead of hanging.
func TestInterruptEndsAReadOfStdin(t *testing.T) {
	g := NewWithT(t)
	r, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(t.Context())
	code := make(chan int, 1)
	var stderr bytes.Buffer
	go func() { code <- runContext(ctx, []string{"plan", "-f", "-"}, r, io.Discard, &stderr) }()
	g.Consistently(code, 200*time.Millisecond).ShouldNot(Receive(), "the plugin waits for its input")
	cancel()
	g.Eventually(code, 5*time.Second).Should(Receive(Equal(1)))
	g.Expect(stderr.String()).To(ContainSubstring("interrupted: context canceled"))
}

// testdata/plan/teardown has PreDelete and PostDelete hooks: the plan
// shows them apart, as steps that only a teardown runs.
func TestPlanTeardownHooks(t *testing.T) {
	g := NewWithT(t)
	code, out, errOut := runPlan(t, "", "plan", "-f", "testdata/plan/teardown", "-n", "shop")
	g.Expect(errOut).To(BeEmpty())
	g.Expect(code).To(Equal(0))
	g.Expect(out).To(ContainSubstring("PreDelete wave 0 (runs only when the application is torn down: kubectl syncwave delete)\n  batch/Job  shop/backup"))
	g.Expect(out).To(HaveSuffix("1 step, 1 task (0 hooks), 2 teardown hook steps, no warnings\n"))
	checkPlanGolden(t, "teardown.txt", out)

	code, out, _ = runPlan(t, "", "plan", "-f", "testdata/plan/teardown", "-n", "shop", "-o", "json")
	g.Expect(code).To(Equal(0))
	g.Expect(out).To(MatchRegexp(`"onDelete": \[\s+\{\s+"phase": "PreDelete",`))
	checkPlanGolden(t, "teardown.json", out)
}
