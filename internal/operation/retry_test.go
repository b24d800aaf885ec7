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
	"fmt"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

func retryTwice() *syncv1alpha1.RetryStrategy {
	return &syncv1alpha1.RetryStrategy{Limit: 2, Backoff: &syncv1alpha1.Backoff{
		Duration: &metav1.Duration{Duration: 5 * time.Second}, Factor: ptr.To(int32(3)), MaxDuration: &metav1.Duration{Duration: time.Minute}}}
}

func TestRetryDelay(t *testing.T) {
	g := NewWithT(t)
	r := retryTwice()
	g.Expect([]time.Duration{r.Delay(0), r.Delay(1), r.Delay(2), r.Delay(3)}).To(Equal(
		[]time.Duration{5 * time.Second, 15 * time.Second, 45 * time.Second, time.Minute}))
	g.Expect((&syncv1alpha1.RetryStrategy{Limit: 1}).Delay(0)).To(Equal(5*time.Second), "defaults: 5s, factor 2, at most 3m")
}

func TestNextRetry(t *testing.T) {
	l := buildLayout(t, guideYAML)
	syncStart := t0.Add(10 * time.Second)
	failing := func() *syncv1alpha1.SyncOperationStatus {
		return running(l, syncv1alpha1.SyncPhasePostSync, 0, syncStart)
	}
	cases := []struct {
		name    string
		status  func() *syncv1alpha1.SyncOperationStatus
		retry   *syncv1alpha1.RetryStrategy
		timing  operation.Timing
		now     time.Time
		action  operation.Action
		requeue time.Duration
	}{
		{name: "a failed hook with retries left is retried after the backoff", status: failing, retry: retryTwice(),
			action: operation.ActionRetry, requeue: 5 * time.Second},
		{name: "the second retry waits longer", status: func() *syncv1alpha1.SyncOperationStatus {
			st := failing()
			st.RetryCount = 1
			return st
		}, retry: retryTwice(), action: operation.ActionRetry, requeue: 15 * time.Second},
		{name: "no retry left: SyncFail", status: func() *syncv1alpha1.SyncOperationStatus {
			st := failing()
			st.RetryCount = 2
			return st
		}, retry: retryTwice(), action: operation.ActionEnterSyncFail},
		{name: "no retry strategy: SyncFail", status: failing, action: operation.ActionEnterSyncFail},
		{name: "the operation's own timeout is not retried", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhaseSync, 0, syncStart)
		}, retry: retryTwice(), timing: operation.Timing{Timeout: 5 * time.Second}, action: operation.ActionEnterSyncFail},
		{name: "backoff not over: wait for it", status: func() *syncv1alpha1.SyncOperationStatus {
			st := failing()
			at := metav1.NewMicroTime(syncStart.Add(4 * time.Second))
			st.RetryAt = &at
			return st
		}, retry: retryTwice(), action: operation.ActionWait, requeue: 3 * time.Second},
		{name: "backoff over: restart the step", status: func() *syncv1alpha1.SyncOperationStatus {
			st := failing()
			at := metav1.NewMicroTime(syncStart)
			st.RetryAt = &at
			return st
		}, retry: retryTwice(), action: operation.ActionRestart},
		{name: "the operation times out while it waits to retry", status: func() *syncv1alpha1.SyncOperationStatus {
			st := failing()
			at := metav1.NewMicroTime(syncStart.Add(time.Hour))
			st.RetryAt = &at
			return st
		}, retry: retryTwice(), timing: operation.Timing{Timeout: 5 * time.Second}, action: operation.ActionEnterSyncFail},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewWithT(t)
			st := c.status()
			in := operation.Input{Layout: l, Status: st, Timing: c.timing, Now: syncStart.Add(time.Second), Retry: c.retry,
				Observed: observeAll(l, st, degraded)}
			d := operation.Next(in)
			g.Expect(d.Action).To(Equal(c.action))
			if c.requeue > 0 {
				g.Expect(d.RequeueAfter).To(Equal(c.requeue))
			}
		})
	}
}

// flaky fails each hook the first time it is created (its attempt 0), and
// names hooks as the runtime does: a retried step's hooks are new objects.
type flaky struct{ *world }

func (f *flaky) Name(op *syncv1alpha1.SyncOperation, t *plan.Task) string {
	n := f.world.Name(op, t)
	for _, s := range op.Status.Steps {
		if s.Phase == t.Phase && s.Wave == t.Wave && s.Retries > 0 && t.Hook != nil && t.Hook.GenerateName {
			n += fmt.Sprintf("-r%d", s.Retries)
		}
	}
	return n
}

