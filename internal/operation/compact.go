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
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/plan"
)

// MaxListed bounds status.resources: the hooks, failures and unfinished
// tasks worth a person's look. status.steps counts every task.
const MaxListed = 500

// ListAllUpTo is the size up to which an operation lists every task of its
// started steps in status.resources, done or not: small operations show
// everything, large ones only what is worth a look.
const ListAllUpTo = 100

// MaxMessage bounds every message written into status.
const MaxMessage = 1024

// MaxSteps is the largest number of steps (SyncFail steps included) whose
// results status.steps can hold.
const MaxSteps = 2000

// The engine works on the full record: one status.resources entry per task
// of the layout (Expand). What is persisted is its compact projection
// (Compact): entries only for the tasks worth a look, and one
// status.steps entry per step. Expand(Compact(x)) gives back everything
// the engine decides from: which tasks were applied, hook results, the
// generation an unfinished object was written with, when a degraded object
// turned so. Tasks of finished steps are derived from the step's result.

// InitialSteps returns status.steps of a new operation: every step Pending.
func (l *Layout) InitialSteps() []syncv1alpha1.StepResult {
	out := make([]syncv1alpha1.StepResult, len(l.steps))
	for i, r := range l.steps {
		out[i] = syncv1alpha1.StepResult{Phase: r.step.Phase, Wave: r.step.Wave,
			Tasks: int32(r.end - r.start), Result: syncv1alpha1.StepPending}
	}
	return out
}

// Steps returns the number of steps (SyncFail steps included).
func (l *Layout) Steps() int { return len(l.steps) }

type taskKey struct {
	group, kind, namespace, name string
	phase                        syncv1alpha1.SyncPhase
	wave                         int32
}

func keyOf(r *syncv1alpha1.ResourceStatus) taskKey {
	return taskKey{r.Group, r.Kind, r.Namespace, r.Name, r.SyncPhase, r.Wave}
}

// prepare computes, once per layout, operation and set of retried steps
// (a retried step's hooks get new names), the initial record and the index
// from a status entry to its task.
func (l *Layout) prepare(st *syncv1alpha1.SyncOperationStatus, hookName func(*plan.Task) string) {
	key := retriesKey(st)
	if l.initial != nil && l.preparedFor == key {
		return
	}
	l.preparedFor = key
	l.initial = l.InitialResources(hookName)
	l.index = make(map[taskKey]int, len(l.initial))
	for i := range l.initial {
		l.index[keyOf(&l.initial[i])] = i
	}
}

func retriesKey(st *syncv1alpha1.SyncOperationStatus) string {
	if st.RetryCount == 0 {
		return ""
	}
	var b strings.Builder
	for i := range st.Steps {
		fmt.Fprintf(&b, "%d,", st.Steps[i].Retries)
	}
	return b.String()
}

// Expand rebuilds the full record (one entry per task, in layout order)
// from a persisted status. hookName gives the live name of generateName
// hooks; it must be the function the operation started with.
func (l *Layout) Expand(st *syncv1alpha1.SyncOperationStatus, hookName func(*plan.Task) string) []syncv1alpha1.ResourceStatus {
	l.prepare(st, hookName)
	full := slices.Clone(l.initial)
	listed := make([]bool, len(full))
	for _, r := range st.Resources {
		if i, ok := l.index[keyOf(&r)]; ok {
			full[i], listed[i] = r, true
		}
	}
	if len(st.Steps) != len(l.steps) {
		return full
	}
	for s, r := range l.steps {
		res := st.Steps[s]
		if res.Result == syncv1alpha1.StepPending || res.Result == "" {
			continue
		}
		if res.Result == syncv1alpha1.StepSkipped {
			for i := r.start; i < r.end; i++ {
				if !listed[i] {
					skip(&full[i])
				}
			}
			continue
		}
		applied := l.allApplied(s, &res, full, listed)
		for i := r.start; i < r.end; i++ {
			if listed[i] || l.Tasks[i].IsHook() {
				continue
			}
			switch {
			case l.Tasks[i].Prune && (res.Result == syncv1alpha1.StepSucceeded || applied):
				// A prune task that fell out of the list: deleted, and gone
				// once its step succeeded.
				full[i].Status, full[i].Health = syncv1alpha1.ResultPruned, health.Progressing
				if res.Result == syncv1alpha1.StepSucceeded {
					full[i].Health, full[i].FinishedAt = health.Missing, res.FinishedAt
				}
			case res.Result == syncv1alpha1.StepSucceeded || applied:
				full[i].Status, full[i].Health = syncv1alpha1.ResultSynced, health.Healthy
			default:
				full[i].Status = syncv1alpha1.ResultPending
			}
		}
	}
	return full
}

