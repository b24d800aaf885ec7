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

package plan_test

import (
	"fmt"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

func entry(kind, name string, wave int32, pruneLast bool) plan.Entry {
	group := ""
	switch kind {
	case "Deployment":
		group = "apps"
	case "CustomResourceDefinition":
		group = "apiextensions.k8s.io"
	}
	ns := "app"
	if kind == "Namespace" || kind == "CustomResourceDefinition" {
		ns = ""
	}
	return plan.Entry{ID: plan.ObjectID{Group: group, Kind: kind, Namespace: ns, Name: name}, Version: "v1",
		Phase: syncv1alpha1.SyncPhaseSync, Wave: wave, PruneLast: pruneLast}
}

func stepsString(steps []plan.Step) string {
	var b strings.Builder
	for _, s := range steps {
		fmt.Fprintf(&b, "%s:", s.String())
		for _, t := range s.Tasks {
			fmt.Fprintf(&b, " %s/%s", t.ID.Kind, t.ID.Name)
		}
		b.WriteString("; ")
	}
	return b.String()
}

func TestPruneSteps(t *testing.T) {
	cases := []struct {
		name    string
		entries []plan.Entry
		want    string
	}{
		{"none", nil, ""},
		{"highest wave first", []plan.Entry{entry("ConfigMap", "a", 0, false), entry("Service", "b", 5, false), entry("ConfigMap", "c", -3, false)},
			"Prune/5: Service/b; Prune/0: ConfigMap/a; Prune/-3: ConfigMap/c; "},
		{"reverse kind order inside a wave", []plan.Entry{entry("ConfigMap", "cm", 1, false), entry("Deployment", "web", 1, false), entry("Service", "svc", 1, false)},
			"Prune/1: Deployment/web Service/svc ConfigMap/cm; "},
		{"PruneLast, then Namespaces and CRDs", []plan.Entry{entry("Namespace", "ns", -10, false), entry("ConfigMap", "last", 9, true),
			entry("CustomResourceDefinition", "crd", 0, false), entry("ConfigMap", "x", 2, false)},
			"Prune/2: ConfigMap/x; PruneLast/0: ConfigMap/last; PruneLast/1: CustomResourceDefinition/crd Namespace/ns; "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			steps := plan.PruneSteps(tc.entries)
			g.Expect(stepsString(steps)).To(Equal(tc.want))
			for _, s := range steps {
				for _, task := range s.Tasks {
					g.Expect(task.Prune).To(BeTrue())
					g.Expect(task.Object.GetName()).To(Equal(task.ID.Name))
				}
			}
		})
	}
}

func obj(kind, name string, ann map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": kind,
		"metadata": map[string]any{"name": name, "namespace": "app"}}}
	if kind == "Job" {
		u.SetAPIVersion("batch/v1")
		u.Object["spec"] = map[string]any{"activeDeadlineSeconds": int64(10), "backoffLimit": int64(0), "template": map[string]any{"spec": map[string]any{
			"serviceAccountName": "runner", "containers": []any{map[string]any{"name": "c", "image": "x"}}}}}
	}
	u.SetAnnotations(ann)
	return u
}

