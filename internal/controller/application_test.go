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
	"fmt"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/snapshot"
)

// blockingJob is a PreSync hook Job that never finishes here (no
// kube-controller-manager runs its pods), so its operation stays Running.
const blockingJob = `{apiVersion: batch/v1, kind: Job, metadata: {name: block, annotations: {argocd.argoproj.io/hook: PreSync}},
  spec: {activeDeadlineSeconds: 600, backoffLimit: 0, template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}`

func create(t *testing.T, ns, name string, spec syncv1alpha1.SyncOperationSpec) *syncv1alpha1.SyncOperation {
	t.Helper()
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: spec}
	NewWithT(t).Expect(k8s.Create(context.Background(), op)).To(Succeed())
	return op
}

func phaseOf(op *syncv1alpha1.SyncOperation) func() syncv1alpha1.OperationPhase {
	return func() syncv1alpha1.OperationPhase {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		return op.Status.Phase
	}
}

func terminate(t *testing.T, op *syncv1alpha1.SyncOperation) {
	t.Helper()
	patch := client.MergeFrom(op.DeepCopy())
	op.Spec.Terminate = true
	NewWithT(t).Expect(k8s.Patch(context.Background(), op, patch)).To(Succeed())
}

// TestQueueAndForbid: a second operation of a running application waits,
// Pending, naming the one it waits for, and starts once it finished; a
// Forbid one fails with Conflict at once.
func TestQueueAndForbid(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	first := create(t, ns, "first", syncv1alpha1.SyncOperationSpec{Application: "web", Manifests: objects(t, blockingJob)})
	g.Eventually(phaseOf(first), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationRunning))

	second := create(t, ns, "second", syncv1alpha1.SyncOperationSpec{Application: "web",
		Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}}`)})
	g.Eventually(func() string {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(second), second)
		return second.Status.Message
	},
		10*time.Second, 20*time.Millisecond).Should(ContainSubstring(ns + "/first"))
	g.Expect(second.Status.Phase).To(Equal(syncv1alpha1.OperationPending))
	g.Expect(second.Status.BlockedBy).To(HaveLen(1))
	g.Expect(second.Status.BlockedBy[0].Kind).To(Equal("SyncOperation"))
	g.Expect(second.Status.BlockedBy[0].Name).To(Equal("first"))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "cfg")).To(BeFalse(), "a queued operation applies nothing")

	forbid := create(t, ns, "forbid", syncv1alpha1.SyncOperationSpec{Application: "web", ConcurrencyPolicy: syncv1alpha1.ConcurrencyForbid,
		Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: never}}`)})
	g.Eventually(phaseOf(forbid), 10*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationFailed))
	g.Expect(forbid.Status.Reason).To(Equal(syncv1alpha1.ReasonConflict))
	g.Expect(forbid.Status.Message).To(ContainSubstring("first"))

	terminate(t, first)
	g.Eventually(phaseOf(second), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationSucceeded))
	cm := &corev1.ConfigMap{}
	g.Expect(exists(t, cm, ns, "cfg")).To(BeTrue())
	g.Expect(cm.Labels).To(HaveKeyWithValue(syncv1alpha1.LabelApplication, "web"))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "never")).To(BeFalse())
}

// TestQueueRunsInCreationOrder: operations queued in the same second run
// in the order they were created, not in the order of their names (CI
// creates them with generateName, whose suffixes are random), so the last
// one created is what stays applied.
func TestQueueRunsInCreationOrder(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	p := watchPhases(t, ns)
	first := create(t, ns, "first", syncv1alpha1.SyncOperationSpec{Application: "web", Manifests: objects(t, blockingJob)})
	g.Eventually(phaseOf(first), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationRunning))
	names := []string{"op-e", "op-d", "op-c", "op-b", "op-a"} // created in this order
	var ops []*syncv1alpha1.SyncOperation
	for i, n := range names {
		ops = append(ops, create(t, ns, n, syncv1alpha1.SyncOperationSpec{Application: "web",
			Manifests: objects(t, fmt.Sprintf(`{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}, data: {version: "%d"}}`, i))}))
	}
	t.Logf("created in seconds %v .. %v", ops[0].CreationTimestamp.Time, ops[len(ops)-1].CreationTimestamp.Time)
	terminate(t, first)
	// Seen by a watch: the suite's history limit (3) removes the older ones.
	for _, n := range names {
		g.Eventually(func() time.Time { return p.at(n, syncv1alpha1.OperationSucceeded) }, 30*time.Second, 20*time.Millisecond).ShouldNot(BeZero(), n)
	}
	g.Expect(get(t, ops[len(ops)-1]).Status.AdmittedVersion).NotTo(BeEmpty())
	for i := 1; i < len(names); i++ {
		g.Expect(p.at(names[i], syncv1alpha1.OperationSucceeded)).To(BeTemporally(">", p.at(names[i-1], syncv1alpha1.OperationSucceeded)),
			"%s was created after %s", names[i], names[i-1])
	}
	cm := &corev1.ConfigMap{}
	g.Expect(exists(t, cm, ns, "cfg")).To(BeTrue())
	g.Expect(cm.Data).To(HaveKeyWithValue("version", "4"), "the last one created is what stays applied")
}