// allApplied reports whether every non-hook task of step s that is not
// listed was applied: the step's synced count less the hooks created
// (hooks of a started step are always listed) leaves no more unwritten
// tasks than the listed ones (a step whose objects wait for their
// dependencies lists those).
func (l *Layout) allApplied(s int, res *syncv1alpha1.StepResult, full []syncv1alpha1.ResourceStatus, listed []bool) bool {
	r := l.steps[s]
	nonHook, hooksSynced, listedUnwritten := 0, 0, 0
	for i := r.start; i < r.end; i++ {
		if l.Tasks[i].IsHook() {
			if listed[i] && full[i].Status == syncv1alpha1.ResultSynced {
				hooksSynced++
			}
			continue
		}
		nonHook++
		if listed[i] && !written(l.Tasks[i], &full[i]) {
			listedUnwritten++
		}
	}
	return nonHook-(int(res.Synced)-hooksSynced) <= listedUnwritten
}

// Compact projects the full record st.Resources onto what is persisted: it
// returns the entries worth a look, in layout order, and fills the counts
// of st.Steps.
func (l *Layout) Compact(st *syncv1alpha1.SyncOperationStatus) []syncv1alpha1.ResourceStatus {
	full := st.Resources
	if len(full) != len(l.Tasks) {
		return full
	}
	c := compaction{l: l, st: st, cur: -1, failed: -1}
	if cs := st.Current; cs != nil && !st.Phase.Terminal() {
		c.cur = l.StepIndex(cs.Phase, cs.Wave)
	}
	if f := st.FailedStep; f != nil {
		c.failed = l.StepIndex(f.Phase, f.Wave)
	}
	for s := range l.steps {
		c.step(s)
	}
	var keep []int
	for _, t := range c.tiers {
		keep = append(keep, t...)
	}
	if len(keep) > MaxListed {
		keep = keep[:MaxListed]
	}
	slices.Sort(keep)
	out := make([]syncv1alpha1.ResourceStatus, 0, len(keep))
	for _, i := range keep {
		out = append(out, full[i])
	}
	return out
}

// Tiers of status.resources entries, kept in this order when there are
// more than MaxListed of them.
const (
	// tierState: what Expand cannot derive from the step counts: the
	// record of every hook of a started step (its phase, its live name),
	// the prunes a Prune=false kept (they stay in the inventory) and the
	// failed writes.
	tierState = iota
	// tierCurrent: what is not done, or is notable, in the current or
	// failed step.
	tierCurrent
	// tierNotable: pruned, degraded and changed tasks of other steps.
	tierNotable
	// tierRest: every task of a small operation's started steps, and the
	// change a dry run found for each task.
	tierRest
	tiers
)

// compaction chooses the entries of status.resources, by tier: the
// engine's state first, so that many notable entries (a prune of
// thousands) never push out a hook's record.
type compaction struct {
	l           *Layout
	st          *syncv1alpha1.SyncOperationStatus
	cur, failed int
	tiers       [tiers][]int
}

func (c *compaction) step(s int) {
	l, st := c.l, c.st
	r := l.steps[s]
	counted := len(st.Steps) == len(l.steps)
	started := counted && st.Steps[s].Result != syncv1alpha1.StepPending && st.Steps[s].Result != "" &&
		st.Steps[s].Result != syncv1alpha1.StepSkipped
	var synced, healthy int32
	for i := r.start; i < r.end; i++ {
		e := &st.Resources[i]
		e.Message = Truncate(e.Message, MaxMessage)
		done := taskDone(l.Tasks[i], e)
		if written(l.Tasks[i], e) {
			synced++
		}
		if done {
			healthy++
		}
		c.choose(i, s, started, done)
	}
	if counted {
		st.Steps[s].Synced, st.Steps[s].Healthy = synced, healthy
	}
}

