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
	"errors"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clocktesting "k8s.io/utils/clock/testing"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// runToEnd runs op one transition per second of clk, each from its
// persisted (compacted) status, until it is settled or calls are used up;
// it returns the last status and every event's reason (and "error: ..."
// for each error Run returned).
func runToEnd(t *testing.T, l *operation.Layout, w worldLike, op *syncv1alpha1.SyncOperation, clk *clocktesting.FakeClock, timing operation.Timing, calls int) (*syncv1alpha1.SyncOperation, []string) {
	t.Helper()
	var events []string
	for i := 0; i < calls && (!op.Status.Phase.Terminal() || operation.NeedsHousekeeping(&op.Status)); i++ {
		clk.Step(time.Second)
		next := op.DeepCopy()
		next.Status.Resources = l.Expand(&next.Status, func(t *plan.Task) string { return w.Name(next, t) })
		ex := &operation.Executor{Applier: w, Hooks: w, Observer: w, Judge: w, Clock: clk}
		if p, ok := w.(operation.Pruner); ok {
			ex.Pruner = p
		}
		if x, ok := w.(operation.Explainer); ok {
			ex.Explainer = x
		}
		out, err := ex.Run(context.Background(), next, l, timing)
		if err != nil {
			events = append(events, "error: "+err.Error())
		}
		for _, e := range out.Events {
			events = append(events, e.Reason)
		}
		next.Status.Resources = l.Compact(&next.Status)
		op = next
	}
	return op, events
}

// worldLike is what runToEnd drives: a world, or one that wraps it.
type worldLike interface {
	operation.Applier
	operation.Hooks
	operation.Observer
	operation.Judge
}

// refusedRelease is a world whose hooks can never be released.
type refusedRelease struct{ *world }

func (r refusedRelease) Release(context.Context, *syncv1alpha1.SyncOperation, *plan.Task, string, bool) error {
	return errors.New("jobs.batch \"migrate\" is forbidden: cannot patch")
}

// TestAHookThatCannotBeReleasedDoesNotHoldTheSteps: every release of a
// finished hook is refused; the operation still runs to its end, and the
// refusal is returned on every call, to be retried.
func TestAHookThatCannotBeReleasedDoesNotHoldTheSteps(t *testing.T) {
	g := NewWithT(t)
	l := buildLayout(t, guideYAML)
	w := refusedRelease{newWorld("")}
	clk := clocktesting.NewFakeClock(t0)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"}}
	op, events := runToEnd(t, l, w, op, clk, operation.Timing{Timeout: time.Hour}, 100)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(events).To(ContainElement(ContainSubstring("is forbidden: cannot patch")))
	g.Expect(operation.NeedsHousekeeping(&op.Status)).To(BeTrue(), "the hooks are still to be released")
}

// refusedNamespace is a world that may not create namespaces.
type refusedNamespace struct{ *world }

type rejectedErr struct{ error }

func (rejectedErr) Rejected() bool { return true }

func (refusedNamespace) EnsureNamespace(context.Context, *syncv1alpha1.SyncOperation, string) error {
	return rejectedErr{errors.New(`namespaces is forbidden: User "system:serviceaccount:prod:deployer" cannot create resource "namespaces"`)}
}

// TestARefusedNamespaceEndsTheOperation: CreateNamespace=true, and the
// namespace cannot be created: the operation ends ApplyFailed at once,
// saying why, with nothing applied.
func TestARefusedNamespaceEndsTheOperation(t *testing.T) {
	g := NewWithT(t)
	l := buildLayout(t, guideYAML)
	w := refusedNamespace{newWorld("")}
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"},
		Spec: syncv1alpha1.SyncOperationSpec{SyncOptions: []string{"CreateNamespace=true"}}}
	op, events := runToEnd(t, l, w, op, clocktesting.NewFakeClock(t0), operation.Timing{Timeout: time.Hour}, 5)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed), op.Status.Message)
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonApplyFailed))
	g.Expect(op.Status.Message).To(ContainSubstring("spec.syncOptions CreateNamespace=true: namespace prod cannot be created: namespaces is forbidden"))
	g.Expect(w.objects).To(BeEmpty(), "nothing applied")
	g.Expect(events).NotTo(ContainElement(HavePrefix("error:")))
}

