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
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// TestTerminateAfterALostStartRecordsWhatItApplied: spec.terminate set
// while the start's reconcile runs makes that reconcile's status write
// fail (its resourceVersion is stale), so the operation is still Pending
// with no snapshot recorded though its first steps were applied. It is
// terminated as one that started: what it applied is recorded, its
// application's, and a later prune deletes it; the message does not say
// that nothing was applied.
//
// The lost write is simulated: the operation runs, its status is put back
// to Pending while a dependency (application db, now running again) keeps
// it from starting a second time, and then it is terminated.
func TestTerminateAfterALostStartRecordsWhatItApplied(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	db := create(t, ns, "db-1", syncv1alpha1.SyncOperationSpec{Application: "db", Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: db}}`)})
	waitDone(t, db)
	cfg := `{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}}`
	op := create(t, ns, "web-1", syncv1alpha1.SyncOperationSpec{Application: "web", DependsOn: []syncv1alpha1.ApplicationDependency{{Application: "db"}},
		Manifests: objects(t, cfg, neverAvailable, `{apiVersion: v1, kind: ConfigMap, metadata: {name: web-hook, annotations: {argocd.argoproj.io/hook: Sync, argocd.argoproj.io/sync-wave: "1"}}}`)})
	waitFor(t, op, "waits for the Deployment of wave 1", func(op *syncv1alpha1.SyncOperation) bool {
		return op.Status.Current != nil && op.Status.Current.Wave == 1 && len(op.Status.BlockedBy) > 0
	})
	db2 := create(t, ns, "db-2", syncv1alpha1.SyncOperationSpec{Application: "db", Manifests: objects(t, strings.ReplaceAll(neverAvailable, "web", "db"))})
	waitFor(t, db2, "db-2 runs", func(op *syncv1alpha1.SyncOperation) bool { return op.Status.Phase == syncv1alpha1.OperationRunning })

	g.Eventually(func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op); err != nil {
			return err
		}
		op.Status = syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationPending, AdmittedVersion: op.Status.AdmittedVersion,
			ObservedGeneration: op.Generation, Message: "admitted: reading the manifests"}
		return k8s.Status().Update(context.Background(), op)
	}, 10*time.Second, 20*time.Millisecond).Should(Succeed())
	waitFor(t, op, "waits for db", func(op *syncv1alpha1.SyncOperation) bool {
		return op.Status.Phase == syncv1alpha1.OperationPending && op.Status.Snapshot == nil && len(op.Status.BlockedBy) > 0
	})
	terminate(t, op)
	waitDone(t, op)
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTerminated))
	g.Expect(op.Status.Message).To(Equal("terminated by spec.terminate before its start was recorded: 2 object(s) it had applied stay"))
	g.Expect(op.Status.Snapshot).NotTo(BeNil(), "the plan its start pinned")
	g.Eventually(func() bool { return exists(t, &corev1.ConfigMap{}, ns, "web-hook") }, 10*time.Second, 20*time.Millisecond).Should(BeFalse(),
		"the hook whose record was lost with the start is deleted")

	v2 := create(t, ns, "web-2", syncv1alpha1.SyncOperationSpec{Application: "web", Prune: true, Manifests: objects(t, cfg)})
	waitDone(t, v2)
	g.Expect(v2.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v2.Status.Message)
	g.Expect(exists(t, &appsv1.Deployment{}, ns, "web")).To(BeFalse(), "applied by the lost start: the application's, pruned")
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "cfg")).To(BeTrue())
}