// choose puts task i of step s in a tier, or leaves it out.
func (c *compaction) choose(i, s int, started, done bool) {
	e := &c.st.Resources[i]
	tier := -1
	switch {
	case c.l.Tasks[i].IsHook() && (started || e.Status != syncv1alpha1.ResultPending),
		e.Status == syncv1alpha1.ResultPruneSkipped, e.Status == syncv1alpha1.ResultSyncFailed:
		tier = tierState
	case (s == c.cur || s == c.failed) && (!done || notable(e)):
		tier = tierCurrent
	case notable(e):
		tier = tierNotable
	case (started && len(c.l.Tasks) <= ListAllUpTo) || e.Change != "":
		tier = tierRest
	}
	if tier >= 0 {
		c.tiers[tier] = append(c.tiers[tier], i)
	}
}

// written reports whether a task's write was made: applied, a hook
// created, or a prune's deletion asked for.
func written(t *plan.Task, e *syncv1alpha1.ResourceStatus) bool {
	if t.Prune {
		return e.Status != syncv1alpha1.ResultPending && e.Status != syncv1alpha1.ResultSyncFailed && e.Status != syncv1alpha1.ResultSkipped
	}
	return e.Status == syncv1alpha1.ResultSynced
}

func notable(e *syncv1alpha1.ResourceStatus) bool {
	switch e.Change {
	case syncv1alpha1.ChangeCreate, syncv1alpha1.ChangeUpdate, syncv1alpha1.ChangeDelete:
		return true
	}
	switch e.Status {
	case syncv1alpha1.ResultSyncFailed, syncv1alpha1.ResultPruned, syncv1alpha1.ResultPruneSkipped:
		return true
	}
	return e.Health == health.Degraded
}

// skip marks a task of a step that never ran.
func skip(r *syncv1alpha1.ResourceStatus) {
	if r.Status == syncv1alpha1.ResultPending {
		r.Status, r.HookPhase = syncv1alpha1.ResultSkipped, ""
	}
}

// skipUnrun marks the tasks of the steps that never ran Skipped, and the
// objects of a failed step that were never written, so that SyncFail hooks
// of an operation that did not fail do not look pending. Hooks of a started
// step keep their record: housekeeping looks for them on the cluster.
func skipUnrun(l *Layout, st *syncv1alpha1.SyncOperationStatus) {
	if len(st.Resources) != len(l.Tasks) {
		return
	}
	for i := range st.Resources {
		if l.Tasks[i].IsHook() && stepStarted(l, st, i) {
			continue
		}
		skip(&st.Resources[i])
	}
}

func taskDone(t *plan.Task, r *syncv1alpha1.ResourceStatus) bool {
	if t.Prune {
		return pruneFinished(r)
	}
	if t.IsHook() {
		return r.HookPhase == syncv1alpha1.HookSucceeded
	}
	return r.Status == syncv1alpha1.ResultSynced && r.Health == health.Healthy
}

// setStep records the result of step i in status.steps.
func setStep(st *syncv1alpha1.SyncOperationStatus, i int, result syncv1alpha1.StepPhase, at metav1.MicroTime) {
	if i < 0 || i >= len(st.Steps) {
		return
	}
	s := &st.Steps[i]
	s.Result = result
	if result == syncv1alpha1.StepRunning {
		s.StartedAt, s.FinishedAt = &at, nil
		return
	}
	s.FinishedAt = &at
}

// Truncate bounds s to n bytes, marking the cut.
func Truncate(s string, n int) string {
	const marker = " ... (truncated)"
	if len(s) <= n {
		return s
	}
	cut := n - len(marker)
	if cut <= 0 { // no room for the marker
		cut = max(n, 0)
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		return s[:cut]
	}
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + marker
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
