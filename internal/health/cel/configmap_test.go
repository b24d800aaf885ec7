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

package cel

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
)

func TestParseChecks(t *testing.T) {
	cases := []struct {
		name, doc string
		n         int
		err       string
	}{
		{"one entry", "apiVersion: example.com/v1\nkind: Thing\ncurrent: 'true'\n", 1, ""},
		{"a list", "- {apiVersion: example.com/v1, kind: A, current: 'true'}\n- {apiVersion: example.com/v1, kind: B, current: 'true'}\n", 2, ""},
		{"JSON", `{"apiVersion": "example.com/v1", "kind": "Thing", "current": "true"}`, 1, ""},
		{"an unknown field", "apiVersion: example.com/v1\nkind: Thing\ncurrent: 'true'\nhealthy: 'true'\n", 0, `unknown field "healthy"`},
		{"an unknown field in a list", "- {apiVersion: example.com/v1, kind: A, current: 'true', ready: 'x'}\n", 0, `unknown field "ready"`},
		{"empty", "  \n", 0, "empty"},
		{"a scalar", "hello", 0, "want a healthCheckExprs entry"},
		{"bad YAML", "a: [", 0, "parse health checks"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewWithT(t)
			list, err := ParseChecks([]byte(c.doc))
			if c.err != "" {
				g.Expect(err).To(MatchError(ContainSubstring(c.err)))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(list).To(HaveLen(c.n))
		})
	}
}

