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
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/plan"
)

func parse(t *testing.T, yaml string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := manifest.Parse("test.yaml", []byte(yaml))
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	return manifest.Unstructured(objs)
}

func TestBuildDoesNotModifyInput(t *testing.T) {
	g := NewWithT(t)
	objs := parse(t, `
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r, namespace: x}
`)
	before := []*unstructured.Unstructured{objs[0].DeepCopy(), objs[1].DeepCopy()}
	p, err := plan.Build(objs, plan.Options{DefaultNamespace: "ns"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cmp.Diff(before, objs)).To(BeEmpty())

	tasks := p.Steps[0].Tasks
	g.Expect(tasks[0].Object.GetNamespace()).To(Equal("ns"))
	g.Expect(tasks[1].Object.GetNamespace()).To(BeEmpty())
	g.Expect(tasks[1].Object.Object["metadata"]).NotTo(HaveKey("namespace"))
}

func TestBuildIsDeterministic(t *testing.T) {
	g := NewWithT(t)
	objs := parse(t, `
apiVersion: v1
kind: ConfigMap
metadata: {name: b, namespace: x}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: x}
---
apiVersion: example.com/v1
kind: Thing
metadata: {name: t, namespace: x}
`)
	first, err := plan.Build(objs, plan.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	reversed := []*unstructured.Unstructured{objs[2], objs[1], objs[0]}
	second, err := plan.Build(reversed, plan.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cmp.Diff(first, second)).To(BeEmpty())
}

func TestBuildOptions(t *testing.T) {
	objs := parse(t, `
apiVersion: example.com/v1
kind: Cluster
metadata: {name: c, namespace: dropped}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  annotations:
    argocd.argoproj.io/sync-options: Prune=false
`)
	tests := []struct {
		name     string
		opts     plan.Options
		wantNS   string
		warnings int
		options  map[string]string
	}{
		{
			name:     "unknown kind is namespaced and has no health check",
			opts:     plan.Options{DefaultNamespace: "d"},
			wantNS:   "dropped",
			warnings: 1,
			options:  map[string]string{"Prune": "false"},
		},
		{
			name: "IsNamespaced and HasHealthCheck know the kind",
			opts: plan.Options{
				DefaultNamespace: "d",
				SyncOptions:      []string{"Prune=true", "ServerSideApply=true"},
				IsNamespaced: func(gk schema.GroupKind) (bool, bool) {
					return false, gk.Kind == "Cluster"
				},
				HasHealthCheck: func(gk schema.GroupKind) bool { return gk.Kind == "Cluster" },
			},
			wantNS:  "",
			options: map[string]string{"Prune": "false", "ServerSideApply": "true"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			p, err := plan.Build(objs, tt.opts)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(p.Steps).To(HaveLen(1))
			tasks := p.Steps[0].Tasks
			g.Expect(tasks[0].ID.Kind).To(Equal("ConfigMap"))
			g.Expect(tasks[0].Options).To(Equal(tt.options))
			g.Expect(tasks[1].ID.Namespace).To(Equal(tt.wantNS))
			g.Expect(p.Warnings).To(HaveLen(tt.warnings))
		})
	}
}

func TestValidationErrorIsTyped(t *testing.T) {
	g := NewWithT(t)
	objs := parse(t, `
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  annotations: {argocd.argoproj.io/sync-wave: "x"}
`)
	_, err := plan.Build(append(objs, nil), plan.Options{DefaultNamespace: "d", Origins: []string{"a.yaml, document 0"}})
	var ve *plan.ValidationError
	g.Expect(errors.As(err, &ve)).To(BeTrue())
	g.Expect(ve.Errs).To(Equal([]plan.FieldError{
		{
			ID:     plan.ObjectID{Kind: "ConfigMap", Namespace: "d", Name: "a"},
			Origin: "a.yaml, document 0",
			Field:  "metadata.annotations[" + syncv1alpha1.AnnotationSyncWave + "]",
			Msg:    `wave "x" is not an integer`,
		},
		{Msg: "object is empty"},
	}))
}

func TestHookTasksShareTheObject(t *testing.T) {
	g := NewWithT(t)
	objs := parse(t, `
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations: {argocd.argoproj.io/hook: "PostSync,PreSync,SyncFail"}
`)
	p, err := plan.Build(objs, plan.Options{DefaultNamespace: "d"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.Steps).To(HaveLen(2))
	g.Expect(p.OnFail).To(HaveLen(1))
	pre, post, fail := p.Steps[0].Tasks[0], p.Steps[1].Tasks[0], p.OnFail[0].Tasks[0]
	g.Expect([]syncv1alpha1.HookType{pre.Hook.Type, post.Hook.Type, fail.Hook.Type}).To(Equal(
		[]syncv1alpha1.HookType{syncv1alpha1.HookTypePreSync, syncv1alpha1.HookTypePostSync, syncv1alpha1.HookTypeSyncFail}))
	g.Expect(pre.Hook.Types).To(Equal([]syncv1alpha1.HookType{"PreSync", "PostSync", "SyncFail"}))
	g.Expect(pre.Object).To(BeIdenticalTo(post.Object))
	g.Expect(p.Warnings).To(BeEmpty(), "a Pod hook is not linted as a Job")
}

func TestPrunePropagationPolicyIsValidated(t *testing.T) {
	g := NewWithT(t)
	objs := parse(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	_, err := plan.Build(objs, plan.Options{DefaultNamespace: "d", SyncOptions: []string{"PrunePropagationPolicy=Background"}})
	var ve *plan.ValidationError
	g.Expect(errors.As(err, &ve)).To(BeTrue(), "%v", err)
	g.Expect(ve.Errs).To(Equal([]plan.FieldError{{Field: "spec.syncOptions",
		Msg: "sync option PrunePropagationPolicy=Background: the value must be foreground, background or orphan"}}))
	_, err = plan.Build(objs, plan.Options{DefaultNamespace: "d", SyncOptions: []string{"PrunePropagationPolicy=orphan"}})
	g.Expect(err).NotTo(HaveOccurred())
}

func TestUnknownSpecSyncOptionIsAWarning(t *testing.T) {
	g := NewWithT(t)
	p, err := plan.Build(parse(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"),
		plan.Options{DefaultNamespace: "d", SyncOptions: []string{"CreateNamspace=true", "ServerSideApply=true"}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.Warnings).To(Equal([]plan.Warning{{Code: plan.CodeUnknownSyncOption,
		Message: `unknown sync option "CreateNamspace" in spec.syncOptions: it has no effect (check the spelling; names are case-sensitive, e.g. Prune, Replace, ServerSideApply)`}}))
}
