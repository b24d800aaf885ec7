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
	"fmt"
	"time"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/plan"
)

// Action is what one reconcile does next.
type Action string

// The actions of the state machine.
const (
	// ActionNone: the operation is finished; nothing to do.
	ActionNone Action = "None"
	// ActionStart validates the plan (server-side dry-run) and enters the first step.
	ActionStart Action = "Start"
	// ActionApply applies the tasks of the current step not applied yet.
	ActionApply Action = "Apply"
	// ActionWait records what the step waits for and returns.
	ActionWait Action = "Wait"
	// ActionAdvance enters the next step and applies it.
	ActionAdvance Action = "Advance"
	// ActionEnterSyncFail records the failure and enters the first SyncFail step.
	ActionEnterSyncFail Action = "EnterSyncFail"
	// ActionSucceed ends the operation Succeeded.
	ActionSucceed Action = "Succeed"
	// ActionFail ends the operation Failed (after the SyncFail steps, if any).
	ActionFail Action = "Fail"
	// ActionTerminate deletes running hooks and ends the operation Failed/Terminated.
	ActionTerminate Action = "Terminate"
	// ActionRetry records a failed step that spec.retry tries again, and
	// when.
	ActionRetry Action = "Retry"
	// ActionRestart starts the failed step again once its backoff is over.
	ActionRestart Action = "Restart"
)

// Timing holds the deadlines of an operation, resolved from its spec and the
// controller's defaults. Zero means no limit.
type Timing struct {
	Timeout             time.Duration
	WaveTimeout         time.Duration
	DegradedGracePeriod time.Duration
}

// Observation is what the controller saw of the live object of one task.
type Observation struct {
	// Exists is false when the object was not found.
	Exists bool
	// Absent is true when it was not found by a read of the API server
	// itself (ErrAbsent), which no cache lag explains: a hook that was
	// created and is absent so was deleted.
	Absent bool
	// Generation is the live metadata.generation.
	Generation int64
	// Health is the assessed health of the live object.
	Health health.Result
	// HookPhase and HookMessage are the completion of a hook.
	HookPhase   syncv1alpha1.HookPhase
	HookMessage string
}

// Input is everything Next decides from.
type Input struct {
	Layout    *Layout
	Status    *syncv1alpha1.SyncOperationStatus
	Timing    Timing
	Terminate bool
	// Observed holds observations of the current step's tasks, by status index.
	Observed map[int]Observation
	Now      time.Time
	// Retry is spec.retry (nil: no retry).
	Retry *syncv1alpha1.RetryStrategy
}

// Decision is the outcome of Next.
type Decision struct {
	Action Action
	// Step is the index of the current step (-1 before the start).
	Step int
	// Next is the step to enter for ActionAdvance and ActionEnterSyncFail
	// (-1: there is none, the operation ends).
	Next int
	// Reason and Message explain a failure or what the step waits for.
	Reason  string
	Message string
	// Resources are the updated status entries of the current step's tasks.
	Resources map[int]syncv1alpha1.ResourceStatus
	// Blocked lists what the step waits for.
	Blocked []syncv1alpha1.BlockedResource
	// RequeueAfter is the nearest deadline (a timeout, the end of a
	// degradedGracePeriod, an observed health that changes by itself:
	// health.Result.RecheckAfter); zero when only watch events matter.
	RequeueAfter time.Duration
	// Done counts the finished tasks of the step, Total all of them.
	Done, Total int
}

// Next decides the next transition. It is a pure function of its input.
func Next(in Input) Decision {
	st := in.Status
	switch {
	case st.Phase.Terminal():
		return Decision{Action: ActionNone, Step: -1}
	case in.Terminate:
		// Terminate wins in every phase: a Pending operation applies nothing.
		return Decision{Action: ActionTerminate, Step: currentStep(in), Reason: syncv1alpha1.ReasonTerminated,
			Message: "terminated by spec.terminate"}
	case st.Phase == "" || st.Phase == syncv1alpha1.OperationPending:
		return beforeStart(in)
	}
	cur := currentStep(in)
	if cur < 0 {
		return Decision{Action: ActionFail, Step: -1, Reason: syncv1alpha1.ReasonInvalidManifests,
			Message: "status.current does not name a step of the plan"}
	}
	step := in.Layout.Step(cur)
	inSyncFail := step.Phase == syncv1alpha1.SyncPhaseSyncFail
	if d, ok := retryWait(in, cur, step); ok {
		return d
	}
	v := evaluate(in, cur)
	d := Decision{Step: cur, Resources: v.resources, Blocked: v.blocked, Done: v.done, Total: v.total}

	failReason, failMsg := v.failReason, v.failMessage
	if failReason == "" && !v.complete() {
		failReason, failMsg = timedOut(in, step, inSyncFail)
		if failReason != "" && v.waitMessage != "" {
			failMsg += "; " + v.waitMessage
		}
	}
	switch {
	case failReason != "":
		d.Reason, d.Message = failReason, failMsg
		if !inSyncFail && retryable(in, failReason) {
			d.Action, d.RequeueAfter = ActionRetry, in.Retry.Delay(in.Status.RetryCount)
			return d
		}
		if inSyncFail {
			// A failing SyncFail step is recorded; the next one still runs.
			d.Action, d.Next = ActionAdvance, in.Layout.NextStep(cur)
			if d.Next < 0 {
				d.Action = ActionFail
			}
			return d
		}
		d.Action, d.Next = ActionEnterSyncFail, in.Layout.FirstOnFail()
		return d
	case v.needApply:
		d.Action = ActionApply
		d.RequeueAfter = nearest(in, step, inSyncFail, v.deadlines)
		return d
	case v.complete():
		d.Next = in.Layout.NextStep(cur)
		switch {
		case d.Next >= 0:
			d.Action = ActionAdvance
		case inSyncFail:
			d.Action = ActionFail
		default:
			d.Action = ActionSucceed
		}
		return d
	}
	d.Action = ActionWait
	d.Reason = waitReason(step, v)
	d.Message = v.waitMessage
	d.RequeueAfter = nearest(in, step, inSyncFail, v.deadlines)
	return d
}

