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
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

func TestDefinedKinds(t *testing.T) {
	g := NewWithT(t)
	p, err := plan.Build(parse(t, `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions: [{name: v1, served: true, storage: true}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: ns}
---
apiVersion: other.example.com/v1
kind: CustomResourceDefinition
metadata: {name: not-a-crd, namespace: ns}
spec: {group: x.example.com, names: {kind: Fake}}
`), plan.Options{DefaultNamespace: "ns"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.DefinedKinds()).To(Equal(map[schema.GroupKind]bool{{Group: "example.com", Kind: "Widget"}: true}),
		"only apiextensions.k8s.io CRDs define kinds")
}

func TestNamespacedFrom(t *testing.T) {
	g := NewWithT(t)
	m := meta.NewDefaultRESTMapper([]schema.GroupVersion{{Version: "v1"}})
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, meta.RESTScopeNamespace)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, meta.RESTScopeRoot)
	is := plan.NamespacedFrom(m)
	for _, tc := range []struct {
		kind              string
		namespaced, known bool
	}{{"ConfigMap", true, true}, {"Namespace", false, true}, {"Widget", false, false}} {
		ns, known := is(schema.GroupKind{Kind: tc.kind})
		g.Expect([]bool{ns, known}).To(Equal([]bool{tc.namespaced, tc.known}), tc.kind)
	}
}

func TestHoldsSecrets(t *testing.T) {
	g := NewWithT(t)
	for _, tc := range []struct {
		manifests string
		want      bool
	}{
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", false},
		{"apiVersion: other.example.com/v1\nkind: Secret\nmetadata: {name: s}\n", false},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: hunter2}\n", true},
		{"apiVersion: v1\nkind: Secret\nmetadata: {name: s, annotations: {argocd.argoproj.io/hook: SyncFail}}\n", true},
	} {
		p, err := plan.Build(parse(t, tc.manifests), plan.Options{DefaultNamespace: "ns"})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(p.HoldsSecrets()).To(Equal(tc.want), tc.manifests)
	}
}

func TestCreatedNamespaces(t *testing.T) {
	g := NewWithT(t)
	p, err := plan.Build(parse(t, `
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {argocd.argoproj.io/sync-wave: "3"}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: alerts, annotations: {argocd.argoproj.io/hook: SyncFail}}
---
apiVersion: other.example.com/v1
kind: Namespace
metadata: {name: not-core}
`), plan.Options{DefaultNamespace: "ns"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.CreatedNamespaces()).To(Equal(map[string]bool{"shop": true, "alerts": true}))
	p.Steps = append(p.Steps, plan.Step{Phase: syncv1alpha1.SyncPhasePrune, Tasks: []plan.Task{{ID: plan.ObjectID{Kind: "Namespace", Name: "old"}, Prune: true}}})
	g.Expect(p.CreatedNamespaces()).NotTo(HaveKey("old"), "a prune deletes it")
}

func TestGrantsAccess(t *testing.T) {
	g := NewWithT(t)
	build := func(docs string) *plan.Plan {
		p, err := plan.Build(parse(t, docs), plan.Options{DefaultNamespace: "ns"})
		g.Expect(err).NotTo(HaveOccurred())
		return p
	}
	g.Expect(build("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n").GrantsAccess()).To(BeFalse())
	g.Expect(build(`
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
`).GrantsAccess()).To(BeTrue())
	p := build("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
	p.Steps = append(p.Steps, plan.Step{Phase: syncv1alpha1.SyncPhasePrune, Tasks: []plan.Task{{ID: plan.ObjectID{Group: "rbac.authorization.k8s.io", Kind: "Role", Name: "old"}, Prune: true}}})
	g.Expect(p.GrantsAccess()).To(BeFalse(), "a prune takes access away")
}
