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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
)

// dependencyIndex resolves Task.DependsOn to status indexes, step by step;
// nil when no task of the plan depends on another.
func dependencyIndex(l *Layout) [][]int {
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
	return out
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
// dependencies are done (applyReady). A dependency the API server returns
// Healthy from its write (a ConfigMap, a Service) is done at once, so its
// dependents are applied in the same call, round after round.
func (e *Executor) applyStep(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, i int, out *Outcome) error {
	for {
		if err := e.applyReady(ctx, op, l, i, out); err != nil || out.RequeueAfter > 0 || l.deps == nil {
			return err
		}
		if !e.promoteWritten(op, l, i, out) {
			return nil
		}
	}
}

// promoteWritten records as Healthy the objects of step i written in this
// call whose write result is Healthy, and reports whether one was and a
// pending task of the step may start now (so every round promotes at least
// one task, and the rounds end).
func (e *Executor) promoteWritten(op *syncv1alpha1.SyncOperation, l *Layout, i int, out *Outcome) bool {
	st := op.Status.Resources
	start, end := l.Range(i)
	now := e.Clock.Now()
	promoted := false
	for j := start; j < end; j++ {
		u, ok := out.written[j]
		r := &st[j]
		if !ok || l.Tasks[j].IsHook() || r.Status != syncv1alpha1.ResultSynced || r.Health == health.Healthy {
			continue
		}
		if res := e.Judge.Health(u); res.Status == health.Healthy {
			t, mt := metav1.NewTime(now), metav1.NewMicroTime(now)
			r.Health, r.Message, r.HealthSince, r.FinishedAt = health.Healthy, res.Message, &t, &mt
			promoted = true
		}
	}
	if !promoted {
		return false
	}
	for j := start; j < end; j++ {
		if st[j].Status == syncv1alpha1.ResultPending && len(l.Dependencies(j)) > 0 && l.Ready(st, j) {
			return true
		}
	}
	return false
}