func TestAddPruneAndInventory(t *testing.T) {
	g := NewWithT(t)
	v1, err := plan.Build([]*unstructured.Unstructured{
		obj("ConfigMap", "keep", nil), obj("ConfigMap", "gone", map[string]string{syncv1alpha1.AnnotationSyncWave: "3"}),
		obj("Service", "svc", map[string]string{syncv1alpha1.AnnotationSyncOptions: "PruneLast=true"}),
		obj("Job", "pre", map[string]string{syncv1alpha1.AnnotationHook: "PreSync"}),
	}, plan.Options{DefaultNamespace: "app"})
	g.Expect(err).NotTo(HaveOccurred())
	inv := plan.Inventory(v1, nil)
	g.Expect(inv).To(HaveLen(3), "hooks are not part of the inventory")

	v2, err := plan.Build([]*unstructured.Unstructured{
		obj("ConfigMap", "keep", nil),
		obj("Job", "post", map[string]string{syncv1alpha1.AnnotationHook: "PostSync"}),
	}, plan.Options{DefaultNamespace: "app"})
	g.Expect(err).NotTo(HaveOccurred())
	cands := plan.PruneCandidates(v2, inv)
	g.Expect(cands).To(HaveLen(2))
	plan.AddPrune(v2, cands)
	g.Expect(stepsString(v2.Steps)).To(Equal("Sync/0: ConfigMap/keep; Prune/3: ConfigMap/gone; PruneLast/0: Service/svc; PostSync/0: Job/post; "))

	// The next inventory keeps what the prune steps kept (Prune=false).
	next := plan.Inventory(v2, func(t *plan.Task) bool { return !t.Prune || t.ID.Name == "svc" })
	names := []string{}
	for _, e := range next {
		names = append(names, e.ID.Name)
	}
	g.Expect(names).To(Equal([]string{"keep", "svc"}))

	// Without prune, what the manifests no longer contain is kept: it
	// stays in the next inventory, after what the operation applied.
	v3, err := plan.Build([]*unstructured.Unstructured{obj("ConfigMap", "keep", nil)}, plan.Options{DefaultNamespace: "app"})
	g.Expect(err).NotTo(HaveOccurred())
	v3.Kept = plan.PruneCandidates(v3, inv)
	after := plan.Inventory(v3, nil)
	g.Expect(after).To(HaveLen(3))
	g.Expect(after[0].ID.Name).To(Equal("keep"))
	g.Expect([]string{after[1].ID.Name, after[2].ID.Name}).To(ConsistOf("gone", "svc"))
	g.Expect(plan.PruneCandidates(v3, after)).To(HaveLen(2), "a later prune deletes them")
	raw, err := plan.Marshal(v3)
	g.Expect(err).NotTo(HaveOccurred())
	back, err := plan.Unmarshal(raw)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(back.Kept).To(Equal(v3.Kept), "pinned with the plan")
}

// TestMarkInventoried: the plain resources the previous inventory holds
// are marked, hooks and new objects are not, and the mark is pinned.
func TestMarkInventoried(t *testing.T) {
	g := NewWithT(t)
	p, err := plan.Build([]*unstructured.Unstructured{
		obj("ConfigMap", "held", nil), obj("ConfigMap", "new", nil),
		obj("Job", "held", map[string]string{syncv1alpha1.AnnotationHook: "PreSync"}),
	}, plan.Options{DefaultNamespace: "app"})
	g.Expect(err).NotTo(HaveOccurred())
	plan.MarkInventoried(p, []plan.Entry{entry("ConfigMap", "held", 0, false), entry("Job", "held", 0, false)})
	marked := func(p *plan.Plan) map[string]bool {
		out := map[string]bool{}
		for _, s := range p.Steps {
			for _, t := range s.Tasks {
				out[t.ID.Kind+"/"+t.ID.Name] = t.Inventoried
			}
		}
		return out
	}
	want := map[string]bool{"ConfigMap/held": true, "ConfigMap/new": false, "Job/held": false}
	g.Expect(marked(p)).To(Equal(want))
	raw, err := plan.Marshal(p)
	g.Expect(err).NotTo(HaveOccurred())
	back, err := plan.Unmarshal(raw)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(marked(back)).To(Equal(want), "pinned with the plan")
}

func TestTeardown(t *testing.T) {
	g := NewWithT(t)
	p, err := plan.Build([]*unstructured.Unstructured{
		obj("ConfigMap", "ignored", nil),
		obj("Job", "before", map[string]string{syncv1alpha1.AnnotationHook: "PreDelete"}),
		obj("Job", "after", map[string]string{syncv1alpha1.AnnotationHelmHook: "post-delete", syncv1alpha1.AnnotationHelmHookDeletePolicy: "before-hook-creation"}),
		obj("Job", "sync-hook", map[string]string{syncv1alpha1.AnnotationHook: "PreSync"}),
	}, plan.Options{DefaultNamespace: "app"})
	g.Expect(err).NotTo(HaveOccurred())
	inv := []plan.Entry{entry("ConfigMap", "cfg", 0, false), entry("ServiceAccount", "runner", -1, false), entry("Deployment", "web", 2, false)}
	td := plan.Teardown(p, inv)
	g.Expect(stepsString(td.Steps)).To(Equal("PreDelete/0: Job/before; Prune/2: Deployment/web; Prune/0: ConfigMap/cfg; Prune/-1: ServiceAccount/runner; PostDelete/0: Job/after; "))
	var codes []string
	for _, w := range td.Warnings {
		codes = append(codes, w.Code+" "+w.Resource.Name)
	}
	g.Expect(codes).To(ContainElement(plan.CodeUsesPruned+" after"), "the PostDelete hook's ServiceAccount is deleted before it runs")
	g.Expect(codes).NotTo(ContainElement(plan.CodeUsesPruned+" before"), "PreDelete hooks run before anything is deleted")
}

