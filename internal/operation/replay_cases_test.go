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
	"context"
	"fmt"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	clocktesting "k8s.io/utils/clock/testing"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// blind is a world that cannot read one object.
type blind struct {
	*world
	name string
}

func (b *blind) Get(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task, name string) (*unstructured.Unstructured, error) {
	if name == b.name {
		return nil, fmt.Errorf("deployments.apps %q is forbidden", name)
	}
	return b.world.Get(ctx, op, t, name)
}

// TestUnreadableObjectStillTimesOut: an object that cannot be observed
// counts as Unknown, so the step's timeout still ends the operation.
func TestUnreadableObjectStillTimesOut(t *testing.T) {
	g := NewWithT(t)
	l := buildLayout(t, guideYAML)
	w := &blind{world: newWorld(""), name: "api"}
	clk := clocktesting.NewFakeClock(t0)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"}}
	ex := &operation.Executor{Applier: w, Hooks: w, Observer: w, Judge: w, Pruner: w, Clock: clk}
	sawRetry := false
	for i := 0; i < 200 && !op.Status.Phase.Terminal(); i++ {
		clk.Step(500 * time.Millisecond)
		out, err := ex.Run(context.Background(), op, l, operation.Timing{Timeout: time.Hour, WaveTimeout: 5 * time.Second})
		g.Expect(err).NotTo(HaveOccurred())
		if op.Status.Current != nil && op.Status.Current.Phase == syncv1alpha1.SyncPhaseSync && op.Status.Current.Wave == 0 && out.RequeueAfter > 0 {
			sawRetry = true
		}
	}
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTimeout))
	g.Expect(op.Status.Message).To(ContainSubstring("cannot observe apps/Deployment/prod/api"))
	g.Expect(sawRetry).To(BeTrue(), "an unreadable object is looked at again without waiting for an event")
}

// unwatched is a world whose every read comes from the API server: no
// informer has synced, so no event would tell of a change.
type unwatched struct{ *world }

func (u *unwatched) Get(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task, name string) (*unstructured.Unstructured, error) {
	obj, err := u.world.Get(ctx, op, t, name)
	if obj == nil || err != nil {
		return obj, err
	}
	return obj, fmt.Errorf("%s: %w", name, operation.ErrUnwatched)
}

// TestObjectsReadDirectlyAreJudgedAndLookedAtAgain: an object read with
// ErrUnwatched is judged as read (the operation succeeds), and each wait
// asks to be run again soon, since no event will come.
func TestObjectsReadDirectlyAreJudgedAndLookedAtAgain(t *testing.T) {
	g := NewWithT(t)
	l := buildLayout(t, guideYAML)
	w := &unwatched{world: newWorld("")}
	clk := clocktesting.NewFakeClock(t0)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"}}
	ex := &operation.Executor{Applier: w, Hooks: w, Observer: w, Judge: w, Pruner: w, Clock: clk}
	waits := 0
	for i := 0; i < 200 && !op.Status.Phase.Terminal(); i++ {
		clk.Step(500 * time.Millisecond)
		out, err := ex.Run(context.Background(), op, l, operation.Timing{Timeout: time.Hour})
		g.Expect(err).NotTo(HaveOccurred())
		if out.Decision.Action == operation.ActionWait {
			waits++
			g.Expect(out.RequeueAfter).To(And(BeNumerically(">", 0), BeNumerically("<=", 5*time.Second)), "a wait on objects read directly is looked at again")
		}
	}
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Status.Message).NotTo(ContainSubstring("cannot observe"))
	g.Expect(waits).To(BeNumerically(">", 0))
}

// TestTerminateFindsAHookWhoseRecordWasLost: the status write that recorded
// a hook's creation is lost; terminate still finds the hook by its UID
// label, deletes it and leaves no finalizer.
func TestTerminateFindsAHookWhoseRecordWasLost(t *testing.T) {
	g := NewWithT(t)
	l := buildLayout(t, guideYAML)
	w := newWorld("")
	clk := clocktesting.NewFakeClock(t0)
	timing := operation.Timing{Timeout: time.Hour}
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"}}
	// The first run starts the operation and creates the PreSync hook; its
	// status write is lost.
	if _, err := transition(l, w, clk, op, timing); err != nil {
		t.Fatal(err)
	}
	g.Expect(w.created).To(HaveKey("Job/prod/migrate"))
	g.Expect(w.finalized()).To(ConsistOf("Job/prod/migrate"))
	// What was persisted is an earlier, running status that never recorded
	// the hook: take the started status and drop the hook's record.
	op.Spec.Terminate = true
	op.Status = syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning,
		Current: &syncv1alpha1.StepStatus{Phase: syncv1alpha1.SyncPhasePreSync, Wave: -2}, Steps: l.InitialSteps()}
	op.Status.Steps[0].Result = syncv1alpha1.StepRunning
	for i := 0; i < 10 && (!op.Status.Phase.Terminal() || operation.NeedsHousekeeping(&op.Status)); i++ {
		next, err := transition(l, w, clk, op, timing)
		g.Expect(err).NotTo(HaveOccurred())
		op = next
	}
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTerminated))
	g.Expect(w.objects).NotTo(HaveKey("Job/prod/migrate"), "the running hook is deleted")
	g.Expect(w.finalized()).To(BeEmpty())
}

// TestTerminatePendingAppliesNothing: terminate before the start ends the
// operation with no write at all.
func TestTerminatePendingAppliesNothing(t *testing.T) {
	g := NewWithT(t)
	l := buildLayout(t, guideYAML)
	w := newWorld("")
	clk := clocktesting.NewFakeClock(t0)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"},
		Spec: syncv1alpha1.SyncOperationSpec{Terminate: true}}
	op.Status.Phase = syncv1alpha1.OperationPending
	next, err := transition(l, w, clk, op, operation.Timing{Timeout: time.Hour})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(next.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(next.Status.Reason).To(Equal(syncv1alpha1.ReasonTerminated))
	g.Expect(w.effects).To(BeZero())
	g.Expect(w.objects).To(BeEmpty())
}
