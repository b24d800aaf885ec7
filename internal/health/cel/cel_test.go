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
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
)

// The checks below are written from the meaning that Flux's documentation
// gives these resources' status; each case states what Flux concludes.
var (
	// A Cluster API Cluster is ready once provisioned with its Ready
	// condition True; it is failed in the Failed phase; Pending and
	// Provisioning are in progress.
	capiCluster = syncv1alpha1.HealthCheckExpr{
		APIVersion: "cluster.x-k8s.io/v1beta1",
		Kind:       "Cluster",
		Current:    "status.phase == 'Provisioned' && status.?conditions.orValue([]).exists(c, c.type == 'Ready' && c.status == 'True')",
		Failed:     "status.phase == 'Failed'",
		InProgress: "status.phase in ['Pending', 'Provisioning']",
	}
	// A cert-manager Certificate is ready when its Ready condition is
	// True, in progress while it is being issued, failed when Ready is
	// False otherwise.
	certificate = syncv1alpha1.HealthCheckExpr{
		APIVersion: "cert-manager.io/v1",
		Kind:       "Certificate",
		Current:    "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'True')",
		Failed:     "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'False')",
		InProgress: "status.conditions.exists(e, e.type == 'Issuing' && e.status == 'True')",
	}
	// A CloudNativePG Cluster is ready when its Ready condition is True
	// and its phase says so; it failed when its phase says it cannot go on.
	cnpgCluster = syncv1alpha1.HealthCheckExpr{
		APIVersion: "postgresql.cnpg.io/v1",
		Kind:       "Cluster",
		Current:    "status.?conditions.orValue([]).exists(c, c.type == 'Ready' && c.status == 'True') && status.phase == 'Cluster in healthy state'",
		Failed:     "status.?phase.orValue('').startsWith('Unable to')",
	}
)

