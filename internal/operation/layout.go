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
	"strings"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

// Layout indexes the tasks of a plan in the order of status.resources: the
// tasks of every step, then those of every SyncFail step, then the skipped
// objects.
type Layout struct {
	Plan *plan.Plan
	// Tasks lists every task in status order.
	Tasks []*plan.Task
	steps []stepRange
	// deps are the dependencies of each task, by status index, and
	// dependents their reverse (graph.go); nil when the plan has none.
	deps, dependents [][]int

	// initial and index are computed once by prepare (compact.go).
	initial     []syncv1alpha1.ResourceStatus
	index       map[taskKey]int
	preparedFor string
}

type stepRange struct {
	step       *plan.Step
	onFail     bool
	start, end int
}

// NewLayout indexes p.
func NewLayout(p *plan.Plan) *Layout {
	l := &Layout{Plan: p}
	add := func(steps []plan.Step, onFail bool) {
		for i := range steps {
			s := &steps[i]
			r := stepRange{step: s, onFail: onFail, start: len(l.Tasks)}
			for j := range s.Tasks {
				l.Tasks = append(l.Tasks, &s.Tasks[j])
			}
			r.end = len(l.Tasks)
			l.steps = append(l.steps, r)
		}
	}
	add(p.Steps, false)
	add(p.OnFail, true)
	for i := range p.Skipped {
		l.Tasks = append(l.Tasks, &p.Skipped[i])
	}
	l.deps, l.dependents = dependencyIndex(l)
	return l
}

// Hint returns the plan's lint warnings about a task, joined, or "".
func (l *Layout) Hint(t *plan.Task) string {
	var out []string
	for _, w := range l.Plan.Warnings {
		if w.Resource == t.ID {
			out = append(out, w.Code+": "+w.Message)
		}
	}
	return strings.Join(out, "; ")
}

// StepIndex finds the step with the given phase and wave; -1 if none.
func (l *Layout) StepIndex(phase syncv1alpha1.SyncPhase, wave int32) int {
	for i, r := range l.steps {
		if r.step.Phase == phase && r.step.Wave == wave {
			return i
		}
	}
	return -1
}

// Step returns the i-th step (steps first, then SyncFail steps).
func (l *Layout) Step(i int) *plan.Step { return l.steps[i].step }

// Range returns the status indexes [start, end) of the tasks of step i.
func (l *Layout) Range(i int) (start, end int) { return l.steps[i].start, l.steps[i].end }

// NextStep returns the index of the step after i in the same sequence
// (normal steps or SyncFail steps), or -1 at the end of that sequence.
func (l *Layout) NextStep(i int) int {
	if i+1 < len(l.steps) && l.steps[i+1].onFail == l.steps[i].onFail {
		return i + 1
	}
	return -1
}

// FirstStep returns the first normal step, or -1 if the plan has none.
func (l *Layout) FirstStep() int {
	if len(l.steps) > 0 && !l.steps[0].onFail {
		return 0
	}
	return -1
}

// FirstOnFail returns the first SyncFail step, or -1 if there is none.
func (l *Layout) FirstOnFail() int {
	for i, r := range l.steps {
		if r.onFail {
			return i
		}
	}
	return -1
}

// SkippedFrom is the index of the first task that is never applied (the
// plan's Skip hooks come last).
func (l *Layout) SkippedFrom() int { return len(l.Tasks) - len(l.Plan.Skipped) }

// InitialResources builds status.resources for a new operation: one entry
// per task, Pending (Skipped for skipped objects). hookName gives the live
// name of a generateName hook.
func (l *Layout) InitialResources(hookName func(*plan.Task) string) []syncv1alpha1.ResourceStatus {
	out := make([]syncv1alpha1.ResourceStatus, len(l.Tasks))
	skippedFrom := l.SkippedFrom()
	for i, t := range l.Tasks {
		r := syncv1alpha1.ResourceStatus{
			ResourceRef: syncv1alpha1.ResourceRef{
				Group: t.ID.Group, Version: t.Version, Kind: t.ID.Kind,
				Namespace: t.ID.Namespace, Name: t.ID.Name,
			},
			SyncPhase: t.Phase,
			Wave:      t.Wave,
			Status:    syncv1alpha1.ResultPending,
		}
		if t.Hook != nil {
			r.HookType = t.Hook.Type
			r.HookPhase = syncv1alpha1.HookPending
			if t.Hook.GenerateName && hookName != nil {
				r.Name = hookName(t)
			}
		}
		if i >= skippedFrom {
			r.Status = syncv1alpha1.ResultSkipped
			r.HookPhase = ""
		}
		out[i] = r
	}
	return out
}

// CheckResources verifies that status.resources still matches the layout,
// so that a status written for another plan is never misread.
func (l *Layout) CheckResources(rs []syncv1alpha1.ResourceStatus) error {
	if len(rs) != len(l.Tasks) {
		return fmt.Errorf("status.resources has %d entries but the plan has %d tasks", len(rs), len(l.Tasks))
	}
	for i, t := range l.Tasks {
		if rs[i].Kind != t.ID.Kind || rs[i].Group != t.ID.Group || rs[i].SyncPhase != t.Phase {
			return fmt.Errorf("status.resources[%d] is %s/%s but the plan has %s", i, rs[i].Kind, rs[i].Name, t.ID)
		}
	}
	return nil
}