func (f *flaky) HookPhase(u *unstructured.Unstructured) (syncv1alpha1.HookPhase, string) {
	if u.GetName() == "smoke-fixed" && u.GetAnnotations()["seen"] != "1" {
		return syncv1alpha1.HookFailed, "BackoffLimitExceeded"
	}
	return f.world.HookPhase(u)
}

// TestRetryRunsTheFailedStepAgain: the PostSync hook fails once; with
// retry.limit 2 the operation succeeds after one retry, the hook is created
// again under a new name, and no earlier step is applied again.
func TestRetryRunsTheFailedStepAgain(t *testing.T) {
	g := NewWithT(t)
	l := buildLayout(t, guideYAML)
	w := &flaky{world: newWorld("")}
	clk := clocktesting.NewFakeClock(t0)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"},
		Spec: syncv1alpha1.SyncOperationSpec{Retry: retryTwice()}}
	op, events := runToEnd(t, l, w, op, clk, operation.Timing{Timeout: time.Hour}, 100)
	g.Expect(events).NotTo(ContainElement(HavePrefix("error:")))
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Status.RetryCount).To(Equal(int32(1)))
	g.Expect(w.created).To(HaveKey("Job/prod/smoke-fixed"))
	g.Expect(w.created).To(HaveKey("Job/prod/smoke-fixed-r1"), "the retried hook is a new object")
	for k, n := range w.created {
		g.Expect(n).To(Equal(1), "hook %s created %d times", k, n)
	}
	for _, k := range []string{"ServiceAccount/prod/hook-sa", "ConfigMap/prod/api-config", "Deployment/prod/api"} {
		g.Expect(w.objects[k].GetGeneration()).To(Equal(int64(1)), "%s applied once", k)
	}
	g.Expect(events).To(ContainElement(operation.EventRetrying))
	g.Expect(w.objects).NotTo(HaveKey("Job/prod/notify"), "SyncFail does not run for a failure a retry fixed")
}

// TestTimeoutWhileWaitingToRetry: the operation's timeout passes while a
// failed step waits for its retry: SyncFail runs once, and the operation
// ends Failed/Timeout with the step that failed.
func TestTimeoutWhileWaitingToRetry(t *testing.T) {
	g := NewWithT(t)
	l := buildLayout(t, guideYAML)
	w := newWorld("smoke-fixed")
	clk := clocktesting.NewFakeClock(t0)
	slow := &syncv1alpha1.RetryStrategy{Limit: 2, Backoff: &syncv1alpha1.Backoff{Duration: &metav1.Duration{Duration: time.Hour}}}
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"},
		Spec: syncv1alpha1.SyncOperationSpec{Retry: slow}}
	op, events := runToEnd(t, l, w, op, clk, operation.Timing{Timeout: 30 * time.Second}, 300)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed), op.Status.Message)
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTimeout))
	g.Expect(op.Status.FailedStep).NotTo(BeNil())
	g.Expect(op.Status.FailedStep.Phase).To(Equal(syncv1alpha1.SyncPhasePostSync), "the step that waited for its retry")
	g.Expect(op.Status.RetryAt).To(BeNil())
	n := 0
	for _, e := range events {
		if e == operation.EventSyncFailStarted {
			n++
		}
	}
	g.Expect(n).To(Equal(1), "SyncFail is entered once")
	g.Expect(w.created).To(HaveKeyWithValue("Job/prod/notify", 1))
}

// refusedAtFirst is a world whose API server refuses the dry-run of the
// api ConfigMap until it has been asked refusals+1 times (a webhook that
// is not serving yet).
type refusedAtFirst struct {
	*world
	refusals, asked int
}

func (r *refusedAtFirst) DryRun(_ context.Context, _ *syncv1alpha1.SyncOperation, t *plan.Task) error {
	if t.ID.Name != "api-config" {
		return nil
	}
	r.asked++
	if r.asked <= r.refusals {
		return rejectedErr{errors.New(`Internal error occurred: failed calling webhook "validate.example.com": connection refused`)}
	}
	return nil
}

// retriedOp is an operation created at t0 with retryTwice.
func retriedOp() *syncv1alpha1.SyncOperation {
	return &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1",
		CreationTimestamp: metav1.NewTime(t0)}, Spec: syncv1alpha1.SyncOperationSpec{Retry: retryTwice()}}
}