func TestParseConfigMap(t *testing.T) {
	g := NewWithT(t)
	e := NewEngine(Options{})
	checks, errs := ParseConfigMap(e, map[string]string{
		"health.cel.cert-manager.io_Certificate": "apiVersion: cert-manager.io/v1\nkind: Certificate\ncurrent: \"status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')\"\n",
		"health.cel.example.com_NoKind":          "- apiVersion: example.com/v1\n  current: 'true'\n",
		"health.cel.ConfigMap":                   "{apiVersion: v1, current: \"data.ready == 'yes'\"}",
		"health.cel.example.com_Broken":          "{apiVersion: example.com/v1, kind: Broken, current: 'status.phase =='}",
		"health.cel.example.com_Mismatch":        "{apiVersion: other.com/v1, kind: Mismatch, current: 'true'}",
		"health.cel.a_b_c":                       "{apiVersion: example.com/v1, kind: X, current: 'true'}",
		"health.cel.example.com_Twice":           "- {apiVersion: example.com/v1, kind: Twice, current: 'true'}\n- {apiVersion: example.com/v2, kind: Twice, current: 'false'}\n",
		"health.cel.example.com_Empty":           "",
		"health.cel.example.com_NoCurrent":       "{apiVersion: example.com/v1, failed: 'false'}",
		"resource.customizations.health.x_Y":     "return {}",
	})
	g.Expect(errs).To(HaveLen(6))
	g.Expect(errs).To(ContainElement(MatchError(ContainSubstring("health.cel.example.com_Broken (Broken.example.com): current"))))
	g.Expect(errs).To(ContainElement(MatchError(ContainSubstring("health.cel.example.com_Mismatch: the entry checks Mismatch.other.com"))))
	g.Expect(errs).To(ContainElement(MatchError(ContainSubstring(`health.cel.a_b_c: want a key suffix <group>_<Kind> or <Kind>, got "a_b_c"`))))
	g.Expect(errs).To(ContainElement(MatchError(ContainSubstring("health.cel.example.com_Twice[1]"))))
	g.Expect(errs).To(ContainElement(MatchError(ContainSubstring("health.cel.example.com_Empty"))))

	for _, gk := range []schema.GroupKind{
		{Group: "cert-manager.io", Kind: "Certificate"},
		{Group: "example.com", Kind: "NoKind"},
		{Kind: "ConfigMap"},
		{Group: "example.com", Kind: "Broken"},
		{Group: "example.com", Kind: "Twice"},
		{Group: "example.com", Kind: "Empty"},
		{Group: "example.com", Kind: "NoCurrent"},
	} {
		g.Expect(HasCheck(gk, checks)).To(BeTrue(), gk.String())
	}
	g.Expect(HasCheck(schema.GroupKind{Group: "example.com", Kind: "Mismatch"}, checks)).To(BeFalse())
	g.Expect(HasCheck(schema.GroupKind{Group: "example.com", Kind: "Other"}, checks)).To(BeFalse(), "an entry without a kind takes the key's")

	a := e.Assessor(checks)
	r, ok, err := a.Assess(object(t, `{apiVersion: example.com/v1, kind: Broken, metadata: {name: b}}`))
	g.Expect(ok).To(BeTrue())
	g.Expect(err).To(MatchError(ErrCompile))
	g.Expect(r.Status).To(Equal(health.Unknown), "a broken check is not skipped silently")
	r, _, err = a.Assess(object(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {ready: "yes"}}`))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(r.Status).To(Equal(health.Healthy))
	r, ok, err = a.Assess(object(t, `{apiVersion: example.com/v1, kind: Empty, metadata: {name: e}}`))
	g.Expect(ok).To(BeTrue())
	g.Expect(err).To(HaveOccurred())
	g.Expect(r.Status).To(Equal(health.Unknown), "a key that does not parse is not skipped silently")
	g.Expect(r.Message).To(HavePrefix("health ConfigMap key health.cel.example.com_Empty does not parse: "))
	r, ok, err = a.Assess(object(t, `{apiVersion: example.com/v1, kind: NoCurrent, metadata: {name: n}}`))
	g.Expect(ok).To(BeTrue())
	g.Expect(err).To(HaveOccurred())
	g.Expect(r.Status).To(Equal(health.Unknown), "an entry without current is not skipped silently")
	g.Expect(r.Message).To(ContainSubstring("health.cel.example.com_NoCurrent"))
	r, _, _ = a.Assess(object(t, `{apiVersion: example.com/v1, kind: Twice, metadata: {name: t}}`))
	g.Expect(r.Status).To(Equal(health.Healthy), "the first entry of a key is kept")
}

func TestLayersInOrder(t *testing.T) {
	g := NewWithT(t)
	e := NewEngine(Options{})
	first, err := e.Build(nil)
	g.Expect(err).NotTo(HaveOccurred())
	second, errs := ParseConfigMap(e, map[string]string{"health.cel.example.com_Thing": "{apiVersion: example.com/v1, current: 'true'}"})
	g.Expect(errs).To(BeEmpty())
	third, err := e.BuildFrom("file.yaml", []syncv1alpha1.HealthCheckExpr{{APIVersion: "example.com/v1", Kind: "Thing", Current: "false"}})
	g.Expect(err).NotTo(HaveOccurred())
	r, ok, err := e.Assessor(nil, first, second, third).Assess(object(t, `{apiVersion: example.com/v1, kind: Thing, metadata: {name: t}}`))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ok).To(BeTrue())
	g.Expect(r.Status).To(Equal(health.Healthy), "the first layer with a check decides")
	_, ok, _ = e.Assessor(first).Assess(nil)
	g.Expect(ok).To(BeFalse())
}

func TestRunFixtures(t *testing.T) {
	g := NewWithT(t)
	e := NewEngine(Options{})
	fsys := os.DirFS("testdata/fixtures")
	dirs, err := FixtureDirs(fsys)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(dirs).To(Equal([]string{"cert-manager.io/Certificate", "postgresql.cnpg.io/Cluster"}), "a directory with a health.lua is a Lua fixture")
	cases, err := e.RunFixtures(context.Background(), fsys)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cases).To(HaveLen(6))
	for _, c := range cases {
		g.Expect(c.Passed()).To(BeTrue(), "%s/%s: want %s %q, got %s %q (%v)", c.Dir, c.InputPath, c.Want.Status, c.Want.Message, c.Got.Status, c.Got.Message, c.Err)
	}
}

func TestRunFixturesReportsProblems(t *testing.T) {
	g := NewWithT(t)
	e := NewEngine(Options{})
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("bad/health.cel.yaml", "{apiVersion: example.com/v1, kind: Thing, current: 'status ==='}")
	write("bad/health_test.yaml", "tests: [{inputPath: x.yaml, healthStatus: {status: Healthy}}]")
	write("nokind/health.cel.yaml", "{apiVersion: example.com/v1, kind: Thing, current: 'true'}")
	write("nokind/health_test.yaml", "tests: [{inputPath: other.yaml, healthStatus: {status: Healthy}}, {inputPath: missing.yaml, healthStatus: {status: Healthy}}]")
	write("nokind/other.yaml", "{apiVersion: example.com/v1, kind: Other, metadata: {name: o}}")
	write("wrong/health.cel.yaml", "{apiVersion: example.com/v1, kind: Thing, current: 'true'}")
	write("wrong/health_test.yaml", "tests: [{inputPath: t.yaml, healthStatus: {status: Degraded}}]")
	write("wrong/t.yaml", "{apiVersion: example.com/v1, kind: Thing, metadata: {name: t}}")
	write("empty/health.cel.yaml", "{apiVersion: example.com/v1, kind: Thing, current: 'true'}")
	write("empty/health_test.yaml", "tests: []")
	cases, err := e.RunFixtures(context.Background(), os.DirFS(dir))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cases).To(HaveLen(5))
	for _, c := range cases {
		g.Expect(c.Passed()).To(BeFalse(), c.Dir+"/"+c.InputPath)
	}
	g.Expect(cases[0].Err).To(MatchError(ContainSubstring("health.cel.yaml[0] (Thing.example.com): current")))
	g.Expect(cases[1].Err).To(MatchError(ContainSubstring("has no tests")))
	g.Expect(cases[2].Err).To(MatchError(ContainSubstring("no check in health.cel.yaml for Other.example.com")))
	g.Expect(cases[3].Err).To(HaveOccurred())
	g.Expect(cases[4].Err).NotTo(HaveOccurred())
	g.Expect(cases[4].Got.Status).To(Equal(health.Healthy))
}

// TestRunFixturesInputPathOutside: an inputPath that leaves the directory
// is said so, not "invalid argument".
func TestRunFixturesInputPathOutside(t *testing.T) {
	fsys := fstest.MapFS{
		"thing/health.cel.yaml":  {Data: []byte("{apiVersion: example.com/v1, kind: Thing, current: 'true'}")},
		"thing/health_test.yaml": {Data: []byte("tests: [{inputPath: ../../t.yaml, healthStatus: {status: Healthy}}]")},
	}
	cases, err := NewEngine(Options{}).RunFixtures(context.Background(), fsys)
	g := NewWithT(t)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cases).To(HaveLen(1))
	g.Expect(cases[0].Err).To(MatchError("inputPath ../t.yaml leaves the directory the fixtures are read from"))
}
