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

package operation

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/clock"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/plan"
)

// observeRetry is how soon a step whose objects could not be read is
// looked at again; no watch event may come for such an object.
const observeRetry = 5 * time.Second

// Judge assesses live objects.
type Judge interface {
	// Health is the health of a live object.
	Health(obj *unstructured.Unstructured) health.Result
	// HookPhase is the completion of a live hook.
	HookPhase(obj *unstructured.Unstructured) (syncv1alpha1.HookPhase, string)
}

// Executor carries out the decisions of Next. It mutates only the status of
// the operation it is given; the caller persists it.
type Executor struct {
	Applier  Applier
	Hooks    Hooks
	Observer Observer
	Judge    Judge
	// Previewer tells what a sync would change, for spec.dryRun.
	Previewer Previewer
	// Pruner deletes the objects of prune steps (prune.go); nil when the
	// plan has none.
	Pruner Pruner
	Clock  clock.PassiveClock
	// Parallelism bounds concurrent writes of one kind (default 16).
	Parallelism int
	// Outcomes reads what finished hooks left behind (their pod's end and
	// the end of its log) for status and the HookFailed event; nil: none.
	Outcomes OutcomeReader
	// Explainer says what the pods of a workload that a failed step
	// waited for report (explain.go); nil: nothing.
	Explainer Explainer
	// EventAt is when the latest watch event of the operation's objects
	// arrived in the cache (zero if unknown). A step that completes on that
	// event is timed from it for syncwave_step_transition_seconds.
	EventAt time.Time
}

// Run performs one transition of op and returns what happened.
func (e *Executor) Run(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, timing Timing) (*Outcome, error) {
	out := &Outcome{}
	st := &op.Status
	if st.Phase.Terminal() {
		return out, e.housekeep(ctx, op, l, true)
	}
	started := st.Phase == syncv1alpha1.OperationRunning || st.Phase == syncv1alpha1.OperationTerminating
	var released error
	if started {
		if err := l.CheckResources(st.Resources); err != nil {
			e.finish(op, l, out, syncv1alpha1.OperationFailed, syncv1alpha1.ReasonInvalidManifests, err.Error())
			return out, nil
		}
		// A finished hook that cannot be released (its finalizer removed,
		// or it deleted by its policy) is tried again, but it does not
		// hold the steps and the deadlines back.
		released = e.housekeep(ctx, op, l, false)
	}
	in := Input{Layout: l, Status: st, Timing: timing, Terminate: op.Spec.Terminate, Now: e.Clock.Now(), Retry: op.Spec.Retry}
	if started {
		obs, failed := e.observe(ctx, op, l, in)
		in.Observed = obs
		if failed {
			defer func() {
				if out.RequeueAfter == 0 || out.RequeueAfter > observeRetry {
					out.RequeueAfter = observeRetry
				}
			}()
		}
	}
	d := Next(in)
	e.explain(ctx, op, l, &d)
	e.readOutcomes(ctx, op, l, d)
	withOutcome(l, &d)
	out.Decision = d
	e.record(op, l, d, out)
	return out, errors.Join(released, e.act(ctx, op, l, d, in, out))
}

