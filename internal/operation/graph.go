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
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
)

// dependencyIndex resolves Task.DependsOn to status indexes, step by step,
// and returns them with their reverse (the dependents of each task); nil
// when no task of the plan depends on another.
func dependencyIndex(l *Layout) (deps, dependents [][]int) {
	var out [][]int
	for _, r := range l.steps {
		deps := r.step.Dependencies()
		for j, d := range deps {
			if len(d) == 0 {
				continue
			}
			if out == nil {
				out = make([][]int, len(l.Tasks))
			}
			for _, k := range d {
				out[r.start+j] = append(out[r.start+j], r.start+k)
			}
		}
	}
	if out == nil {
		return nil, nil
	}
	dependents = make([][]int, len(l.Tasks))
	for j, d := range out {
		for _, k := range d {
			dependents[k] = append(dependents[k], j)
		}
	}
	return out, dependents
}

// Dependencies returns the status indexes of the tasks task i waits for.
func (l *Layout) Dependencies(i int) []int {
	if l.deps == nil {
		return nil
	}
	return l.deps[i]
}

// unmet returns the first dependency of task i that is not done in rs
// (Healthy, or a hook Succeeded), or -1 when the task may start.
func (l *Layout) unmet(i int, rs func(int) *syncv1alpha1.ResourceStatus) int {
	for _, j := range l.Dependencies(i) {
		if !taskDone(l.Tasks[j], rs(j)) {
			return j
		}
	}
	return -1
}

// Ready reports whether every dependency of task i is done in st.
func (l *Layout) Ready(st []syncv1alpha1.ResourceStatus, i int) bool {
	return l.unmet(i, func(j int) *syncv1alpha1.ResourceStatus { return &st[j] }) < 0
}

// pendingOnGraph judges the pending tasks of the step that have
// dependencies, once every other task of the step is judged: a task whose
// dependencies are all done is applied now; the others wait, and their
// message names the dependency they wait for.
func (v *verdict) pendingOnGraph(in Input, idx []int) {
	current := func(j int) *syncv1alpha1.ResourceStatus {
		if r, ok := v.resources[j]; ok {
			return &r
		}
		return &in.Status.Resources[j]
	}
	for _, i := range idx {
		t := in.Layout.Tasks[i]
		r := in.Status.Resources[i]
		v.pending++
		dep := in.Layout.unmet(i, current)
		if dep < 0 {
			v.needApply = true
			v.block(r, in.Layout.Hint(t))
			continue
		}
		r.Message = waitingFor(in.Layout, dep, current(dep))
		v.resources[i] = r
		v.block(r, in.Layout.Hint(t))
	}
}

// waitingFor says which dependency a task waits for, and in what state it
// is.
func waitingFor(l *Layout, dep int, r *syncv1alpha1.ResourceStatus) string {
	t := l.Tasks[dep]
	state := string(r.Health)
	switch {
	case r.Status == syncv1alpha1.ResultPending:
		state = "not applied yet"
	case t.IsHook():
		state = "hook " + string(r.HookPhase)
	case state == "":
		state = "not judged yet"
	}
	want := "Healthy"
	if t.IsHook() {
		want = "Succeeded"
	}
	msg := fmt.Sprintf("depends on %s, waiting for it to be %s (%s", hookID(t, *r), want, state)
	if r.Message != "" {
		msg += ": " + r.Message
	}
	return Truncate(msg+")", MaxMessage)
}

// applyStep applies what step i can apply now: the pending tasks whose
// dependencies are done, kind by kind (applyReady). A dependency the API
// server returns Healthy from its write (a ConfigMap, a Service) is done at
// once: its dependents are applied in the same call, each the moment its
// own last dependency's write returns (applyReleased), not round by round.
func (e *Executor) applyStep(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, i int, out *Outcome) error {
	if err := e.applyReady(ctx, op, l, i, out); err != nil || out.RequeueAfter > 0 || l.deps == nil || l.IsPruneStep(i) || rejected(op, l, i) {
		return err
	}
	start, end := l.Range(i)
	var queue []int
	for j := start; j < end; j++ {
		if u, ok := out.written[j]; ok {
			e.promote(op, l, j, u)
		}
	}
	for j := start; j < end; j++ {
		if releasable(op, l, j) {
			queue = append(queue, j)
		}
	}
	if len(queue) == 0 {
		return nil
	}
	if err := e.applyReleased(ctx, op, l, queue, out); err != nil || out.RequeueAfter > 0 || rejected(op, l, i) {
		return err
	}
	return e.createReadyHooks(ctx, op, l, i, out)
}

// applyReleased writes the tasks of queue, at most Parallelism at once;
// each write that comes back Healthy releases the pending dependents it
// was the last dependency of, which are written next. It stops starting
// writes at the first failure.
func (e *Executor) applyReleased(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, queue []int, out *Outcome) error {
	type result struct {
		i     int
		obj   *unstructured.Unstructured
		err   error
		began time.Time
	}
	results := make(chan result)
	inflight, stop := 0, false
	var transient error
	for (len(queue) > 0 && !stop) || inflight > 0 {
		for !stop && len(queue) > 0 && inflight < e.width() {
			j := queue[0]
			queue = queue[1:]
			inflight++
			began := e.Clock.Now()
			out.markWrite(began)
			go func() {
				obj, err := e.Applier.Apply(ctx, op, l.Tasks[j])
				results <- result{i: j, obj: obj, err: err, began: began}
			}()
		}
		r := <-results
		inflight--
		if ok, err := recordApply(op, l, r.i, r.obj, r.err, r.began, out); !ok {
			stop = true
			transient = cmpErr(transient, err)
			continue
		}
		if e.promote(op, l, r.i, r.obj) {
			for _, k := range l.dependents[r.i] {
				if releasable(op, l, k) && !slices.Contains(queue, k) {
					queue = append(queue, k)
				}
			}
		}
	}
	return transient
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// promote records task i as Healthy when its write result u is, and
// reports whether it did.
func (e *Executor) promote(op *syncv1alpha1.SyncOperation, l *Layout, i int, u *unstructured.Unstructured) bool {
	r := &op.Status.Resources[i]
	if l.Tasks[i].IsHook() || r.Status != syncv1alpha1.ResultSynced {
		return false
	}
	if r.Health == health.Healthy {
		return true
	}
	res := e.Judge.Health(u)
	if res.Status != health.Healthy {
		return false
	}
	now := e.Clock.Now()
	t, mt := metav1.NewTime(now), metav1.NewMicroTime(now)
	r.Health, r.Message, r.HealthSince, r.FinishedAt = health.Healthy, res.Message, &t, &mt
	return true
}

// releasable reports whether task j is a pending non-hook task with
// dependencies, all of them done.
func releasable(op *syncv1alpha1.SyncOperation, l *Layout, j int) bool {
	st := op.Status.Resources
	return !l.Tasks[j].IsHook() && st[j].Status == syncv1alpha1.ResultPending && len(l.Dependencies(j)) > 0 && l.Ready(st, j)
}

// rejected reports whether a write of step i was refused: the step stops.
func rejected(op *syncv1alpha1.SyncOperation, l *Layout, i int) bool {
	start, end := l.Range(i)
	for j := start; j < end; j++ {
		if op.Status.Resources[j].Status == syncv1alpha1.ResultSyncFailed {
			return true
		}
	}
	return false
}