// TestReplaceTerminatesTheRunningOne.
func TestReplaceTerminatesTheRunningOne(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	first := create(t, ns, "first", syncv1alpha1.SyncOperationSpec{Application: "web", Manifests: objects(t, blockingJob)})
	g.Eventually(phaseOf(first), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationRunning))
	next := create(t, ns, "next", syncv1alpha1.SyncOperationSpec{Application: "web", ConcurrencyPolicy: syncv1alpha1.ConcurrencyReplace,
		Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}}`)})
	g.Eventually(phaseOf(next), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationSucceeded))
	g.Expect(phaseOf(first)()).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(first.Status.Reason).To(Equal(syncv1alpha1.ReasonTerminated))
	g.Expect(first.Status.Message).To(Equal("terminated by SyncOperation "+ns+"/next (concurrencyPolicy Replace)"), "the message names who replaced it")
	g.Expect(first.Annotations).To(HaveKeyWithValue(syncv1alpha1.AnnotationTerminatedBy, ns+"/next"))
	g.Expect(first.Status.FinishedAt.Truncate(time.Second)).NotTo(BeTemporally(">", next.Status.StartedAt.Time), "startedAt has whole seconds")
}

// TestWithoutPruneTheRestStaysTheApplications: an operation without prune
// leaves what the manifests no longer contain in place, and in the
// application's inventory, so that a later prune deletes it.
func TestWithoutPruneTheRestStaysTheApplications(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	keep, old := `{apiVersion: v1, kind: ConfigMap, metadata: {name: keep}}`, `{apiVersion: v1, kind: ConfigMap, metadata: {name: old}}`
	v1 := create(t, ns, "v1", syncv1alpha1.SyncOperationSpec{Application: "web", Manifests: objects(t, keep, old)})
	waitDone(t, v1)
	g.Expect(v1.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v1.Status.Message)
	v2 := create(t, ns, "v2", syncv1alpha1.SyncOperationSpec{Application: "web", Manifests: objects(t, keep)})
	waitDone(t, v2)
	g.Expect(v2.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v2.Status.Message)
	g.Expect(v2.Status.Message).To(Equal("successfully synced 1 task in 1 step; 1 object of application web that the manifests no longer contain left in place (spec.prune is false)"))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "old")).To(BeTrue())
	v3 := create(t, ns, "v3", syncv1alpha1.SyncOperationSpec{Application: "web", Prune: true, Manifests: objects(t, keep)})
	waitDone(t, v3)
	g.Expect(v3.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v3.Status.Message)
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "old")).To(BeFalse(), "v1's object, kept by v2, is pruned by v3")
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "keep")).To(BeTrue())
}

// TestPruneAndDelete: v2 without two ConfigMaps prunes them, keeps one
// marked Prune=false on the live object; a Delete operation then removes
// what is left of the inventory.
func TestPruneAndDelete(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	v1 := run(t, ns, syncv1alpha1.SyncOperationSpec{Application: "web", Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: keep}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: old, annotations: {argocd.argoproj.io/sync-wave: "2"}}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: protected}}`)})
	g.Expect(v1.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v1.Status.Message)
	outsider := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "outsider", Namespace: ns, Labels: map[string]string{syncv1alpha1.LabelApplication: "web"}}}
	g.Expect(k8s.Create(context.Background(), outsider)).To(Succeed())
	live := &corev1.ConfigMap{}
	g.Expect(exists(t, live, ns, "protected")).To(BeTrue())
	patch := client.MergeFrom(live.DeepCopy())
	live.Annotations = map[string]string{syncv1alpha1.AnnotationSyncOptions: "Prune=false"}
	g.Expect(k8s.Patch(context.Background(), live, patch)).To(Succeed())

	// A dry run of v2 tells the prune that would delete from the one that
	// Prune=false keeps, and deletes nothing.
	preview := create(t, ns, "preview", syncv1alpha1.SyncOperationSpec{Application: "web", Prune: true, DryRun: true,
		Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: keep}}`)})
	waitDone(t, preview)
	g.Expect(preview.Status.Message).To(Equal("dry run: 0 to create, 0 to update, 2 unchanged, 1 to delete; nothing was changed"))
	rows, err := snapshot.Resources(context.Background(), k8s, preview)
	g.Expect(err).NotTo(HaveOccurred())
	changes := map[string]string{}
	for _, r := range rows {
		changes[r.Name+"/"+string(r.SyncPhase)] = string(r.Change) + " " + r.Message
	}
	g.Expect(changes).To(HaveKeyWithValue("old/Prune", "Delete "))
	g.Expect(changes).To(HaveKeyWithValue("protected/Prune", "Unchanged not deleted: the live object has the sync option Prune=false"))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "old")).To(BeTrue())

	v2 := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "v2", Namespace: ns}, Spec: syncv1alpha1.SyncOperationSpec{
		Application: "web", Prune: true, Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: keep}}`)}}
	g.Expect(k8s.Create(context.Background(), v2)).To(Succeed())
	g.Eventually(phaseOf(v2), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationSucceeded))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "old")).To(BeFalse())
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "protected")).To(BeTrue())
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "outsider")).To(BeTrue(), "in no inventory: never deleted")
	results := map[string]syncv1alpha1.ResultStatus{}
	for _, r := range v2.Status.Resources {
		results[r.Name+"/"+string(r.SyncPhase)] = r.Status
	}
	g.Expect(results).To(HaveKeyWithValue("old/Prune", syncv1alpha1.ResultPruned))
	g.Expect(results).To(HaveKeyWithValue("protected/Prune", syncv1alpha1.ResultPruneSkipped))
	g.Expect(v2.Status.Summary.Pruned).To(Equal(int32(1)))

	del := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "down", Namespace: ns}, Spec: syncv1alpha1.SyncOperationSpec{
		Application: "web", Action: syncv1alpha1.ActionDelete}}
	g.Expect(k8s.Create(context.Background(), del)).To(Succeed())
	g.Eventually(phaseOf(del), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationSucceeded), del.Status.Message)
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "keep")).To(BeFalse())
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "protected")).To(BeTrue(), "Prune=false holds for a teardown too")
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "outsider")).To(BeTrue())

	again := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "again", Namespace: ns}, Spec: syncv1alpha1.SyncOperationSpec{
		Application: "web", Action: syncv1alpha1.ActionDelete}}
	g.Expect(k8s.Create(context.Background(), again)).To(Succeed())
	g.Eventually(phaseOf(again), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationSucceeded))
	g.Expect(again.Status.Steps).To(BeEmpty(), "after a teardown the inventory is empty")
}

