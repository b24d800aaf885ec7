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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/plan"
)

type verdict struct {
	resources            map[int]syncv1alpha1.ResourceStatus
	blocked              []syncv1alpha1.BlockedResource
	needApply            bool
	failReason           string
	failMessage          string
	waitMessage          string
	waitingOnHooks       bool
	done, total, pending int
	deadlines            []time.Time
}

func (v *verdict) complete() bool { return !v.needApply && v.pending == 0 && v.failReason == "" }

func (v *verdict) fail(reason, msg string) {
	if v.failReason == "" {
		v.failReason, v.failMessage = reason, msg
	}
}

// evaluate judges every task of step cur from the persisted status and the
// observations.
func evaluate(in Input, cur int) verdict {
	start, end := in.Layout.Range(cur)
	v := verdict{resources: map[int]syncv1alpha1.ResourceStatus{}, total: end - start}
	now := metav1.NewTime(in.Now)
	var onGraph []int // pending tasks with dependencies, judged last
	for i := start; i < end; i++ {
		t := in.Layout.Tasks[i]
		r := in.Status.Resources[i]
		if r.Status == syncv1alpha1.ResultPending && len(in.Layout.Dependencies(i)) > 0 {
			onGraph = append(onGraph, i)
			continue
		}
		if r.Status == syncv1alpha1.ResultPending {
			v.needApply = true
			v.pending++
			v.block(r, in.Layout.Hint(t))
			continue
		}
		if t.IsHook() {
			evaluateHook(&v, in, i, t, r)
			continue
		}
		if t.Prune {
			evaluatePrune(&v, in, i, t, r)
			continue
		}
		if r.Status == syncv1alpha1.ResultSyncFailed {
			v.fail(syncv1alpha1.ReasonApplyFailed, fmt.Sprintf("apply of %s failed: %s", t.ID, r.Message))
			continue
		}
		o := in.Observed[i]
		res := o.Health
		switch {
		case !o.Exists:
			res = health.Result{Status: health.Missing, Message: "object not found"}
		case r.Generation > 0 && o.Generation < r.Generation:
			res = health.Result{Status: health.Progressing,
				Message: fmt.Sprintf("waiting to observe generation %d (seen %d)", r.Generation, o.Generation)}
		}
		if r.Health != res.Status || r.HealthSince == nil {
			r.HealthSince = &now
		}
		r.Health, r.Message = res.Status, res.Message
		if res.Status == health.Healthy {
			if r.FinishedAt == nil {
				mt := metav1.NewMicroTime(in.Now)
				r.FinishedAt = &mt
			}
			v.done++
		} else {
			r.FinishedAt = nil
			v.pending++
			v.block(r, in.Layout.Hint(t))
			if res.RecheckAfter > 0 {
				// The result changes by itself (a status grace that
				// ends): no watch event will say so.
				v.deadlines = append(v.deadlines, in.Now.Add(res.RecheckAfter))
			}
			if res.Status == health.Degraded {
				limit := r.HealthSince.Add(in.Timing.DegradedGracePeriod)
				if !in.Now.Before(limit) {
					v.fail(syncv1alpha1.ReasonHealthDegraded, fmt.Sprintf("%s is Degraded: %s", t.ID, res.Message))
				} else {
					v.deadlines = append(v.deadlines, limit)
				}
			}
		}
		v.resources[i] = r
	}
	v.pendingOnGraph(in, onGraph)
	return v
}

