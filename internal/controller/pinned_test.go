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
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/hook"
	"github.com/syncwave/syncwave/internal/snapshot"
)

// blocked is a Deployment that no controller rolls out here (envtest):
// it holds its step until the test writes its status.
const blocked = `apiVersion: apps/v1
kind: Deployment
metadata: {name: db, annotations: {argocd.argoproj.io/sync-wave: "1"}}
spec:
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres}]}
`

func waitFor(t *testing.T, op *syncv1alpha1.SyncOperation, what string, cond func(*syncv1alpha1.SyncOperation) bool) {
	t.Helper()
	NewWithT(t).Eventually(func() bool {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		return cond(op)
	}, 30*time.Second, 20*time.Millisecond).Should(BeTrue(), "%s: %s", what, op.Status.Message)
}

// rollOut writes the status a Deployment controller would write.
func rollOut(t *testing.T, ns, name string) {
	t.Helper()
	g := NewWithT(t)
	d := &appsv1.Deployment{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, d)).To(Succeed())
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: 1, UpdatedReplicas: 1, ReadyReplicas: 1, AvailableReplicas: 1,
		Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"}}}
	g.Expect(k8s.Status().Update(context.Background(), d)).To(Succeed())
}

// TestSourcesDeletedMidRun: the plan is pinned at the start, so deleting
// the sources changes nothing; the operation finishes and releases its hooks.
func TestSourcesDeletedMidRun(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	bundle := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "bundle", Namespace: ns}, Data: map[string]string{
		"app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n---\n" + blocked +
			"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: after, annotations: {argocd.argoproj.io/hook: PostSync}}\n",
	}}
	g.Expect(k8s.Create(context.Background(), bundle)).To(Succeed())
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns},
		Spec: syncv1alpha1.SyncOperationSpec{Sources: []syncv1alpha1.ManifestSource{{ConfigMapRef: &syncv1alpha1.KeyReference{Name: "bundle"}}}}}
	g.Expect(k8s.Create(context.Background(), op)).To(Succeed())
	waitFor(t, op, "waits for the Deployment", func(op *syncv1alpha1.SyncOperation) bool {
		return op.Status.Current != nil && op.Status.Current.Wave == 1 && len(op.Status.BlockedBy) > 0
	})
	g.Expect(op.Status.Snapshot).NotTo(BeNil())
	g.Expect(op.Status.Snapshot.Digest).To(Equal(op.Status.PlanDigest))
	pin := &corev1.ConfigMap{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: op.Status.Snapshot.Name}, pin)).To(Succeed())
	g.Expect(pin.Immutable).To(Equal(ptr.To(true)))
	g.Expect(pin.OwnerReferences[0].UID).To(Equal(op.UID))

	g.Expect(k8s.Delete(context.Background(), bundle)).To(Succeed())
	rollOut(t, ns, "db")
	waitFor(t, op, "finishes", func(op *syncv1alpha1.SyncOperation) bool { return op.Status.Phase.Terminal() })
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Status.Steps).To(HaveLen(3))
	for _, s := range op.Status.Steps {
		g.Expect(s.Result).To(Equal(syncv1alpha1.StepSucceeded))
		g.Expect(s.Healthy).To(Equal(s.Tasks))
	}
	h := &corev1.ConfigMap{}
	g.Eventually(func() []string {
		_ = k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "after"}, h)
		return h.Finalizers
	}, 10*time.Second, 20*time.Millisecond).Should(BeEmpty(), "the PostSync hook is released")
	rows, err := snapshot.Resources(context.Background(), k8s, op)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(rows).To(HaveLen(3))
}

// TestTerminateDeletesAHookWhoseRecordWasLost: a hook that exists with
// this operation's UID label but that status never recorded (the status
// write after its creation was lost) is found by the label, deleted, and
// loses its finalizer when the operation is terminated.
func TestTerminateDeletesAHookWhoseRecordWasLost(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns},
		Spec: syncv1alpha1.SyncOperationSpec{Manifests: objects(t, blocked,
			`{apiVersion: v1, kind: ConfigMap, metadata: {name: late-hook, annotations: {argocd.argoproj.io/hook: PostSync}}}`)}}
	g.Expect(k8s.Create(context.Background(), op)).To(Succeed())
	waitFor(t, op, "waits for the Deployment", func(op *syncv1alpha1.SyncOperation) bool {
		return op.Status.Current != nil && op.Status.Current.Wave == 1 && len(op.Status.BlockedBy) > 0
	})
	// The hook as the controller creates it, never recorded in status.
	lost := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "late-hook", Namespace: ns,
		Labels:      map[string]string{syncv1alpha1.LabelOperationUID: string(op.UID), syncv1alpha1.LabelManaged: "true"},
		Annotations: map[string]string{hook.AnnotationHookPhase: "PostSync", syncv1alpha1.AnnotationOperation: ns + "/op"},
		Finalizers:  []string{syncv1alpha1.HookFinalizer}}}
	g.Expect(k8s.Create(context.Background(), lost)).To(Succeed())

	patch := client.MergeFrom(op.DeepCopy())
	op.Spec.Terminate = true
	g.Expect(k8s.Patch(context.Background(), op, patch)).To(Succeed())
	waitFor(t, op, "terminated", func(op *syncv1alpha1.SyncOperation) bool { return op.Status.Phase.Terminal() })
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTerminated))
	g.Eventually(func() bool {
		return apierrors.IsNotFound(k8s.Get(context.Background(), client.ObjectKeyFromObject(lost), &corev1.ConfigMap{}))
	}, 10*time.Second, 20*time.Millisecond).Should(BeTrue(), "the unrecorded hook is deleted, finalizer and all")
}