// TestTeardownKeepsDeleteFalse: Argo CD's sync option Delete=false keeps
// an object when its application is torn down; a prune still deletes it.
// Delete=confirm keeps it too: syncwave has no confirmation to ask. Helm's
// helm.sh/resource-policy: keep keeps an object from both.
func TestTeardownKeepsDeleteFalse(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	retained := `{apiVersion: v1, kind: ConfigMap, metadata: {name: %s, annotations: {argocd.argoproj.io/sync-options: Delete=false}}}`
	confirm := `{apiVersion: v1, kind: ConfigMap, metadata: {name: confirm, annotations: {argocd.argoproj.io/sync-options: Delete=confirm}}}`
	helmKeep := `{apiVersion: v1, kind: ConfigMap, metadata: {name: helm-keep, annotations: {helm.sh/resource-policy: keep}}}`
	v1 := run(t, ns, syncv1alpha1.SyncOperationSpec{Application: "db", Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: app}}`, fmt.Sprintf(retained, "data"), fmt.Sprintf(retained, "old"), confirm, helmKeep)})
	g.Expect(v1.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v1.Status.Message)
	v2 := create(t, ns, "v2", syncv1alpha1.SyncOperationSpec{Application: "db", Prune: true, Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: app}}`, fmt.Sprintf(retained, "data"), confirm)})
	g.Eventually(phaseOf(v2), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationSucceeded), v2.Status.Message)
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "old")).To(BeFalse(), "Delete=false does not stop a prune")
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "helm-keep")).To(BeTrue(), "helm.sh/resource-policy: keep stops a prune, as helm upgrade keeps it")

	down := create(t, ns, "down", syncv1alpha1.SyncOperationSpec{Application: "db", Action: syncv1alpha1.ActionDelete})
	g.Eventually(phaseOf(down), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationSucceeded), down.Status.Message)
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "app")).To(BeFalse())
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "data")).To(BeTrue(), "Delete=false keeps it when the application is torn down")
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "confirm")).To(BeTrue(), "Argo CD's Delete=confirm: kept, syncwave asks no confirmation")
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "helm-keep")).To(BeTrue(), "helm.sh/resource-policy: keep, as helm uninstall keeps it")
	entries := map[string]syncv1alpha1.ResourceStatus{}
	for _, r := range down.Status.Resources {
		entries[r.Name] = r
	}
	g.Expect(entries["data"].Status).To(Equal(syncv1alpha1.ResultPruneSkipped))
	g.Expect(entries["data"].Message).To(ContainSubstring("Delete=false"))
	g.Expect(entries["confirm"].Status).To(Equal(syncv1alpha1.ResultPruneSkipped))
	g.Expect(entries["confirm"].Message).To(ContainSubstring("Delete=confirm (kept when its application is torn down); syncwave asks no confirmation"))
}