// beforeStart decides for an operation that has not started: start it,
// unless its start's dry-run was refused and spec.retry starts it again
// later (status.retryAt).
func beforeStart(in Input) Decision {
	if at := in.Status.RetryAt; at != nil && in.Now.Before(at.Time) {
		return Decision{Action: ActionWait, Step: -1, Reason: syncv1alpha1.ReasonRetrying, Message: in.Status.Message,
			RequeueAfter: at.Sub(in.Now)}
	}
	return Decision{Action: ActionStart, Step: -1, Next: in.Layout.FirstStep()}
}

func currentStep(in Input) int {
	c := in.Status.Current
	if c == nil {
		return -1
	}
	return in.Layout.StepIndex(c.Phase, c.Wave)
}

func waitReason(step *plan.Step, v verdict) string {
	switch {
	case step.Phase == syncv1alpha1.SyncPhaseSyncFail:
		return syncv1alpha1.ReasonRunningSyncFailHooks
	case v.waitingOnHooks:
		return syncv1alpha1.ReasonRunningHooks
	default:
		return syncv1alpha1.ReasonWaitingForHealth
	}
}

// stepLimit is the deadline of the current step: waveTimeout, or in the
// SyncFail phase the operation timeout when no waveTimeout is set.
func stepLimit(in Input, inSyncFail bool) (time.Time, bool) {
	d := in.Timing.WaveTimeout
	if d == 0 && inSyncFail {
		d = in.Timing.Timeout
	}
	c := in.Status.Current
	if d == 0 || c == nil || c.StartedAt == nil {
		return time.Time{}, false
	}
	return c.StartedAt.Add(d), true
}

func opLimit(in Input) (time.Time, bool) {
	if in.Timing.Timeout == 0 || in.Status.StartedAt == nil {
		return time.Time{}, false
	}
	return in.Status.StartedAt.Add(in.Timing.Timeout), true
}

func timedOut(in Input, step *plan.Step, inSyncFail bool) (reason, msg string) {
	if !inSyncFail {
		if limit, ok := opLimit(in); ok && !in.Now.Before(limit) {
			return syncv1alpha1.ReasonTimeout, fmt.Sprintf("operation exceeded its timeout of %s in step %s", in.Timing.Timeout, step)
		}
	}
	if limit, ok := stepLimit(in, inSyncFail); ok && !in.Now.Before(limit) {
		return syncv1alpha1.ReasonTimeout, fmt.Sprintf("step %s exceeded its timeout of %s", step, limit.Sub(in.Status.Current.StartedAt.Time))
	}
	return "", ""
}

func nearest(in Input, _ *plan.Step, inSyncFail bool, extra []time.Time) time.Duration {
	var best time.Time
	consider := func(t time.Time, ok bool) {
		if ok && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	if !inSyncFail {
		consider(opLimit(in))
	}
	consider(stepLimit(in, inSyncFail))
	for _, t := range extra {
		consider(t, true)
	}
	if best.IsZero() {
		return 0
	}
	d := best.Sub(in.Now)
	if d <= 0 {
		d = time.Millisecond
	}
	return d
}

// retryWait decides while a failed step waits for its retry: wait until
// status.retryAt, then restart it; the operation's timeout still ends it.
func retryWait(in Input, cur int, step *plan.Step) (Decision, bool) {
	at := in.Status.RetryAt
	if at == nil {
		return Decision{}, false
	}
	if limit, ok := opLimit(in); ok && !in.Now.Before(limit) {
		return Decision{Action: ActionEnterSyncFail, Step: cur, Next: in.Layout.FirstOnFail(), Reason: syncv1alpha1.ReasonTimeout,
			Message: fmt.Sprintf("operation exceeded its timeout of %s waiting to retry step %s", in.Timing.Timeout, step)}, true
	}
	if in.Now.Before(at.Time) {
		return Decision{Action: ActionWait, Step: cur, Reason: syncv1alpha1.ReasonRetrying, Message: in.Status.Message,
			RequeueAfter: at.Sub(in.Now)}, true
	}
	return Decision{Action: ActionRestart, Step: cur}, true
}

// retryable reports whether spec.retry tries a failure of this reason
// again: not invalid input, not a termination, not the operation's own
// timeout, and only while retries are left.
func retryable(in Input, reason string) bool {
	if in.Retry == nil || in.Status.RetryCount >= in.Retry.Limit {
		return false
	}
	if limit, ok := opLimit(in); ok && !in.Now.Before(limit) {
		return false
	}
	switch reason {
	case syncv1alpha1.ReasonApplyFailed, syncv1alpha1.ReasonHookFailed, syncv1alpha1.ReasonHealthDegraded, syncv1alpha1.ReasonTimeout:
		return true
	}
	return false
}
