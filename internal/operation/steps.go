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
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
)

func (e *Executor) enter(op *syncv1alpha1.SyncOperation, l *Layout, i int, out *Outcome) {
	s := l.Step(i)
	now := metav1.NewMicroTime(e.Clock.Now())
	op.Status.Current = &syncv1alpha1.StepStatus{Phase: s.Phase, Wave: s.Wave, StartedAt: &now}
	setStep(&op.Status, i, syncv1alpha1.StepRunning, now)
	op.Status.BlockedBy = nil
	op.Status.Message = "applying step " + s.String()
	out.stepEvent(EventStepStarted, s, "step "+s.String()+" started")
}

// stepFinished records the duration of step i and, when the next step
// follows at once, the transition latency from the moment the step's last
// task was observed finished.
func (e *Executor) stepFinished(op *syncv1alpha1.SyncOperation, l *Layout, i int, out *Outcome, ok bool) {
	s := l.Step(i)
	now := e.Clock.Now()
	var dur time.Duration
	if c := op.Status.Current; c != nil && c.StartedAt != nil {
		dur = now.Sub(c.StartedAt.Time)
	}
	out.Steps = append(out.Steps, StepRun{Phase: s.Phase, Wave: s.Wave, Duration: dur, Succeeded: ok})
	result := syncv1alpha1.StepFailed
	if ok {
		result = syncv1alpha1.StepSucceeded
	}
	setStep(&op.Status, i, result, metav1.NewMicroTime(now))
	if ok {
		out.stepEvent(EventStepSucceeded, s, "step "+s.String()+" succeeded")
		start, end := l.Range(i)
		var last time.Time
		for j := start; j < end; j++ {
			if f := op.Status.Resources[j].FinishedAt; f != nil && f.After(last) {
				last = f.Time
			}
		}
		// A step that completed on a watch event is timed from the event's
		// arrival in the cache, not from this call's clock.
		if !e.EventAt.IsZero() && !last.IsZero() && !e.EventAt.After(last) && last.Sub(e.EventAt) < time.Minute {
			last = e.EventAt
		}
		e.EventAt = time.Time{} // consumed: steps chained after it are timed from their writes
		if !last.IsZero() {
			out.stepDoneAt = last
		}
	}
}

func (e *Executor) finish(op *syncv1alpha1.SyncOperation, l *Layout, out *Outcome, phase syncv1alpha1.OperationPhase, reason, msg string) {
	st := &op.Status
	now := metav1.NewMicroTime(e.Clock.Now())
	st.Phase, st.FinishedAt, st.Reason, st.Message = phase, &now, reason, msg
	if phase == syncv1alpha1.OperationSucceeded {
		st.BlockedBy = nil
	}
	for i := range st.Steps {
		switch st.Steps[i].Result {
		case syncv1alpha1.StepRunning:
			setStep(st, i, syncv1alpha1.StepFailed, metav1.NewMicroTime(now.Time))
		case syncv1alpha1.StepPending, "":
			st.Steps[i].Result = syncv1alpha1.StepSkipped
		}
	}
	skipUnrun(l, st)
	var dur time.Duration
	if st.StartedAt != nil {
		dur = now.Sub(st.StartedAt.Time)
	}
	out.Finished = &Finish{Phase: phase, Reason: reason, Duration: dur}
	switch {
	case reason == syncv1alpha1.ReasonTerminated:
		out.event(eventWarning, EventTerminated, msg)
	case phase == syncv1alpha1.OperationSucceeded:
		out.event(eventNormal, EventOperationSucceeded, msg)
	default:
		out.event(eventWarning, EventOperationFailed, reason+": "+msg)
	}
}

// restoreBlockers shows, after the SyncFail steps, what blocked the step
// that failed.
func (e *Executor) restoreBlockers(op *syncv1alpha1.SyncOperation, l *Layout) {
	f := op.Status.FailedStep
	if f == nil {
		return
	}
	if i := l.StepIndex(f.Phase, f.Wave); i >= 0 {
		op.Status.BlockedBy = blockersOf(op, l, i)
	}
}

// blockersOf is what blocked step i, derived from status.resources: its
// unfinished tasks, and its failed ones as they ended (a failed hook with
// its result, not as it was last seen running).
func blockersOf(op *syncv1alpha1.SyncOperation, l *Layout, i int) []syncv1alpha1.BlockedResource {
	start, end := l.Range(i)
	var v verdict
	for j := start; j < end; j++ {
		r := op.Status.Resources[j]
		done := r.HookPhase == syncv1alpha1.HookSucceeded || (r.HookType == "" && r.Health == health.Healthy)
		if !done {
			v.block(r, l.Hint(l.Tasks[j]))
		}
	}
	return v.blocked
}
