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

package controller_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/snapshot"
)

// audit records every write to the given kinds in ns from now on.
func audit(t *testing.T, ns string, gvrs ...schema.GroupVersionResource) func() []string {
	t.Helper()
	dyn := dynamic.NewForConfigOrDie(env.Config)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var mu sync.Mutex
	var seen []string
	for _, gvr := range gvrs {
		list, err := dyn.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		w, err := dyn.Resource(gvr).Namespace(ns).Watch(ctx, metav1.ListOptions{ResourceVersion: list.GetResourceVersion()})
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for ev := range w.ResultChan() {
				if ev.Type == watch.Bookmark || ev.Type == watch.Error {
					continue
				}
				mu.Lock()
				seen = append(seen, string(ev.Type)+" "+gvr.Resource)
				mu.Unlock()
			}
		}()
	}
	return func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), seen...) }
}

// TestDryRunShowsWhatASyncWouldChange: on a cluster where an older
// version is live, a dry-run operation lists each object's Create, Update
// (with the fields) or Unchanged, lists its hook without creating it, and
// writes nothing (a watch on every kind involved sees no write).
func TestDryRunShowsWhatASyncWouldChange(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	ctx := context.Background()
	g.Expect(k8s.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings", Namespace: ns}, Data: map[string]string{"mode": "v1"}})).To(Succeed())
	g.Expect(k8s.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "same", Namespace: ns}, Data: map[string]string{"k": "v"}})).To(Succeed())
	writes := audit(t, ns, corev1.SchemeGroupVersion.WithResource("configmaps"), schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"},
		corev1.SchemeGroupVersion.WithResource("services"))

	op := run(t, ns, syncv1alpha1.SyncOperationSpec{DryRun: true, Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: settings}, data: {mode: v2}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: same}, data: {k: v}}`,
		`{apiVersion: v1, kind: Service, metadata: {name: web, annotations: {argocd.argoproj.io/sync-wave: "1"}}, spec: {ports: [{port: 80}]}}`,
		`{apiVersion: batch/v1, kind: Job, metadata: {name: smoke, annotations: {argocd.argoproj.io/hook: PostSync}}, spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}`,
	)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Status.Message).To(Equal("dry run: 2 to create, 1 to update, 1 unchanged, 0 to delete; nothing was changed"))
	rows, err := snapshot.Resources(ctx, k8s, op)
	g.Expect(err).NotTo(HaveOccurred())
	change := map[string]syncv1alpha1.ResourceStatus{}
	for _, r := range rows {
		change[r.Name] = r
	}
	g.Expect(change["settings"].Change).To(Equal(syncv1alpha1.ChangeUpdate))
	g.Expect(change["settings"].ChangedFields).To(Equal([]string{"data.mode"}))
	g.Expect(change["same"].Change).To(Equal(syncv1alpha1.ChangeUnchanged))
	g.Expect(change["web"].Change).To(Equal(syncv1alpha1.ChangeCreate))
	g.Expect(change["smoke"].Change).To(Equal(syncv1alpha1.ChangeCreate))
	g.Expect(change["smoke"].HookPhase).To(BeEmpty(), "the hook is listed, not run")
	for _, s := range op.Status.Steps {
		g.Expect(s.Result).To(Equal(syncv1alpha1.StepSkipped))
	}
	// The only write in the namespace is the pinned plan's ConfigMap.
	g.Expect(writes()).To(ConsistOf("ADDED configmaps"))
	g.Expect(exists(t, &corev1.Service{}, ns, "web")).To(BeFalse())
	live := &corev1.ConfigMap{}
	g.Expect(exists(t, live, ns, "settings")).To(BeTrue())
	g.Expect(live.Data["mode"]).To(Equal("v1"))
}

// TestDryRunAsAServiceAccountThatMayNot: a dry run that the operation's
// ServiceAccount may not do fails, naming the object, the verb and the
// ServiceAccount.
func TestDryRunAsAServiceAccountThatMayNot(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	ctx := context.Background()
	g.Expect(k8s.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "viewer", Namespace: ns}})).To(Succeed())
	g.Expect(k8s.Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "read", Namespace: ns},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list", "watch"}}}})).To(Succeed())
	g.Expect(k8s.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "viewer", Namespace: ns},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "read"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "viewer", Namespace: ns}}})).To(Succeed())
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{DryRun: true, ServiceAccountName: "viewer", Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: settings}, data: {mode: v2}}`)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonApplyFailed))
	g.Expect(op.Status.Message).To(ContainSubstring("ConfigMap/" + ns + "/settings"))
	g.Expect(op.Status.Message).To(ContainSubstring("system:serviceaccount:" + ns + ":viewer"))
	g.Expect(op.Status.Message).To(MatchRegexp("cannot (create|patch)"))
}

// guide reads the guide's manifests (test/e2e/testdata/guide) for ns.
func guide(t *testing.T, ns string, edit func(u *unstructured.Unstructured)) []*unstructured.Unstructured {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "..", "test", "e2e", "testdata", "guide", "*.yaml"))
	var out []*unstructured.Unstructured
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := manifest.Parse(f, []byte(strings.ReplaceAll(string(data), "namespace: production", "namespace: "+ns)))
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range manifest.Unstructured(objs) {
			if edit != nil {
				edit(u)
			}
			out = append(out, u)
		}
	}
	return out
}

