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

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

// Event reasons emitted on a SyncOperation (SPEC §9).
const (
	EventOperationStarted   = "OperationStarted"
	EventStepStarted        = "StepStarted"
	EventStepSucceeded      = "StepSucceeded"
	EventHookCreated        = "HookCreated"
	EventHookSucceeded      = "HookSucceeded"
	EventHookFailed         = "HookFailed"
	EventHealthDegraded     = "HealthDegraded"
	EventTimeout            = "Timeout"
	EventSyncFailStarted    = "SyncFailStarted"
	EventOperationSucceeded = "OperationSucceeded"
	EventOperationFailed    = "OperationFailed"
	EventTerminated         = "Terminated"
	// EventSharedResource warns that the operation takes over objects
	// that another application manages (not in SPEC §9's list).
	EventSharedResource = "SharedResource"
	// EventPlanWarning is a lint warning about the operation's spec rather
	// than an object, e.g. an unknown name in spec.syncOptions (SW010).
	EventPlanWarning = "PlanWarning"
)

const (
	eventNormal  = "Normal"
	eventWarning = "Warning"
)

// Event is one event to record on the operation. The events API folds
// events that differ only in their note into a series of the first one,
// so an event about one step or one object names it in Step or Object:
// "step Sync/1 started" stays an event of its own, not a count on
// "step Sync/0 started".
type Event struct {
	Type, Reason, Message string
	// Step is the step the event is about ("Sync/0"), if any.
	Step string
	// Object is the object the event is about (a hook, a Degraded
	// object), if any.
	Object *corev1.ObjectReference
}

// StepRun is one finished step.
type StepRun struct {
	Phase     syncv1alpha1.SyncPhase
	Wave      int32
	Duration  time.Duration
	Succeeded bool
}

// HookRun is one finished hook.
type HookRun struct {
	Phase    syncv1alpha1.SyncPhase
	Result   syncv1alpha1.HookPhase
	Duration time.Duration
}

// ApplyResult is one write of one object.
type ApplyResult struct {
	Group, Kind string
	OK          bool
}

// Finish is the end of an operation.
type Finish struct {
	Phase    syncv1alpha1.OperationPhase
	Reason   string
	Duration time.Duration
}

// Outcome is what one call of Executor.Run did: the facts the controller
// turns into events and metrics.
type Outcome struct {
	Decision     Decision
	Events       []Event
	Steps        []StepRun
	Hooks        []HookRun
	Applies      []ApplyResult
	Prunes       []PruneRun
	Finished     *Finish
	WaitReason   string
	RequeueAfter time.Duration
	// Retries counts the steps restarted by spec.retry in this call.
	Retries int
	// Transition is the time from the last task of a step observed finished
	// to the first write of the next step, when this call made that write.
	Transition *time.Duration

	stepDoneAt time.Time
	wrote      bool
	// written holds the objects this call applied, as the API server
	// returned them: fresher than any cache.
	written map[int]*unstructured.Unstructured
}

func (o *Outcome) applied(i int, obj *unstructured.Unstructured) {
	if o.written == nil {
		o.written = map[int]*unstructured.Unstructured{}
	}
	o.written[i] = obj
}

func (o *Outcome) event(typ, reason, msg string) {
	o.Events = append(o.Events, Event{Type: typ, Reason: reason, Message: msg})
}

// stepEvent records a Normal event about step s.
func (o *Outcome) stepEvent(reason string, s *plan.Step, msg string) {
	o.Events = append(o.Events, Event{Type: eventNormal, Reason: reason, Message: msg, Step: s.String()})
}

// objectEvent records an event about the object of task t, named name on
// the cluster (a hook's generated name).
func (o *Outcome) objectEvent(typ, reason string, t *plan.Task, name, msg string) {
	ref := &corev1.ObjectReference{Kind: t.ID.Kind, Namespace: t.ID.Namespace, Name: name}
	if t.Object != nil {
		ref.APIVersion = t.Object.GetAPIVersion()
	}
	o.Events = append(o.Events, Event{Type: typ, Reason: reason, Message: msg, Object: ref})
}

func (o *Outcome) markWrite(now time.Time) {
	if o.wrote {
		return
	}
	o.wrote = true
	if !o.stepDoneAt.IsZero() {
		d := now.Sub(o.stepDoneAt)
		o.Transition = &d
	}
}

func failureEvent(reason string) string {
	switch reason {
	case syncv1alpha1.ReasonTimeout:
		return EventTimeout
	case syncv1alpha1.ReasonHealthDegraded:
		return EventHealthDegraded
	case syncv1alpha1.ReasonHookFailed:
		return EventHookFailed
	default:
		return EventOperationFailed
	}
}