// TestHistoryAndTTL: the suite runs with --history-limit=3.
func TestHistoryAndTTL(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	for i := range 5 {
		op := create(t, ns, "h"+string(rune('a'+i)), syncv1alpha1.SyncOperationSpec{Application: "web",
			Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}}`)})
		g.Eventually(phaseOf(op), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationSucceeded))
	}
	names := func() []string {
		list := &syncv1alpha1.SyncOperationList{}
		_ = k8s.List(context.Background(), list, client.InNamespace(ns))
		var out []string
		for _, o := range list.Items {
			if o.DeletionTimestamp.IsZero() {
				out = append(out, o.Name)
			}
		}
		return out
	}
	g.Eventually(names, 10*time.Second, 50*time.Millisecond).Should(ConsistOf("hc", "hd", "he"))

	solo := create(t, ns, "solo", syncv1alpha1.SyncOperationSpec{TTLSecondsAfterFinished: ptr.To[int32](1),
		Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: solo}}`)})
	g.Eventually(phaseOf(solo), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationSucceeded))
	finished := solo.Status.FinishedAt.Time
	g.Eventually(names, 10*time.Second, 50*time.Millisecond).ShouldNot(ContainElement("solo"))
	g.Expect(time.Since(finished)).To(BeNumerically(">=", 900*time.Millisecond))
}

// TestApplicationFieldsAreValidated: the new fields are immutable and
// checked by the API server.
func TestApplicationFieldsAreValidated(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	bad := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "bad", Namespace: ns},
		Spec: syncv1alpha1.SyncOperationSpec{Prune: true, Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}`)}}
	g.Expect(k8s.Create(context.Background(), bad)).To(MatchError(ContainSubstring("spec.prune needs spec.application")))
	bad.Spec = syncv1alpha1.SyncOperationSpec{Action: syncv1alpha1.ActionDelete}
	g.Expect(k8s.Create(context.Background(), bad)).To(MatchError(ContainSubstring("a Delete operation needs spec.application")))
	bad.Spec = syncv1alpha1.SyncOperationSpec{Application: "Not a label!", Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}`)}
	g.Expect(k8s.Create(context.Background(), bad)).To(MatchError(ContainSubstring("spec.application")))

	op := create(t, ns, "op", syncv1alpha1.SyncOperationSpec{Application: "web", Manifests: objects(t, blockingJob)})
	g.Expect(op.Spec.Action).To(Equal(syncv1alpha1.ActionSync), "defaulted")
	g.Expect(op.Spec.ConcurrencyPolicy).To(Equal(syncv1alpha1.ConcurrencyQueue), "defaulted")
	for _, edit := range []func(s *syncv1alpha1.SyncOperationSpec){
		func(s *syncv1alpha1.SyncOperationSpec) { s.Application = "other" },
		func(s *syncv1alpha1.SyncOperationSpec) { s.Application = "" },
		func(s *syncv1alpha1.SyncOperationSpec) { s.Prune = true },
		func(s *syncv1alpha1.SyncOperationSpec) { s.ConcurrencyPolicy = syncv1alpha1.ConcurrencyForbid },
		func(s *syncv1alpha1.SyncOperationSpec) { s.TTLSecondsAfterFinished = ptr.To[int32](5) },
	} {
		cur := &syncv1alpha1.SyncOperation{}
		g.Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(op), cur)).To(Succeed())
		edit(&cur.Spec)
		g.Expect(k8s.Update(context.Background(), cur)).NotTo(Succeed())
	}
	terminate(t, op)
}