func (e *Executor) act(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, d Decision, in Input, out *Outcome) error {
	st := &op.Status
	switch d.Action {
	case ActionStart:
		return e.start(ctx, op, l, in, out)
	case ActionApply:
		st.Message, st.BlockedBy = "applying step "+l.Step(d.Step).String(), d.Blocked
		return e.applyStep(ctx, op, l, d.Step, out)
	case ActionWait:
		st.Message = d.Message
		if d.Reason != syncv1alpha1.ReasonRetrying {
			st.BlockedBy = d.Blocked
		}
		out.RequeueAfter = d.RequeueAfter
		out.WaitReason = d.Reason
	case ActionAdvance:
		e.stepFinished(op, l, d.Step, out, d.Reason == "")
		if d.Reason != "" && st.FailedStep != nil { // a SyncFail step failed: keep going, remember it
			st.FailedStep.Message = appendMsg(st.FailedStep.Message, "SyncFail step failed: "+d.Message)
		}
		e.enter(op, l, d.Next, out)
		return e.applyAndChain(ctx, op, l, d.Next, in, out)
	case ActionEnterSyncFail:
		e.stepFinished(op, l, d.Step, out, false)
		cur := l.Step(d.Step)
		st.FailedStep = &syncv1alpha1.StepStatus{Phase: cur.Phase, Wave: cur.Wave, StartedAt: st.Current.StartedAt, Message: d.Message}
		st.Reason, st.Message = d.Reason, d.Message
		st.RetryAt = nil // a retry that was waiting will not come
		if d.Reason != syncv1alpha1.ReasonHookFailed {
			// A failed hook has its own HookFailed event, with its
			// outcome (record); a second one would count it twice.
			out.event(eventWarning, failureEvent(d.Reason), d.Message)
		}
		if d.Next < 0 {
			e.finish(op, l, out, syncv1alpha1.OperationFailed, d.Reason, d.Message)
			e.restoreBlockers(op, l)
			return nil
		}
		out.event(eventNormal, EventSyncFailStarted, "running SyncFail hooks after: "+d.Message)
		e.enter(op, l, d.Next, out)
		return e.applyAndChain(ctx, op, l, d.Next, in, out)
	case ActionSucceed:
		e.stepFinished(op, l, d.Step, out, true)
		e.finish(op, l, out, syncv1alpha1.OperationSucceeded, syncv1alpha1.ReasonSucceeded, succeededMessage(op, l))
	case ActionFail:
		if d.Step >= 0 {
			e.stepFinished(op, l, d.Step, out, d.Reason == "")
		}
		reason, msg := d.Reason, d.Message
		if f := st.FailedStep; f != nil && st.Reason != "" {
			reason, msg = st.Reason, f.Message
			if d.Reason != "" {
				msg = appendMsg(msg, "SyncFail step failed: "+d.Message)
			}
		}
		e.finish(op, l, out, syncv1alpha1.OperationFailed, reason, msg)
		e.restoreBlockers(op, l)
	case ActionTerminate:
		return e.terminate(ctx, op, l, in, out)
	case ActionRetry:
		e.scheduleRetry(op, l, d, out)
	case ActionRestart:
		return e.restart(ctx, op, l, d.Step, in, out)
	}
	return nil
}

// record writes the observed health and hook results into status.
func (e *Executor) record(op *syncv1alpha1.SyncOperation, l *Layout, d Decision, out *Outcome) {
	st := &op.Status
	for i, r := range d.Resources {
		prev := st.Resources[i]
		st.Resources[i] = r
		t := l.Tasks[i]
		if t.IsHook() && prev.HookPhase != r.HookPhase && (r.HookPhase == syncv1alpha1.HookSucceeded || r.HookPhase == syncv1alpha1.HookFailed) {
			var dur time.Duration
			if r.StartedAt != nil && r.FinishedAt != nil {
				dur = r.FinishedAt.Sub(r.StartedAt.Time)
			}
			out.Hooks = append(out.Hooks, HookRun{Phase: t.Phase, Result: r.HookPhase, Duration: dur})
			if r.HookPhase == syncv1alpha1.HookSucceeded {
				out.objectEvent(eventNormal, EventHookSucceeded, t, r.Name, fmt.Sprintf("hook %s succeeded", hookID(t, r)))
			} else {
				out.objectEvent(eventWarning, EventHookFailed, t, r.Name, hookFailedMessage(t, r))
			}
		}
		if !t.IsHook() && prev.Health != r.Health {
			if r.Health == health.Degraded {
				out.objectEvent(eventWarning, EventHealthDegraded, t, t.ID.Name, fmt.Sprintf("%s is Degraded: %s", t.ID, r.Message))
			}
		}
	}
}