func evaluateHook(v *verdict, in Input, i int, t *plan.Task, r syncv1alpha1.ResourceStatus) {
	switch r.HookPhase {
	case syncv1alpha1.HookSucceeded:
		v.done++
		return
	case syncv1alpha1.HookFailed:
		v.fail(syncv1alpha1.ReasonHookFailed, fmt.Sprintf("hook %s failed: %s", hookID(t, r), r.Message))
		return
	}
	o, seen := in.Observed[i]
	switch {
	case seen && !o.Exists && (hookWasSeen(r) || o.Absent):
		// The cache saw it and now has it no more, or the API server says
		// it is not there: it was deleted past its finalizer (removed by
		// someone else), and no end of it will ever be observed.
		mt := metav1.NewMicroTime(in.Now)
		r.HookPhase, r.Health, r.FinishedAt = syncv1alpha1.HookFailed, health.Missing, &mt
		r.Message = "the hook object was deleted before it finished (its " + syncv1alpha1.HookFinalizer +
			" finalizer was removed by someone else), so its end cannot be observed"
		v.resources[i] = r
		v.fail(syncv1alpha1.ReasonHookFailed, fmt.Sprintf("hook %s failed: %s", hookID(t, r), r.Message))
		return
	case !o.Exists:
		r.Health, r.Message = health.Missing, "hook object not found yet"
	case o.HookPhase == syncv1alpha1.HookSucceeded || o.HookPhase == syncv1alpha1.HookFailed:
		r.HookPhase, r.Message, r.Health = o.HookPhase, o.HookMessage, o.Health.Status
		mt := metav1.NewMicroTime(in.Now)
		r.FinishedAt = &mt
		v.resources[i] = r
		if o.HookPhase == syncv1alpha1.HookFailed {
			v.fail(syncv1alpha1.ReasonHookFailed, fmt.Sprintf("hook %s failed: %s", hookID(t, r), o.HookMessage))
		} else {
			v.done++
		}
		return
	default:
		r.Health, r.Message = o.Health.Status, o.HookMessage
		if r.Message == "" {
			r.Message = o.Health.Message
		}
		if o.Health.RecheckAfter > 0 {
			// A custom-resource hook in its status grace: its result
			// changes by itself, and no watch event will say so.
			v.deadlines = append(v.deadlines, in.Now.Add(o.Health.RecheckAfter))
		}
	}
	r.HookPhase = syncv1alpha1.HookRunning
	v.resources[i] = r
	v.pending++
	v.waitingOnHooks = true
	v.block(r, in.Layout.Hint(t))
}

// hookWasSeen tells whether the status holds a health that an
// observation of the live hook gave (Missing: never found; Unknown may be
// a read that failed).
func hookWasSeen(r syncv1alpha1.ResourceStatus) bool {
	return r.Health != "" && r.Health != health.Missing && r.Health != health.Unknown
}

func hookID(t *plan.Task, r syncv1alpha1.ResourceStatus) string {
	id := t.ID
	id.Name = r.Name
	return id.String()
}

// block records that the step waits for r; hint adds what the plan's lint
// knows about it (e.g. a ServiceAccount that only a later step creates).
func (v *verdict) block(r syncv1alpha1.ResourceStatus, hint string) {
	if hint != "" {
		r.Message = appendMsg(r.Message, hint)
	}
	if v.waitMessage == "" {
		what := "healthy state of"
		if r.HookType != "" {
			what = "completion of hook"
		}
		switch r.Status {
		case syncv1alpha1.ResultPending:
			what = "apply of"
		case syncv1alpha1.ResultPruned:
			what = "deletion of"
		}
		v.waitMessage = fmt.Sprintf("waiting for %s %s", what, refString(r.ResourceRef))
		if r.Message != "" {
			v.waitMessage += ": " + r.Message
		}
	}
	if len(v.blocked) >= syncv1alpha1.MaxBlockedBy {
		return
	}
	v.blocked = append(v.blocked, syncv1alpha1.BlockedResource{ResourceRef: r.ResourceRef, Health: r.Health,
		HookPhase: r.HookPhase, Message: r.Message, Since: r.HealthSince})
}

func refString(r syncv1alpha1.ResourceRef) string {
	gk := r.Kind
	if r.Group != "" {
		gk = r.Group + "/" + r.Kind
	}
	if r.Namespace != "" {
		return gk + " " + r.Namespace + "/" + r.Name
	}
	return gk + " " + r.Name
}