func TestTeardownWarnsOfAHookInADeletedNamespace(t *testing.T) {
	g := NewWithT(t)
	p, err := plan.Build([]*unstructured.Unstructured{
		obj("Job", "goodbye", map[string]string{syncv1alpha1.AnnotationHook: "PostDelete"}),
	}, plan.Options{DefaultNamespace: "app"})
	g.Expect(err).NotTo(HaveOccurred())
	td := plan.Teardown(p, []plan.Entry{entry("Namespace", "app", 0, false), entry("ConfigMap", "cfg", 0, false)})
	g.Expect(td.Warnings).To(ContainElement(And(
		HaveField("Code", plan.CodeUsesPruned), HaveField("Resource.Name", "goodbye"),
		HaveField("Message", ContainSubstring(`runs in namespace "app", which step PruneLast/1 of this operation deletes before the hook runs in step PostDelete/0`)))))

	g.Expect(plan.Teardown(p, []plan.Entry{entry("Namespace", "elsewhere", 0, false)}).Warnings).To(BeEmpty(), "only the hook's own namespace matters")
}

// TestACRDKeepsWhatItDefinesThroughPrunes: the kind a CRD defines goes
// into the inventory and, through a prune step that keeps the CRD, into
// the next one, so that a prune can tell which resources deleting it
// would take along (Holds).
func TestACRDKeepsWhatItDefinesThroughPrunes(t *testing.T) {
	g := NewWithT(t)
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "gadgets.example.com"},
		"spec":     map[string]any{"group": "example.com", "names": map[string]any{"kind": "Gadget", "plural": "gadgets"}},
	}}
	v1, err := plan.Build([]*unstructured.Unstructured{crd, obj("Namespace", "app", nil)}, plan.Options{DefaultNamespace: "app"})
	g.Expect(err).NotTo(HaveOccurred())
	inv := plan.Inventory(v1, nil)
	g.Expect(inv).To(ContainElement(HaveField("Defines", HaveValue(HaveField("Kind", "Gadget")))))

	v2, err := plan.Build(nil, plan.Options{DefaultNamespace: "app"})
	g.Expect(err).NotTo(HaveOccurred())
	plan.AddPrune(v2, plan.PruneCandidates(v2, inv))
	raw, err := plan.Marshal(v2)
	g.Expect(err).NotTo(HaveOccurred())
	v2, err = plan.Unmarshal(raw) // as pinned
	g.Expect(err).NotTo(HaveOccurred())
	gadget := plan.ObjectID{Group: "example.com", Kind: "Gadget", Namespace: "app", Name: "g1"}
	widget := plan.ObjectID{Group: "example.com", Kind: "Widget", Namespace: "other", Name: "w1"}
	held := map[string][]bool{}
	for _, s := range v2.Steps {
		for i := range s.Tasks {
			holds := plan.Holds(&s.Tasks[i])
			g.Expect(holds).NotTo(BeNil(), s.Tasks[i].ID.String())
			held[s.Tasks[i].ID.Kind] = []bool{holds(gadget), holds(widget)}
		}
	}
	g.Expect(held).To(Equal(map[string][]bool{"CustomResourceDefinition": {true, false}, "Namespace": {true, false}}))
	// A prune that kept it carries the kind into the next inventory.
	next := plan.Inventory(v2, func(*plan.Task) bool { return true })
	g.Expect(next).To(ContainElement(HaveField("Defines", HaveValue(Equal(schema.GroupKind{Group: "example.com", Kind: "Gadget"})))))
	g.Expect(plan.Holds(&plan.Task{ID: plan.ObjectID{Kind: "ConfigMap", Name: "x"}})).To(BeNil())
}
