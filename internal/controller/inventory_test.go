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
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// neverAvailable is a Deployment that no kube-controller-manager rolls out
// here, so its step waits until the operation is terminated.
const neverAvailable = `{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, annotations: {argocd.argoproj.io/sync-wave: "1"}},
  spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: busybox}]}}}}`

// failAfterWaveZero runs an operation of application web whose wave 0
// is applied and whose wave 1 never becomes healthy, then terminates it:
// it ends Failed with the objects of waves 0 and 1 written and wave 2's
// never.
func failAfterWaveZero(t *testing.T, ns, name string, docs ...string) *syncv1alpha1.SyncOperation {
	t.Helper()
	g := NewWithT(t)
	op := create(t, ns, name, syncv1alpha1.SyncOperationSpec{Application: "web", Manifests: objects(t, docs...)})
	waitFor(t, op, "waits for the Deployment of wave 1", func(op *syncv1alpha1.SyncOperation) bool {
		return op.Status.Current != nil && op.Status.Current.Wave == 1 && len(op.Status.BlockedBy) > 0
	})
	terminate(t, op)
	g.Eventually(phaseOf(op), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationFailed))
	return op
}

// TestAFailedOperationsObjectsStayTheApplications: objects that an
// operation applied before it failed belong to its application, so the
// next prune deletes them when the manifests no longer contain them (the
// deploy that failed, then the revert), and a teardown deletes them. An
// object of the failed operation's manifests that it never wrote is not
// the application's and is left alone.
func TestAFailedOperationsObjectsStayTheApplications(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	keep := `{apiVersion: v1, kind: ConfigMap, metadata: {name: keep}}`
	added := `{apiVersion: v1, kind: ConfigMap, metadata: {name: added}}`
	never := `{apiVersion: v1, kind: ConfigMap, metadata: {name: never, annotations: {argocd.argoproj.io/sync-wave: "2"}}}`
	v1 := run(t, ns, syncv1alpha1.SyncOperationSpec{Application: "web", Manifests: objects(t, keep)})
	g.Expect(v1.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v1.Status.Message)
	// Someone else's ConfigMap of the name the failed operation never wrote.
	g.Expect(k8s.Create(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "never", Namespace: ns}})).To(Succeed())

	failAfterWaveZero(t, ns, "v2", keep, added, neverAvailable, never)
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "added")).To(BeTrue())

	// Without prune the failed operation's objects are carried on.
	v3 := create(t, ns, "v3", syncv1alpha1.SyncOperationSpec{Application: "web", Manifests: objects(t, keep)})
	waitDone(t, v3)
	g.Expect(v3.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v3.Status.Message)
	g.Expect(v3.Status.Message).To(ContainSubstring("2 objects of application web that the manifests no longer contain left in place"))

	v4 := create(t, ns, "v4", syncv1alpha1.SyncOperationSpec{Application: "web", Prune: true, Manifests: objects(t, keep)})
	waitDone(t, v4)
	g.Expect(v4.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v4.Status.Message)
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "added")).To(BeFalse(), "applied by the failed v2: pruned")
	g.Expect(exists(t, &appsv1.Deployment{}, ns, "web")).To(BeFalse(), "applied by the failed v2: pruned")
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "never")).To(BeTrue(), "never written by v2: not the application's")
	pruned := map[string]syncv1alpha1.ResultStatus{}
	for _, r := range v4.Status.Resources {
		if r.SyncPhase == syncv1alpha1.SyncPhasePrune {
			pruned[r.Name] = r.Status
		}
	}
	g.Expect(pruned).To(Equal(map[string]syncv1alpha1.ResultStatus{"added": syncv1alpha1.ResultPruned, "web": syncv1alpha1.ResultPruned}))
}

// TestATeardownAfterAFailedDeployDeletesItsObjects: a Delete operation
// after a failed one tears down what the failed one applied too, and
// what the last successful one applied that the failed one did not get
// to.
func TestATeardownAfterAFailedDeployDeletesItsObjects(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	late := `{apiVersion: v1, kind: ConfigMap, metadata: {name: late, annotations: {argocd.argoproj.io/sync-wave: "2"}}}`
	v1 := run(t, ns, syncv1alpha1.SyncOperationSpec{Application: "web", Manifests: objects(t, late)})
	g.Expect(v1.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v1.Status.Message)
	failAfterWaveZero(t, ns, "v2", `{apiVersion: v1, kind: ConfigMap, metadata: {name: added}}`, neverAvailable, late)

	down := create(t, ns, "down", syncv1alpha1.SyncOperationSpec{Application: "web", Action: syncv1alpha1.ActionDelete})
	waitDone(t, down)
	g.Expect(down.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), down.Status.Message)
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "added")).To(BeFalse(), "applied by the failed v2")
	g.Expect(exists(t, &appsv1.Deployment{}, ns, "web")).To(BeFalse(), "applied by the failed v2")
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "late")).To(BeFalse(), "v1's, which v2 never reached")
}

// TestTheOperationsNamespaceIsNeverDeleted: an application whose
// manifests hold the Namespace its operations live in (adopted) is pruned
// and torn down without it, since deleting it would delete the running
// operation and the application's history; it is kept (PruneSkipped)
// saying why.
func TestTheOperationsNamespaceIsNeverDeleted(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	home := `{apiVersion: v1, kind: Namespace, metadata: {name: ` + ns + `}}`
	cm := `{apiVersion: v1, kind: ConfigMap, metadata: {name: settings}}`
	v1 := run(t, ns, syncv1alpha1.SyncOperationSpec{Application: "web", Manifests: objects(t, home, cm)})
	g.Expect(v1.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v1.Status.Message)

	why := "not deleted: namespace " + ns + " holds the application's SyncOperations, this one too; delete it by hand once they are no longer needed"
	v2 := create(t, ns, "v2", syncv1alpha1.SyncOperationSpec{Application: "web", Prune: true, Manifests: objects(t, cm),
		Timeout: &metav1.Duration{Duration: 20 * time.Second}})
	waitDone(t, v2)
	g.Expect(v2.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v2.Status.Message)
	g.Expect(v2.Status.Resources).To(ContainElement(And(
		HaveField("ResourceRef.Kind", "Namespace"), HaveField("Status", syncv1alpha1.ResultPruneSkipped), HaveField("Message", why))))

	down := create(t, ns, "v3", syncv1alpha1.SyncOperationSpec{Application: "web", Action: syncv1alpha1.ActionDelete,
		Timeout: &metav1.Duration{Duration: 20 * time.Second}})
	waitDone(t, down)
	g.Expect(down.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), down.Status.Message)
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "settings")).To(BeFalse(), "torn down")
	live := &corev1.Namespace{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Name: ns}, live)).To(Succeed())
	g.Expect(live.DeletionTimestamp).To(BeNil(), "the namespace of the operations is not being deleted")
}
