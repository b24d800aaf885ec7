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

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// Explainer says what the pods of a workload report (e.g. "pod shop/web-x:
// pod is not scheduled: ..."), since a Deployment's own status only counts
// replicas. Executor asks once, when a step fails by Timeout or
// HealthDegraded, for the object the failure names: a failure says what
// blocked (SPEC §1). "" adds nothing; what cannot be read adds nothing.
type Explainer interface {
	Explain(ctx context.Context, op *syncv1alpha1.SyncOperation, live *unstructured.Unstructured) string
}

// explain adds what the Explainer says of the object decision d's failure
// waited for to the decision's message and the object's status.resources
// entry: the first Explainable object of blockedBy (Degraded first, for
// HealthDegraded).
func (e *Executor) explain(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, d *Decision) {
	if e.Explainer == nil || d.Step < 0 || len(d.Blocked) == 0 {
		return
	}
	switch d.Action {
	case ActionRetry, ActionEnterSyncFail, ActionAdvance, ActionFail:
	default:
		return
	}
	if d.Reason != syncv1alpha1.ReasonTimeout && d.Reason != syncv1alpha1.ReasonHealthDegraded {
		return
	}
	k := explained(d)
	if k < 0 {
		return
	}
	b := d.Blocked[k]
	start, end := l.Range(d.Step)
	for j := start; j < end; j++ {
		t := l.Tasks[j]
		name := t.ID.Name
		if t.IsHook() {
			name = e.Hooks.Name(op, t)
		}
		if t.ID.Group != b.Group || t.ID.Kind != b.Kind || t.ID.Namespace != b.Namespace || name != b.Name {
			continue
		}
		live, err := e.Observer.Get(ctx, op, t, b.Name)
		if live == nil || (err != nil && !errors.Is(err, ErrUnwatched)) {
			return
		}
		msg := e.Explainer.Explain(ctx, op, live)
		if msg == "" {
			return
		}
		d.Message = appendMsg(d.Message, msg)
		// The object's own entry keeps it: blockedBy is derived from
		// status.resources once the step has failed (blockersOf).
		r, ok := d.Resources[j]
		if !ok {
			r = op.Status.Resources[j]
		}
		r.Message = appendMsg(r.Message, msg)
		if d.Resources == nil {
			d.Resources = map[int]syncv1alpha1.ResourceStatus{}
		}
		d.Resources[j] = r
		return
	}
}

// explained is the index in d.Blocked of the object to explain, or -1.
func explained(d *Decision) int {
	first := -1
	for k, b := range d.Blocked {
		if !Explainable(b) {
			continue
		}
		if d.Reason == syncv1alpha1.ReasonHealthDegraded && b.Health == syncv1alpha1.HealthDegraded {
			return k
		}
		if first < 0 {
			first = k
		}
	}
	return first
}

// Explainable reports whether an Explainer may say more about blocked
// entry b: it is not Healthy, nor a hook that ended (which has its outcome,
// hookoutcome.go); a hook still running (a Job whose pod is never
// scheduled) is.
func Explainable(b syncv1alpha1.BlockedResource) bool {
	if b.HookPhase != "" {
		return b.HookPhase != syncv1alpha1.HookSucceeded && b.HookPhase != syncv1alpha1.HookFailed
	}
	return b.Health != syncv1alpha1.HealthHealthy
}