// object parses YAML as the API server's JSON would be decoded: integers
// are int64.
func object(t *testing.T, doc string) *unstructured.Unstructured {
	t.Helper()
	obj, err := parseObject([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

// TestFluxExamples: the documented kinds get the status that Flux's
// evaluator gives them (Current: Healthy, Failed: Degraded, InProgress:
// Progressing, an evaluation error: Unknown, on which Flux waits).
func TestFluxExamples(t *testing.T) {
	e := NewEngine(Options{})
	checks, err := e.Build([]syncv1alpha1.HealthCheckExpr{capiCluster, certificate, cnpgCluster})
	if err != nil {
		t.Fatal(err)
	}
	a := e.Assessor(checks)
	cases := []struct {
		name string
		obj  string
		want health.Status
	}{
		{"capi provisioned and ready", `{apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, metadata: {name: c, generation: 2},
			status: {observedGeneration: 2, phase: Provisioned, conditions: [{type: Ready, status: "True"}]}}`, health.Healthy},
		{"capi provisioned, not ready yet", `{apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, metadata: {name: c},
			status: {phase: Provisioned, conditions: [{type: Ready, status: "False"}]}}`, health.Progressing},
		{"capi provisioning", `{apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, metadata: {name: c}, status: {phase: Provisioning}}`, health.Progressing},
		{"capi failed", `{apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, metadata: {name: c}, status: {phase: Failed}}`, health.Degraded},
		{"capi stale status", `{apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, metadata: {name: c, generation: 3},
			status: {observedGeneration: 2, phase: Provisioned, conditions: [{type: Ready, status: "True"}]}}`, health.Progressing},
		{"capi other version", `{apiVersion: cluster.x-k8s.io/v1beta2, kind: Cluster, metadata: {name: c}, status: {phase: Failed}}`, health.Degraded},
		{"capi without status: Flux errors and waits", `{apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, metadata: {name: c}}`, health.Unknown},
		{"certificate ready", `{apiVersion: cert-manager.io/v1, kind: Certificate, metadata: {name: c},
			status: {conditions: [{type: Ready, status: "True"}]}}`, health.Healthy},
		{"certificate not ready", `{apiVersion: cert-manager.io/v1, kind: Certificate, metadata: {name: c},
			status: {conditions: [{type: Ready, status: "False"}]}}`, health.Degraded},
		{"certificate issuing: inProgress is checked before failed", `{apiVersion: cert-manager.io/v1, kind: Certificate, metadata: {name: c},
			status: {conditions: [{type: Ready, status: "False"}, {type: Issuing, status: "True"}]}}`, health.Progressing},
		{"certificate without conditions: all() of nothing is true for failed too, and failed comes first", `{apiVersion: cert-manager.io/v1, kind: Certificate, metadata: {name: c},
			status: {conditions: []}}`, health.Degraded},
		{"cnpg healthy", `{apiVersion: postgresql.cnpg.io/v1, kind: Cluster, metadata: {name: pg},
			status: {phase: Cluster in healthy state, conditions: [{type: Ready, status: "True"}]}}`, health.Healthy},
		{"cnpg setting up", `{apiVersion: postgresql.cnpg.io/v1, kind: Cluster, metadata: {name: pg}, status: {phase: Setting up primary}}`, health.Progressing},
		{"cnpg unable", `{apiVersion: postgresql.cnpg.io/v1, kind: Cluster, metadata: {name: pg},
			status: {phase: Unable to create required cluster objects}}`, health.Degraded},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewWithT(t)
			r, ok, err := a.Assess(object(t, c.obj))
			g.Expect(ok).To(BeTrue())
			g.Expect(r.Status).To(Equal(c.want), r.Message)
			g.Expect(r.Source).To(Equal(health.SourceCEL))
			g.Expect(err != nil).To(Equal(c.want == health.Unknown), "an error exactly when Unknown")
		})
	}
}

// TestEvaluationOrder: inProgress, then failed, then current, as Flux
// evaluates them.
func TestEvaluationOrder(t *testing.T) {
	e := NewEngine(Options{})
	all := syncv1alpha1.HealthCheckExpr{APIVersion: "example.com/v1", Kind: "Thing", Current: "true", Failed: "true", InProgress: "true"}
	cases := []struct {
		name                string
		inProgress, failed  string
		want                health.Status
		wantMessageContains string
	}{
		{"inProgress first", "true", "true", health.Progressing, "inProgress is true"},
		{"then failed", "false", "true", health.Degraded, "failed is true"},
		{"then current", "false", "false", health.Healthy, "current is true"},
		{"unset ones are skipped", "", "", health.Healthy, "current is true"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewWithT(t)
			x := all
			x.InProgress, x.Failed = c.inProgress, c.failed
			checks, err := e.Build([]syncv1alpha1.HealthCheckExpr{x})
			g.Expect(err).NotTo(HaveOccurred())
			r, _, err := e.Assessor(checks).Assess(object(t, `{apiVersion: example.com/v1, kind: Thing, metadata: {name: t}}`))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(r.Status).To(Equal(c.want))
			g.Expect(r.Message).To(ContainSubstring(c.wantMessageContains))
		})
	}
	t.Run("none true is Progressing", func(t *testing.T) {
		g := NewWithT(t)
		checks, err := e.Build([]syncv1alpha1.HealthCheckExpr{{APIVersion: "example.com/v1", Kind: "Thing", Current: "status.phase == 'Running'", Failed: "false"}})
		g.Expect(err).NotTo(HaveOccurred())
		r, _, err := e.Assessor(checks).Assess(object(t, `{apiVersion: example.com/v1, kind: Thing, metadata: {name: t}, status: {phase: Starting}}`))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(r.Status).To(Equal(health.Progressing))
		g.Expect(r.Message).To(Equal("waiting for current to be true: status.phase == 'Running'"))
	})
}

