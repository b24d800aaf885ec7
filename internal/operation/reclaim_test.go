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

package operation_test

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clocktesting "k8s.io/utils/clock/testing"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// lostStartYAML: the start applies cfg and creates the hook seed (step
// Sync/0), then waits.
const lostStartYAML = `
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: later, annotations: {argocd.argoproj.io/sync-wave: "1"}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: seed, annotations: {argocd.argoproj.io/hook: Sync}}
spec: {backoffLimit: 0}
`

// lostRun is a pinned, Pending operation of lostStartYAML on a fake
// cluster.
type lostRun struct {
	l      *operation.Layout
	w      *world
	clk    *clocktesting.FakeClock
	timing operation.Timing
	op     *syncv1alpha1.SyncOperation
}

func newLostRun(t *testing.T) *lostRun {
	t.Helper()
	return &lostRun{l: buildLayout(t, lostStartYAML), w: newWorld(""), clk: clocktesting.NewFakeClock(t0), timing: operation.Timing{Timeout: time.Hour},
		op: &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1",
			CreationTimestamp: metav1.NewTime(t0.Add(-time.Second))},
			Status: syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationPending,
				Snapshot: &syncv1alpha1.SnapshotRef{Kind: "ConfigMap", Name: "op-plan", Parts: 1, Digest: "sha256:x"}}}}
}

// step runs one reconcile from the persisted status op and returns what
// it would persist.
func (r *lostRun) step(t *testing.T, op *syncv1alpha1.SyncOperation) *syncv1alpha1.SyncOperation {
	t.Helper()
	r.clk.Step(100 * time.Millisecond)
	next, err := transition(r.l, r.w, r.clk, op, r.timing)
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	return next
}

// terminate sets spec.terminate on the persisted status op and runs it to
// its end.
func (r *lostRun) terminate(t *testing.T, op *syncv1alpha1.SyncOperation) *syncv1alpha1.SyncOperation {
	t.Helper()
	op = op.DeepCopy()
	op.Spec.Terminate = true
	for i := 0; !op.Status.Phase.Terminal() || operation.NeedsHousekeeping(&op.Status); i++ {
		NewWithT(t).Expect(i).To(BeNumerically("<", 10), "terminated in a few calls: %+v", op.Status)
		op = r.step(t, op)
	}
	return op
}

// inventory names what op leaves to its application.
func (r *lostRun) inventory(op *syncv1alpha1.SyncOperation) []string {
	var out []string
	for _, e := range r.l.Inventory(&op.Status, func(t *plan.Task) string { return t.ID.Name }) {
		out = append(out, e.ID.Name)
	}
	return out
}

// terminateAfter runs the start of a pinned, Pending operation (its
// status write lost when lose is true), then terminates it and runs it
// to its end.
func terminateAfter(t *testing.T, lose bool) (*syncv1alpha1.SyncOperation, *lostRun) {
	t.Helper()
	r := newLostRun(t)
	if lose {
		started := r.step(t, r.op)
		NewWithT(t).Expect(started.Status.Phase).To(Equal(syncv1alpha1.OperationRunning))
		NewWithT(t).Expect(r.w.objects).To(HaveKey("Job/prod/seed"))
		// started is thrown away: its status write lost to spec.terminate.
	}
	return r.terminate(t, r.op), r
}

// TestTerminateAfterALostStart: a Pending operation whose start applied
// its first step but lost the status write is terminated as one that
// started: its hook is deleted, finalizer and all, what it applied is
// recorded (and so is its application's), and the message says so.
func TestTerminateAfterALostStart(t *testing.T) {
	g := NewWithT(t)
	op, r := terminateAfter(t, true)
	w := r.w
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTerminated))
	g.Expect(op.Status.Message).To(Equal("terminated by spec.terminate before its start was recorded: 1 object(s) it had applied stay"))
	g.Expect(w.objects).NotTo(HaveKey("Job/prod/seed"), "the hook is deleted")
	g.Expect(w.finalized()).To(BeEmpty())
	g.Expect(w.objects).To(HaveKey("ConfigMap/prod/cfg"))
	g.Expect(r.inventory(op)).To(Equal([]string{"cfg"}), "what it applied is its application's; later was never written")
}

// TestTerminatePendingWithAPlanAppliedNothing: a Pending operation with a
// pinned plan whose start wrote nothing (its dry-run was refused and a
// retry waits) still ends saying nothing was applied.
func TestTerminatePendingWithAPlanAppliedNothing(t *testing.T) {
	g := NewWithT(t)
	op, r := terminateAfter(t, false)
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTerminated))
	g.Expect(op.Status.Message).To(Equal("terminated by spec.terminate before it started: nothing was applied"))
	g.Expect(r.w.objects).To(BeEmpty())
}

// TestTerminateAfterALostStepRecordsWhatItApplied: a running operation
// whose reconcile advanced to the next step and applied it, then lost its
// status write to spec.terminate, records that step's object when it is
// terminated, so that its application's inventory holds it.
func TestTerminateAfterALostStepRecordsWhatItApplied(t *testing.T) {
	g := NewWithT(t)
	r := newLostRun(t)
	running := r.step(t, r.op)
	for i := 0; ; i++ {
		g.Expect(i).To(BeNumerically("<", 10), "step Sync/1 is reached")
		g.Expect(running.Status.Current.Wave).To(Equal(int32(0)))
		advanced := r.step(t, running)
		if advanced.Status.Current.Wave == 1 {
			break // advanced is thrown away: its status write lost to spec.terminate
		}
		running = advanced
	}
	g.Expect(r.w.objects).To(HaveKey("ConfigMap/prod/later"))

	op := r.terminate(t, running)
	g.Expect(op.Status.Message).To(Equal("terminated by spec.terminate; 1 object(s) it applied after its last recorded step stay"))
	g.Expect(r.w.finalized()).To(BeEmpty())
	g.Expect(r.inventory(op)).To(ConsistOf("cfg", "later"))
}
