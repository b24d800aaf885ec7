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

package health_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/syncwave/syncwave/internal/health"
)

// messageAnnotation, on a fixture, holds a substring that the health message
// must contain. It is test data only: no check reads it.
const messageAnnotation = "test.syncwave.dev/message"

// statusByName maps the second dash-separated word of a fixture's file name
// to the expected status: testdata/<kind>-<status>[-<variant>].yaml.
var statusByName = map[string]health.Status{
	"healthy":     health.Healthy,
	"progressing": health.Progressing,
	"degraded":    health.Degraded,
	"suspended":   health.Suspended,
	"missing":     health.Missing,
	"unknown":     health.Unknown,
}

// loadFixture reads one YAML object from path.
func loadFixture(t *testing.T, path string) *unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatalf("converting %s to JSON: %v", path, err)
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(js); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
	return obj
}

// fixture loads testdata/<name>.yaml.
func fixture(t *testing.T, name string) *unstructured.Unstructured {
	t.Helper()
	return loadFixture(t, filepath.Join("testdata", name+".yaml"))
}

// fixtureNames lists the fixtures' base names without the extension.
func fixtureNames(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(files))
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".yaml"))
	}
	return names
}

// TestFixtures assesses every fixture with the default chain; the file name
// is the expectation.
func TestFixtures(t *testing.T) {
	names := fixtureNames(t)
	NewWithT(t).Expect(names).NotTo(BeEmpty())
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			parts := strings.Split(name, "-")
			g.Expect(len(parts)).To(BeNumerically(">=", 2), "fixture name must be <kind>-<status>[-<variant>]")
			want, ok := statusByName[parts[1]]
			g.Expect(ok).To(BeTrue(), "unknown status %q in fixture name", parts[1])

			obj := fixture(t, name)
			r := health.Assess(health.Default(), obj)

			g.Expect(r.Status).To(Equal(want), "message: %s", r.Message)
			g.Expect(r.Message).NotTo(BeEmpty())
			if sub := obj.GetAnnotations()[messageAnnotation]; sub != "" {
				g.Expect(r.Message).To(ContainSubstring(sub))
			}
			wantSource := health.SourceGeneric
			if health.IsBuiltinKind(obj.GroupVersionKind().GroupKind()) {
				wantSource = health.SourceBuiltin
			}
			g.Expect(r.Source).To(Equal(wantSource))
		})
	}
}

// TestFixturesCoverEveryBuiltinKind makes sure that each built-in kind has a
// Healthy fixture and at least one that is not Healthy.
func TestFixturesCoverEveryBuiltinKind(t *testing.T) {
	g := NewWithT(t)
	kindOfPrefix := map[string]string{}
	healthyFixture := map[string]bool{}
	unhealthyFixture := map[string]bool{}
	for _, name := range fixtureNames(t) {
		obj := fixture(t, name)
		gk := obj.GroupVersionKind().GroupKind()
		if !health.IsBuiltinKind(gk) {
			continue
		}
		kindOfPrefix[strings.Split(name, "-")[0]] = gk.Kind
		if strings.Split(name, "-")[1] == "healthy" {
			healthyFixture[gk.Kind] = true
		} else {
			unhealthyFixture[gk.Kind] = true
		}
	}
	for _, gk := range health.BuiltinKinds() {
		g.Expect(healthyFixture).To(HaveKey(gk.Kind), "no healthy fixture for %s", gk)
		g.Expect(unhealthyFixture).To(HaveKey(gk.Kind), "no unhealthy fixture for %s", gk)
	}
	g.Expect(kindOfPrefix).To(HaveLen(14))
}

func TestBuiltinHasNoOpinionOnOtherKinds(t *testing.T) {
	g := NewWithT(t)
	_, ok, err := health.Builtin().Assess(fixture(t, "mycrd-healthy-ready"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ok).To(BeFalse())

	_, ok, err = health.Builtin().Assess(fixture(t, "configmap-healthy"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ok).To(BeFalse())
}

func TestBuiltinReportsUnreadableObjects(t *testing.T) {
	g := NewWithT(t)
	obj := fixture(t, "deployment-healthy")
	g.Expect(unstructured.SetNestedField(obj.Object, "three", "spec", "replicas")).To(Succeed())

	r, ok, err := health.Builtin().Assess(obj)
	g.Expect(err).To(HaveOccurred())
	g.Expect(ok).To(BeTrue())
	g.Expect(r.Status).To(Equal(health.Unknown))

	r = health.Assess(health.Default(), obj)
	g.Expect(r.Status).To(Equal(health.Unknown))
	g.Expect(r.Source).To(Equal(health.SourceBuiltin))
	g.Expect(r.Message).To(ContainSubstring("Deployment \"web\""))
}

func TestGenericAlwaysHasAnOpinion(t *testing.T) {
	for _, name := range []string{"mycrd-healthy-no-status", "deployment-progressing-rollout", "configmap-healthy", "crd-healthy"} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			r, ok, err := health.Generic().Assess(fixture(t, name))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(ok).To(BeTrue())
			g.Expect(r.Source).To(Equal(health.SourceGeneric))
			g.Expect(r.Message).NotTo(BeEmpty())
		})
	}
}

// TestGenericPodIsPure: Generic does not hand pods to kstatus, whose pod rule
// reads the wall clock.
func TestGenericPodIsPure(t *testing.T) {
	g := NewWithT(t)
	r, ok, err := health.Generic().Assess(fixture(t, "pod-progressing-unschedulable"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ok).To(BeTrue())
	g.Expect(r).To(Equal(health.Result{Status: health.Progressing, Source: health.SourceGeneric,
		Message: "pod is not scheduled: Unschedulable: 0/3 nodes are available: 3 Insufficient cpu."}))
}

func TestGenericReportsMalformedConditions(t *testing.T) {
	g := NewWithT(t)
	obj := fixture(t, "mycrd-healthy-no-status")
	g.Expect(unstructured.SetNestedField(obj.Object, "Ready", "status", "conditions")).To(Succeed())

	r := health.Assess(health.Default(), obj)
	g.Expect(r.Status).To(Equal(health.Unknown))
	g.Expect(r.Source).To(Equal(health.SourceGeneric))
	g.Expect(r.Message).NotTo(BeEmpty())
}

// TestBuiltinUnreadableStatusIsUnknown: every built-in check reports an
// object it cannot read as Unknown, with the reason, instead of guessing.
func TestBuiltinUnreadableStatusIsUnknown(t *testing.T) {
	for _, name := range fixtureNames(t) {
		obj := fixture(t, name)
		if !health.IsBuiltinKind(obj.GroupVersionKind().GroupKind()) || !strings.Contains(name, "-healthy") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			obj.Object["status"] = "broken"
			r := health.Assess(health.Default(), obj)
			g.Expect(r.Status).To(Equal(health.Unknown))
			g.Expect(r.Source).To(Equal(health.SourceBuiltin))
			g.Expect(r.Message).To(ContainSubstring(obj.GetName()))
		})
	}
}

func TestHPABadConditionsAnnotationIsUnknown(t *testing.T) {
	g := NewWithT(t)
	obj := fixture(t, "hpa-healthy-v1")
	ann := obj.GetAnnotations()
	ann["autoscaling.alpha.kubernetes.io/conditions"] = "[{"
	obj.SetAnnotations(ann)
	r := health.Assess(health.Default(), obj)
	g.Expect(r.Status).To(Equal(health.Unknown))
	g.Expect(r.Message).To(ContainSubstring("autoscaling.alpha.kubernetes.io/conditions"))
}