func TestMatching(t *testing.T) {
	e := NewEngine(Options{})
	checks, err := e.Build([]syncv1alpha1.HealthCheckExpr{
		{APIVersion: "example.com/v1", Current: "false"},
		{APIVersion: "example.com/v2", Kind: "Special", Current: "true"},
		{APIVersion: "v1", Kind: "ConfigMap", Current: "data.ready == 'yes'"},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := e.Assessor(checks)
	cases := []struct {
		name, obj string
		opinion   bool
		want      health.Status
	}{
		{"a kind entry wins over the group entry", `{apiVersion: example.com/v1alpha1, kind: Special, metadata: {name: s}}`, true, health.Healthy},
		{"the group entry covers other kinds", `{apiVersion: example.com/v1, kind: Other, metadata: {name: o}}`, true, health.Progressing},
		{"the core group by kind, any top-level field", `{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {ready: "yes"}}`, true, health.Healthy},
		{"another group: no opinion", `{apiVersion: other.com/v1, kind: Special, metadata: {name: s}}`, false, ""},
		{"a subgroup is another group", `{apiVersion: sub.example.com/v1, kind: Special, metadata: {name: s}}`, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewWithT(t)
			r, ok, err := a.Assess(object(t, c.obj))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(ok).To(Equal(c.opinion))
			g.Expect(r.Status).To(Equal(c.want))
		})
	}
	g := NewWithT(t)
	g.Expect(HasCheck(GroupKindOf(syncv1alpha1.HealthCheckExpr{APIVersion: "example.com/v9", Kind: "Any"}), nil, checks)).To(BeTrue())
	g.Expect(HasCheck(GroupKindOf(syncv1alpha1.HealthCheckExpr{APIVersion: "v1", Kind: "Secret"}), checks)).To(BeFalse())
}

func TestObservedGeneration(t *testing.T) {
	e := NewEngine(Options{})
	checks, err := e.Build([]syncv1alpha1.HealthCheckExpr{{APIVersion: "example.com/v1", Kind: "Thing", Current: "true"}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, meta, status string
		want               health.Status
	}{
		{"equal", `{name: t, generation: 4}`, `{observedGeneration: 4}`, health.Healthy},
		{"behind", `{name: t, generation: 4}`, `{observedGeneration: 3}`, health.Progressing},
		{"ahead is also not current, as in Flux", `{name: t, generation: 4}`, `{observedGeneration: 5}`, health.Progressing},
		{"a string observedGeneration is left to the expressions", `{name: t, generation: 4}`, `{observedGeneration: "3"}`, health.Healthy},
		{"no generation", `{name: t}`, `{observedGeneration: 3}`, health.Healthy},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewWithT(t)
			obj := object(t, `{apiVersion: example.com/v1, kind: Thing, metadata: `+c.meta+`, status: `+c.status+`}`)
			r, _, err := e.Assessor(checks).Assess(obj)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(r.Status).To(Equal(c.want), r.Message)
		})
	}
}

func TestCompileErrorsAreRefused(t *testing.T) {
	e := NewEngine(Options{})
	cases := []struct {
		name string
		list []syncv1alpha1.HealthCheckExpr
		want []string
	}{
		{"syntax", []syncv1alpha1.HealthCheckExpr{certificate, {APIVersion: "databases.example.com/v1", Kind: "MyDatabaseInstance", Current: "status.phase == 'Running'", Failed: "status.phase = 'Failed'"}},
			[]string{"spec.healthCheckExprs[1]", "MyDatabaseInstance.databases.example.com", "failed", `"status.phase = 'Failed'"`}},
		{"has() of a top-level field", []syncv1alpha1.HealthCheckExpr{{APIVersion: "example.com/v1", Kind: "Thing", Current: "has(status)"}},
			[]string{"spec.healthCheckExprs[0]", "Thing.example.com", "current", "has(status)"}},
		{"current is required", []syncv1alpha1.HealthCheckExpr{{APIVersion: "example.com/v1", Kind: "Thing", Failed: "true"}},
			[]string{"spec.healthCheckExprs[0]", "current is required"}},
		{"apiVersion is required", []syncv1alpha1.HealthCheckExpr{{Kind: "Thing", Current: "true"}},
			[]string{"spec.healthCheckExprs[0]", "apiVersion is required"}},
		{"a bad apiVersion", []syncv1alpha1.HealthCheckExpr{{APIVersion: "a/b/c", Kind: "Thing", Current: "true"}},
			[]string{"spec.healthCheckExprs[0]", `apiVersion "a/b/c"`}},
		{"duplicates, whatever the version", []syncv1alpha1.HealthCheckExpr{certificate, {APIVersion: "cert-manager.io/v1beta1", Kind: "Certificate", Current: "true"}},
			[]string{"spec.healthCheckExprs[1]", "duplicate", "spec.healthCheckExprs[0]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := e.Build(c.list)
			g.Expect(err).To(HaveOccurred())
			for _, w := range c.want {
				g.Expect(err.Error()).To(ContainSubstring(w))
			}
		})
	}
}