// TestRetryStartsAgainAfterARefusedDryRun: spec.retry covers the start's
// dry-run: a refusal keeps the operation Pending, nothing applied, and it
// starts again after the backoff; without retries left it fails with
// nothing applied.
func TestRetryStartsAgainAfterARefusedDryRun(t *testing.T) {
	l := buildLayout(t, guideYAML)
	t.Run("refused once, retried, succeeds", func(t *testing.T) {
		g := NewWithT(t)
		w := &refusedAtFirst{world: newWorld(""), refusals: 1}
		clk, op := clocktesting.NewFakeClock(t0), retriedOp()

		ex := &operation.Executor{Applier: w, Hooks: w, Observer: w, Judge: w, Clock: clk}
		first := op.DeepCopy()
		out, err := ex.Run(context.Background(), first, l, operation.Timing{Timeout: time.Hour})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(first.Status.Phase).To(Equal(syncv1alpha1.OperationPending))
		g.Expect(first.Status.RetryAt).NotTo(BeNil())
		g.Expect(first.Status.RetryAt.Time).To(Equal(t0.Add(5 * time.Second)))
		g.Expect(first.Status.Message).To(ContainSubstring(`failed calling webhook "validate.example.com"`))
		g.Expect(first.Status.Message).To(HaveSuffix("; retry 1 of 2 in 5s"))
		g.Expect(out.RequeueAfter).To(Equal(5 * time.Second))
		var reasons []string
		for _, e := range out.Events {
			reasons = append(reasons, e.Reason)
		}
		g.Expect(reasons).To(Equal([]string{operation.EventRetrying}), "a Warning Retrying event, not OperationFailed: the operation has not failed")
		g.Expect(w.objects).To(BeEmpty(), "nothing applied")

		clk.Step(2 * time.Second)
		d := operation.Next(operation.Input{Layout: l, Status: &first.Status, Now: clk.Now(), Retry: op.Spec.Retry})
		g.Expect(d.Action).To(Equal(operation.ActionWait), "the backoff is not over")
		g.Expect(d.RequeueAfter).To(Equal(3 * time.Second))

		op, events := runToEnd(t, l, w, first, clk, operation.Timing{Timeout: time.Hour}, 100)
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
		g.Expect(op.Status.RetryCount).To(Equal(int32(1)))
		g.Expect(op.Status.RetryAt).To(BeNil())
		g.Expect(events).To(ContainElement(operation.EventRetrying))
		g.Expect(w.asked).To(Equal(2))
	})
	t.Run("no retry left: Failed, nothing applied", func(t *testing.T) {
		g := NewWithT(t)
		w := &refusedAtFirst{world: newWorld(""), refusals: 10}
		clk, op := clocktesting.NewFakeClock(t0), retriedOp()
		op, _ = runToEnd(t, l, w, op, clk, operation.Timing{Timeout: time.Hour}, 200)
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
		g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonApplyFailed))
		g.Expect(op.Status.RetryCount).To(Equal(int32(2)))
		g.Expect(w.asked).To(Equal(3), "the start and two retries")
		g.Expect(w.objects).To(BeEmpty(), "nothing applied")
	})
	t.Run("a retry that would come after the timeout is not scheduled", func(t *testing.T) {
		g := NewWithT(t)
		w := &refusedAtFirst{world: newWorld(""), refusals: 10}
		clk, op := clocktesting.NewFakeClock(t0), retriedOp()
		op, _ = runToEnd(t, l, w, op, clk, operation.Timing{Timeout: 4 * time.Second}, 20)
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
		g.Expect(op.Status.RetryCount).To(BeZero())
	})
	t.Run("terminate while it waits applies nothing", func(t *testing.T) {
		g := NewWithT(t)
		w := &refusedAtFirst{world: newWorld(""), refusals: 10}
		clk, op := clocktesting.NewFakeClock(t0), retriedOp()
		ex := &operation.Executor{Applier: w, Hooks: w, Observer: w, Judge: w, Clock: clk}
		_, err := ex.Run(context.Background(), op, l, operation.Timing{Timeout: time.Hour})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationPending))
		op.Spec.Terminate = true
		_, err = ex.Run(context.Background(), op, l, operation.Timing{Timeout: time.Hour})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
		g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTerminated))
		g.Expect(w.objects).To(BeEmpty())
	})
}