// TestTerminatePendingAppliesNothing: an operation terminated before it
// started reads and applies nothing.
func TestTerminatePendingAppliesNothing(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Terminate: true, Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: never}}`)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTerminated))
	g.Expect(op.Status.Snapshot).To(BeNil())
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "never")).To(BeFalse())
}

// TestTerminateCannotBeUnset: the API server refuses terminate true→false.
func TestTerminateCannotBeUnset(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Terminate: true, Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: never}}`)})
	back := op.DeepCopy()
	back.Spec.Terminate = false
	err := k8s.Update(context.Background(), back)
	g.Expect(err).To(MatchError(ContainSubstring("terminate cannot be unset once true")))
	g.Expect(k8s.Patch(context.Background(), back, client.RawPatch("application/json-patch+json",
		[]byte(`[{"op":"remove","path":"/spec/terminate"}]`)))).To(MatchError(ContainSubstring("terminate cannot be unset")))
}

// TestDeleteWithAnEditedSnapshot: a snapshot that no longer reads back (its
// digest annotation edited; annotations of an immutable ConfigMap can be)
// does not keep a deleted operation's finalizer: the plan is corrupt, not
// missing for a while, so reading it again would never help.
func TestDeleteWithAnEditedSnapshot(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: one}}`)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	pin := &corev1.ConfigMap{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: op.Status.Snapshot.Name}, pin)).To(Succeed())
	patch := client.MergeFrom(pin.DeepCopy())
	pin.Annotations[snapshot.AnnotationDigest] = "sha256:edited"
	g.Expect(k8s.Patch(context.Background(), pin, patch)).To(Succeed())

	g.Expect(k8s.Delete(context.Background(), op)).To(Succeed())
	g.Eventually(func() bool {
		return apierrors.IsNotFound(k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op))
	}, 10*time.Second, 20*time.Millisecond).Should(BeTrue(), "the deleted operation keeps its finalizer: %v", op.Finalizers)
}

// TestASecretIsPinnedInASecret: a plan that writes a Secret is pinned in a
// Secret, whatever its sources are (here inline manifests), so that its
// data is no more readable than the Secret it creates.
func TestASecretIsPinnedInASecret(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t,
		`{apiVersion: v1, kind: Secret, metadata: {name: db}, stringData: {password: hunter2}}`)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Status.Snapshot.Kind).To(Equal(snapshot.KindSecret))
	g.Expect(exists(t, &corev1.Secret{}, ns, op.Status.Snapshot.Name)).To(BeTrue())
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, op.Status.Snapshot.Name)).To(BeFalse())
}

// TestAnOperationCreatedAgainUnderItsName: CI deletes a SyncOperation and
// creates it again under the same name (kubectl replace --force). The
// pinned plan of the first one may still exist (the garbage collector
// deletes it, and there is none here): the second one replaces it and
// runs. An object of that name that no operation owns fails the
// operation at once, naming it, with nothing applied.
func TestAnOperationCreatedAgainUnderItsName(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	spec := func(name string) syncv1alpha1.SyncOperationSpec {
		return syncv1alpha1.SyncOperationSpec{Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: `+name+`}}`)}
	}
	first := create(t, ns, "web", spec("a"))
	waitDone(t, first)
	g.Expect(first.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), first.Status.Message)
	g.Expect(k8s.Delete(context.Background(), first)).To(Succeed())
	g.Eventually(func() bool {
		return apierrors.IsNotFound(k8s.Get(context.Background(), client.ObjectKeyFromObject(first), &syncv1alpha1.SyncOperation{}))
	}, 20*time.Second, 20*time.Millisecond).Should(BeTrue())
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "web-plan")).To(BeTrue(), "no garbage collector here: the first one's plan stays")

	again := create(t, ns, "web", spec("b"))
	waitDone(t, again)
	g.Expect(again.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), again.Status.Message)
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "b")).To(BeTrue())
	pinned := &corev1.ConfigMap{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "web-plan"}, pinned)).To(Succeed())
	g.Expect(pinned.OwnerReferences).To(ConsistOf(HaveField("UID", again.UID)), "the plan is the second one's")

	g.Expect(k8s.Create(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "api-plan", Namespace: ns}})).To(Succeed())
	api := create(t, ns, "api", spec("c"))
	waitDone(t, api)
	g.Expect(api.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(api.Status.Reason).To(Equal(syncv1alpha1.ReasonInvalidManifests))
	g.Expect(api.Status.Message).To(ContainSubstring("ConfigMap " + ns + "/api-plan exists and is not this operation's: the operation pins its plan under that name"))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "c")).To(BeFalse(), "nothing applied")
}