func TestEvaluationErrorsAreUnknown(t *testing.T) {
	e := NewEngine(Options{})
	cases := []struct{ name, current, want string }{
		{"a missing field", "status.phase == 'Running'", "no such key: phase"},
		{"not a bool", "status.count", "not a bool"},
		{"no such overload", "status.count > 'three'", "no such overload"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewWithT(t)
			checks, err := e.Build([]syncv1alpha1.HealthCheckExpr{{APIVersion: "example.com/v1", Kind: "Thing", Current: c.current}})
			g.Expect(err).NotTo(HaveOccurred())
			r, ok, err := e.Assessor(checks).Assess(object(t, `{apiVersion: example.com/v1, kind: Thing, metadata: {name: t}, status: {count: 3}}`))
			g.Expect(ok).To(BeTrue())
			g.Expect(err).To(MatchError(ErrEval))
			g.Expect(r.Status).To(Equal(health.Unknown))
			g.Expect(r.Message).To(ContainSubstring("spec.healthCheckExprs[0]: current"))
			g.Expect(r.Message).To(ContainSubstring(c.want))
		})
	}
}

// bigList is an object whose status holds n numbers.
func bigList(n int) *unstructured.Unstructured {
	items := make([]any, n)
	for i := range items {
		items[i] = int64(i)
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1", "kind": "Thing", "metadata": map[string]any{"name": "big"},
		"status": map[string]any{"items": items},
	}}
}

const nested = "status.items.all(a, status.items.all(b, status.items.all(c, a + b + c >= 0)))"

func TestCostLimitStopsAnExpensiveExpression(t *testing.T) {
	g := NewWithT(t)
	// A deadline far away, so that only the cost limit can stop it, even on
	// a busy machine.
	e := NewEngine(Options{Timeout: time.Minute})
	checks, err := e.Build([]syncv1alpha1.HealthCheckExpr{{APIVersion: "example.com/v1", Kind: "Thing", Current: nested}})
	g.Expect(err).NotTo(HaveOccurred())
	start := time.Now()
	r, ok, err := e.Assessor(checks).Assess(bigList(1000))
	t.Logf("stopped after %s", time.Since(start))
	g.Expect(ok).To(BeTrue())
	g.Expect(err).To(MatchError(ErrCostLimit))
	g.Expect(r.Status).To(Equal(health.Unknown))
	g.Expect(r.Message).To(ContainSubstring("costs more than 1000000"))

	// The same expression over a small list is cheap.
	r, _, err = e.Assessor(checks).Assess(bigList(10))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(r.Status).To(Equal(health.Healthy))
}

func TestTimeoutStopsAnExpression(t *testing.T) {
	g := NewWithT(t)
	e := NewEngine(Options{CostLimit: 1 << 62, Timeout: 20 * time.Millisecond})
	checks, err := e.Build([]syncv1alpha1.HealthCheckExpr{{APIVersion: "example.com/v1", Kind: "Thing", Current: nested}})
	g.Expect(err).NotTo(HaveOccurred())
	r, _, err := e.Assessor(checks).Assess(bigList(1000))
	g.Expect(err).To(MatchError(ErrTimeout))
	g.Expect(r.Status).To(Equal(health.Unknown))
	g.Expect(r.Message).To(ContainSubstring("ran longer than 20ms"))
}

func TestCompileIsCached(t *testing.T) {
	g := NewWithT(t)
	e := NewEngine(Options{CacheSize: 2})
	p1, err := e.Compile("status.phase == 'Running'")
	g.Expect(err).NotTo(HaveOccurred())
	p2, err := e.Compile("status.phase == 'Running'")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p2).To(BeIdenticalTo(p1))
	for _, x := range []string{"true", "false", "1 == 1"} {
		_, err := e.Compile(x)
		g.Expect(err).NotTo(HaveOccurred())
	}
	g.Expect(len(e.cache)).To(BeNumerically("<=", 2), "the cache is bounded")
	_, err = e.Compile("")
	g.Expect(err).To(MatchError(ErrCompile))
	ok, err := e.EvalBool(context.Background(), p1, map[string]any{"status": map[string]any{"phase": "Running"}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ok).To(BeTrue())
}