// TestDryRunOfTheGuideOverAnOlderVersion: the guide's RBAC and an older
// Deployment (2 replicas, another image) are live; a dry run of the guide
// reports the Deployment's Update with its fields, the RBAC Unchanged, the
// three hook Jobs to be created, and nothing is written.
func TestDryRunOfTheGuideOverAnOlderVersion(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	ctx := context.Background()
	for _, u := range guide(t, ns, func(u *unstructured.Unstructured) {
		if u.GetKind() == "Deployment" {
			g.Expect(unstructured.SetNestedField(u.Object, int64(2), "spec", "replicas")).To(Succeed())
			cs, _, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "containers")
			cs[0].(map[string]any)["image"] = "nginx:1.25"
			g.Expect(unstructured.SetNestedSlice(u.Object, cs, "spec", "template", "spec", "containers")).To(Succeed())
		}
	}) {
		if u.GetAnnotations()[syncv1alpha1.AnnotationHook] != "" {
			continue // hooks are not live
		}
		g.Expect(k8s.Create(ctx, u)).To(Succeed(), u.GetName())
	}
	writes := audit(t, ns, corev1.SchemeGroupVersion.WithResource("serviceaccounts"),
		rbacv1.SchemeGroupVersion.WithResource("roles"), rbacv1.SchemeGroupVersion.WithResource("rolebindings"),
		schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"},
		schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"})

	var ms []runtime.RawExtension
	for _, u := range guide(t, ns, nil) {
		raw, _ := json.Marshal(u.Object)
		ms = append(ms, runtime.RawExtension{Raw: raw})
	}
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{DryRun: true, Manifests: ms})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Status.Message).To(Equal("dry run: 3 to create, 1 to update, 3 unchanged, 0 to delete; nothing was changed"))
	rows, err := snapshot.Resources(ctx, k8s, op)
	g.Expect(err).NotTo(HaveOccurred())
	for _, r := range rows {
		switch r.Kind {
		case "Deployment":
			g.Expect(r.Change).To(Equal(syncv1alpha1.ChangeUpdate))
			g.Expect(r.ChangedFields).To(ContainElements("spec.replicas", "spec.template.spec.containers[0].image"))
		case "Job":
			g.Expect(r.Change).To(Equal(syncv1alpha1.ChangeCreate), r.Name)
		default:
			g.Expect(r.Change).To(Equal(syncv1alpha1.ChangeUnchanged), "%s %s: %v", r.Kind, r.Name, r.ChangedFields)
		}
	}
	g.Expect(writes()).To(BeEmpty(), "a dry run writes no target object")
}

// TestDryRunOfATeardown: a dry run of action Delete previews the teardown:
// it lists what would be deleted, runs no hook, deletes nothing and leaves
// the inventory to the real teardown after it.
func TestDryRunOfATeardown(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	a, b := `{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}`, `{apiVersion: v1, kind: ConfigMap, metadata: {name: b, annotations: {argocd.argoproj.io/sync-wave: "1"}}}`
	v1 := create(t, ns, "v1", syncv1alpha1.SyncOperationSpec{Application: "web", Manifests: objects(t, a, b)})
	waitDone(t, v1)
	g.Expect(v1.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v1.Status.Message)

	hook := `{apiVersion: batch/v1, kind: Job, metadata: {name: backup, annotations: {argocd.argoproj.io/hook: PreDelete}},
  spec: {backoffLimit: 0, template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}`
	preview := create(t, ns, "preview", syncv1alpha1.SyncOperationSpec{Application: "web", Action: syncv1alpha1.ActionDelete, DryRun: true,
		Manifests: objects(t, hook)})
	waitDone(t, preview)
	g.Expect(preview.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), preview.Status.Message)
	t.Logf("preview: %s", preview.Status.Message)
	g.Expect(preview.Status.Message).To(ContainSubstring("2 to delete; nothing was changed"))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "a")).To(BeTrue())
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "b")).To(BeTrue())
	g.Expect(exists(t, &batchv1.Job{}, ns, "backup")).To(BeFalse(), "no hook runs in a dry run")
	rows, err := snapshot.Resources(context.Background(), k8s, preview)
	g.Expect(err).NotTo(HaveOccurred())
	changes := map[string]string{}
	for _, r := range rows {
		changes[r.Kind+"/"+r.Name] = string(r.Change)
	}
	g.Expect(changes).To(HaveKeyWithValue("ConfigMap/a", "Delete"))
	g.Expect(changes).To(HaveKeyWithValue("ConfigMap/b", "Delete"))

	down := create(t, ns, "down", syncv1alpha1.SyncOperationSpec{Application: "web", Action: syncv1alpha1.ActionDelete})
	waitDone(t, down)
	g.Expect(down.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), down.Status.Message)
	g.Expect(down.Status.Summary.Total).To(BeEquivalentTo(2), "the preview left the inventory whole")
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "a")).To(BeFalse())
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "b")).To(BeFalse())
}
