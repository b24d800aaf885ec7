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
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// TestANamespaceThatHoldsAKeptObjectIsKept: a teardown keeps a ConfigMap
// with Delete=false, so it keeps its Namespace too (deleting a namespace
// deletes what is in it); it deleted the Namespace, and the kept
// ConfigMap with it.
func TestANamespaceThatHoldsAKeptObjectIsKept(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	app := appNamespace(t, ns)
	v1 := run(t, ns, syncv1alpha1.SyncOperationSpec{Application: "td", Manifests: objects(t,
		`{apiVersion: v1, kind: Namespace, metadata: {name: `+app+`}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: keepme, namespace: `+app+`, annotations: {argocd.argoproj.io/sync-options: Delete=false}}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: goes, namespace: `+app+`}}`)})
	g.Expect(v1.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v1.Status.Message)

	// A dry run of the teardown says the same.
	dry := create(t, ns, "dry", syncv1alpha1.SyncOperationSpec{Application: "td", Action: syncv1alpha1.ActionDelete, DryRun: true})
	waitDone(t, dry)
	g.Expect(dry.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), dry.Status.Message)
	g.Expect(dry.Status.Resources).To(ContainElement(And(HaveField("ResourceRef.Kind", "Namespace"), HaveField("Change", syncv1alpha1.ChangeUnchanged),
		HaveField("Message", HavePrefix("not deleted: it holds ConfigMap/"+app+"/keepme, which this operation keeps")))))
	g.Expect(dry.Status.Message).To(ContainSubstring("1 to delete"), "only the ConfigMap goes")

	down := create(t, ns, "down", syncv1alpha1.SyncOperationSpec{Application: "td", Action: syncv1alpha1.ActionDelete,
		Timeout: &metav1.Duration{Duration: 20 * time.Second}})
	waitDone(t, down)
	g.Expect(down.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), down.Status.Message)
	g.Expect(down.Status.Resources).To(ContainElement(And(HaveField("ResourceRef.Kind", "Namespace"), HaveField("Status", syncv1alpha1.ResultPruneSkipped),
		HaveField("Message", HavePrefix("not deleted: it holds ConfigMap/"+app+"/keepme, which this operation keeps (the live object has the sync option Delete=false")))))
	g.Expect(exists(t, &corev1.ConfigMap{}, app, "goes")).To(BeFalse(), "torn down")
	g.Expect(exists(t, &corev1.ConfigMap{}, app, "keepme")).To(BeTrue(), "kept")
	live := &corev1.Namespace{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Name: app}, live)).To(Succeed())
	g.Expect(live.DeletionTimestamp).To(BeNil(), "the namespace of a kept object is not being deleted")
}

// TestAPrunedNamespaceThatHoldsAppliedObjectsIsKept: v2 no longer holds
// the Namespace (now managed elsewhere) but still deploys into it; its
// prune keeps the Namespace, which would take v2's own objects along.
func TestAPrunedNamespaceThatHoldsAppliedObjectsIsKept(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	app := appNamespace(t, ns)
	cm := `{apiVersion: v1, kind: ConfigMap, metadata: {name: settings, namespace: ` + app + `}}`
	v1 := run(t, ns, syncv1alpha1.SyncOperationSpec{Application: "web", Manifests: objects(t,
		`{apiVersion: v1, kind: Namespace, metadata: {name: `+app+`}}`, cm)})
	g.Expect(v1.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v1.Status.Message)

	v2 := create(t, ns, "v2", syncv1alpha1.SyncOperationSpec{Application: "web", Prune: true, Manifests: objects(t, cm),
		Timeout: &metav1.Duration{Duration: 20 * time.Second}})
	waitDone(t, v2)
	g.Expect(v2.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v2.Status.Message)
	g.Expect(v2.Status.Resources).To(ContainElement(And(HaveField("ResourceRef.Kind", "Namespace"), HaveField("Status", syncv1alpha1.ResultPruneSkipped),
		HaveField("Message", HavePrefix("not deleted: it holds ConfigMap/"+app+"/settings, which this operation applied")))))
	live := &corev1.Namespace{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Name: app}, live)).To(Succeed())
	g.Expect(live.DeletionTimestamp).To(BeNil())
	g.Expect(exists(t, &corev1.ConfigMap{}, app, "settings")).To(BeTrue())
}

// appNamespace names the application's own Namespace of a test in ns,
// deleted at the end of the test.
func appNamespace(t *testing.T, ns string) string {
	t.Helper()
	app := ns + "-app"
	t.Cleanup(func() {
		_ = k8s.Delete(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: app}})
	})
	return app
}