// lingering is a world whose deleted hooks stay: another finalizer (not
// syncwave's) holds them, its controller down.
type lingering struct{ *world }

func (w lingering) Release(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task, name string, _ bool) error {
	return w.world.Release(ctx, op, t, name, false) // the finalizer goes, the object stays
}

// TestTerminatingEndsAtTheTimeout: the running hook is deleted but never
// goes; the operation stays Terminating until its timeout, then ends
// Terminated saying so, with syncwave's finalizer gone from the hook.
func TestTerminatingEndsAtTheTimeout(t *testing.T) {
	g := NewWithT(t)
	l := buildLayout(t, guideYAML)
	w := lingering{newWorld("")}
	clk := clocktesting.NewFakeClock(t0)
	timing := operation.Timing{Timeout: 30 * time.Second}
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"}}
	op, _ = runToEnd(t, l, w, op, clk, timing, 1)
	g.Expect(w.created).To(HaveKey("Job/prod/migrate"))
	op.Spec.Terminate = true
	op, _ = runToEnd(t, l, w, op, clk, timing, 10)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationTerminating), "the hook is not gone yet")
	op, events := runToEnd(t, l, w, op, clk, timing, 100)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed), op.Status.Message)
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTerminated))
	g.Expect(op.Status.Message).To(ContainSubstring("1 hook(s) still being deleted past the operation's timeout of 30s"))
	g.Expect(w.objects).To(HaveKey("Job/prod/migrate"))
	g.Expect(w.finalized()).To(BeEmpty(), "syncwave's finalizer is gone")
	g.Expect(operation.Settled(op)).To(BeTrue())
	g.Expect(events).NotTo(ContainElement(HavePrefix("error:")))
}

// unreachablePrune is a world whose first prune call fails for a while
// (the API server does not answer).
type unreachablePrune struct {
	*world
	failed *int
}

func (w unreachablePrune) Prune(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task) (operation.PruneResult, error) {
	if *w.failed == 0 {
		*w.failed++
		return operation.PruneResult{}, errors.New("dial tcp 10.0.0.1:6443: connect: connection refused")
	}
	return w.world.Prune(ctx, op, t)
}

// TestATransientPruneErrorIsShown: a prune that fails for a while says
// why in its entry, and succeeds when tried again.
func TestATransientPruneErrorIsShown(t *testing.T) {
	g := NewWithT(t)
	pw, inv := pruneWorld()
	l := buildLayout(t, pruneV2)
	plan.AddPrune(l.Plan, plan.PruneCandidates(l.Plan, inv))
	l = operation.NewLayout(l.Plan)
	failed := 0
	w := unreachablePrune{pw, &failed}
	clk := clocktesting.NewFakeClock(t0)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"}}
	var events []string
	for range 20 {
		if op, events = runToEnd(t, l, w, op, clk, operation.Timing{Timeout: time.Hour}, 1); failed > 0 {
			break
		}
	}
	g.Expect(events).To(ContainElement(ContainSubstring("connection refused")), "the error is returned, to be retried")
	full := l.Expand(&op.Status, func(t *plan.Task) string { return t.ID.Name })
	var msgs []string
	for i, tk := range l.Tasks {
		if tk.Prune {
			msgs = append(msgs, full[i].Message)
		}
	}
	g.Expect(msgs).To(ContainElement(ContainSubstring("connection refused")), "the entry says why it is not pruned yet")
	op, _ = runToEnd(t, l, w, op, clk, operation.Timing{Timeout: time.Hour}, 100)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
}
