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
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

// EventRetrying is recorded when a failed step is scheduled to run again.
const EventRetrying = "Retrying"

// scheduleRetry records a failed step that spec.retry runs again after the
// backoff (awaitRetry); blockedBy shows the step as it ended.
// The SyncFail steps wait for the last retry.
func (e *Executor) scheduleRetry(op *syncv1alpha1.SyncOperation, l *Layout, d Decision, out *Outcome) {
	st := &op.Status
	e.stepFinished(op, l, d.Step, out, false)
	st.BlockedBy = blockersOf(op, l, d.Step) // as the failed step ended, while it waits for the retry
	e.awaitRetry(op, d.Message, d.RequeueAfter, out)
}

// awaitRetry records that a failure (msg) is tried again after delay:
// status.retryAt, a message that says when, and a Warning Retrying event.
// The failure's own events (HookFailed of the hook, HealthDegraded of the
// object) are already out, and the operation has not failed: no
// OperationFailed, no Timeout.
func (e *Executor) awaitRetry(op *syncv1alpha1.SyncOperation, msg string, delay time.Duration, out *Outcome) {
	st := &op.Status
	at := metav1.NewMicroTime(e.Clock.Now().Add(delay))
	st.RetryAt = &at
	st.Message = fmt.Sprintf("%s; retry %d of %d in %s", msg, st.RetryCount+1, op.Spec.Retry.Limit, delay)
	out.event(eventWarning, EventRetrying, st.Message)
	out.RequeueAfter, out.WaitReason = delay, syncv1alpha1.ReasonRetrying
}

// restart runs step i again: running hooks of the failed attempt are
// deleted, every task of the step is pending again, and its hooks get new
// names (the step's retry count is part of them).
func (e *Executor) restart(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, i int, in Input, out *Outcome) error {
	st := &op.Status
	start, end := l.Range(i)
	for j := start; j < end; j++ {
		r := &st.Resources[j]
		if l.Tasks[j].IsHook() && r.Status == syncv1alpha1.ResultSynced && !r.Released && !finished(r) {
			if err := e.Hooks.Release(ctx, op, l.Tasks[j], r.Name, true); err != nil {
				return err
			}
			r.Released = true
		}
	}
	st.RetryCount++
	st.RetryAt = nil
	if i < len(st.Steps) {
		st.Steps[i].Retries++
	}
	l.prepare(st, func(t *plan.Task) string { return e.Hooks.Name(op, t) })
	for j := start; j < end; j++ {
		st.Resources[j] = l.initial[j]
	}
	out.Retries++
	out.stepEvent(EventRetrying, l.Step(i), fmt.Sprintf("retrying step %s (retry %d of %d)", l.Step(i), st.RetryCount, op.Spec.Retry.Limit))
	e.enter(op, l, i, out)
	return e.applyAndChain(ctx, op, l, i, in, out)
}

// retryStart schedules the start again when spec.retry has retries left
// and the dry-run refused objects (msg says which): the operation stays
// Pending with status.retryAt, nothing applied, and Next starts it again
// then. A refusal is often transient (a webhook not serving yet, a
// namespace or CRD another application is creating). The retry must come
// before the operation's timeout, counted from its creation while it has
// not started. It reports whether a retry was scheduled.
func (e *Executor) retryStart(op *syncv1alpha1.SyncOperation, in Input, msg string, out *Outcome) bool {
	st := &op.Status
	r := op.Spec.Retry
	if r == nil || st.RetryCount >= r.Limit {
		return false
	}
	now := e.Clock.Now()
	delay := r.Delay(st.RetryCount)
	if t := in.Timing.Timeout; t > 0 && !now.Add(delay).Before(op.CreationTimestamp.Add(t)) {
		return false
	}
	st.Phase = syncv1alpha1.OperationPending
	e.awaitRetry(op, msg, delay, out)
	return true
}