// start validates the whole plan with server-side dry-runs, then enters the
// first step. Nothing is applied when any object is rejected.
func (e *Executor) start(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, in Input, out *Outcome) error {
	st := &op.Status
	if st.RetryAt != nil { // the start's dry-run was refused and is tried again
		st.RetryCount++
		st.RetryAt = nil
		out.Retries++
		out.event(eventNormal, EventRetrying, fmt.Sprintf("retrying the start (retry %d of %d)", st.RetryCount, op.Spec.Retry.Limit))
	}
	st.Resources = l.InitialResources(func(t *plan.Task) string { return e.Hooks.Name(op, t) })
	st.Steps = l.InitialSteps()
	skippedFrom := l.SkippedFrom()
	errs := make([]error, skippedFrom)
	// Dry-runs write nothing and have no order: run more of them at once,
	// so that validating the whole plan costs about one parallel apply.
	e.parallelN(skippedFrom, dryRunFactor*e.width(), func(i int) {
		if !l.Tasks[i].Prune { // a deletion has nothing to dry-run
			errs[i] = e.Applier.DryRun(ctx, op, l.Tasks[i])
		}
	})
	var rejected, shared []string
	for i, err := range errs {
		if err == nil {
			continue
		}
		if SharedWith(err) != "" && !IsRejected(err) {
			shared = append(shared, err.Error())
			continue
		}
		if !IsRejected(err) {
			return fmt.Errorf("dry-run %s: %w", l.Tasks[i].ID, err)
		}
		st.Resources[i].Status = syncv1alpha1.ResultSyncFailed
		st.Resources[i].Message = err.Error()
		rejected = append(rejected, err.Error())
	}
	if len(rejected) > 0 {
		if e.retryStart(op, in, rejectedMessage(rejected), out) {
			return nil
		}
		e.finish(op, l, out, syncv1alpha1.OperationFailed, syncv1alpha1.ReasonApplyFailed, rejectedMessage(rejected))
		return nil
	}
	if len(shared) > 0 {
		out.event(eventWarning, EventSharedResource, sharedMessage(shared))
	}
	for _, w := range l.Plan.Warnings {
		if w.Resource == (plan.ObjectID{}) { // about the operation's spec, not an object
			out.event(eventWarning, EventPlanWarning, w.Code+": "+w.Message)
		}
	}
	if op.Spec.DryRun {
		return e.preview(ctx, op, l, out)
	}
	if msg, err := e.ensureTargetNamespace(ctx, op, l); err != nil || msg != "" {
		if msg != "" {
			e.finish(op, l, out, syncv1alpha1.OperationFailed, syncv1alpha1.ReasonApplyFailed, msg)
		}
		return err
	}
	now := metav1.NewTime(e.Clock.Now())
	st.Phase, st.StartedAt = syncv1alpha1.OperationRunning, &now
	out.event(eventNormal, EventOperationStarted, startedMessage(len(l.Plan.Steps), skippedFrom))
	if first := l.FirstStep(); first >= 0 {
		e.enter(op, l, first, out)
		return e.applyAndChain(ctx, op, l, first, in, out)
	}
	e.finish(op, l, out, syncv1alpha1.OperationSucceeded, syncv1alpha1.ReasonSucceeded, "nothing to sync")
	return nil
}

// observe reads the live objects of the current step.
func (e *Executor) observe(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, in Input) (obs map[int]Observation, failed bool) {
	cur := currentStep(in)
	if cur < 0 {
		return nil, false
	}
	start, end := l.Range(cur)
	obs = make(map[int]Observation, end-start)
	for i := start; i < end; i++ {
		r := op.Status.Resources[i]
		if l.Tasks[i].Prune {
			if r.Status == syncv1alpha1.ResultPruned && r.FinishedAt == nil {
				var bad bool
				obs[i], bad = e.observePrune(ctx, op, l.Tasks[i], &r)
				failed = failed || bad
			}
			continue
		}
		if r.Status != syncv1alpha1.ResultSynced {
			continue
		}
		if l.Tasks[i].IsHook() && (r.HookPhase == syncv1alpha1.HookSucceeded || r.HookPhase == syncv1alpha1.HookFailed) {
			continue
		}
		u, err := e.Observer.Get(ctx, op, l.Tasks[i], r.Name)
		if u == nil && errors.Is(err, ErrAbsent) {
			obs[i] = Observation{Absent: true}
			continue
		}
		if u != nil && errors.Is(err, ErrUnwatched) {
			failed, err = true, nil // judged; looked at again after observeRetry
		}
		if err != nil {
			// A read that fails (forbidden, a kind not served any more)
			// must not stop the state machine: the object counts as
			// Unknown, so the step's timeouts still apply.
			msg := fmt.Sprintf("cannot observe %s: %v", l.Tasks[i].ID, err)
			obs[i] = Observation{Exists: true, Generation: r.Generation,
				Health: health.Result{Status: health.Unknown, Message: msg}, HookPhase: syncv1alpha1.HookRunning, HookMessage: msg}
			failed = true
			continue
		}
		if u == nil {
			obs[i] = Observation{}
			continue
		}
		o := Observation{Exists: true, Generation: u.GetGeneration(), Health: e.Judge.Health(u)}
		if l.Tasks[i].IsHook() {
			o.HookPhase, o.HookMessage = e.Judge.HookPhase(u)
		}
		obs[i] = o
	}
	return obs, failed
}

// dryRunFactor is how many more dry-runs than writes run at once.
const dryRunFactor = 4

func (e *Executor) width() int {
	if e.Parallelism <= 0 {
		return 16
	}
	return e.Parallelism
}

func (e *Executor) parallel(n int, f func(i int)) { e.parallelN(n, e.width(), f) }

func (e *Executor) parallelN(n, p int, f func(i int)) {
	sem := make(chan struct{}, p)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(i)
		}()
	}
	wg.Wait()
}
