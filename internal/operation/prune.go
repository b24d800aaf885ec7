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
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/plan"
)

// EventPruned is the event of a prune step's deletions.
const EventPruned = "Pruned"

// Pruner deletes the live objects of prune tasks.
type Pruner interface {
	// Prune deletes the live object of t unless it must be kept. It reads
	// the live object first: one that is gone, or of a kind no longer
	// served, needs no deletion; one that is not labelled with the
	// operation's application, or that has the sync option Prune=false, is
	// kept. A refused deletion is an error for which IsRejected is true.
	Prune(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task) (PruneResult, error)
}

// PrunePreviewer is a Pruner that also tells, for a dry-run operation,
// what Prune would do, reading the live object and deleting nothing.
type PrunePreviewer interface {
	PreviewPrune(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task) (PruneResult, error)
}

// PruneResult is what Prune did with one object.
type PruneResult struct {
	// Kept is true when the object stays (PruneSkipped); Message says why.
	Kept bool
	// Gone is true when nothing is left to wait for.
	Gone    bool
	Message string
}

// PruneRun is one prune result, for syncwave_prune_total.
type PruneRun struct {
	// Result is Pruned, PruneSkipped or Failed.
	Result string
}

// IsPruneStep reports whether step i deletes objects instead of applying them.
func (l *Layout) IsPruneStep(i int) bool { return l.Step(i).Phase.Deletes() }

// pruneStep deletes the objects of the pending tasks of prune step i, in
// parallel. A deletion the API server refuses fails the task (and so the
// step); a transient error is returned for a retry, with what succeeded
// already recorded.
func (e *Executor) pruneStep(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, i int, out *Outcome) error {
	if e.Pruner == nil {
		return fmt.Errorf("SyncOperation %s/%s has prune steps but the controller has no pruner", op.Namespace, op.Name)
	}
	st := &op.Status
	start, end := l.Range(i)
	var idx []int
	for j := start; j < end; j++ {
		if st.Resources[j].Status == syncv1alpha1.ResultPending {
			idx = append(idx, j)
		}
	}
	if len(idx) == 0 {
		return nil
	}
	type result struct {
		res PruneResult
		err error
	}
	res := make([]result, len(idx))
	out.markWrite(e.Clock.Now())
	state := statusState(st)
	e.parallel(len(idx), func(k int) {
		if why := keptHolder(op, l, l.Tasks[idx[k]], state); why != "" {
			res[k] = result{res: PruneResult{Kept: true, Message: Truncate("not deleted: "+why, MaxMessage)}}
			return
		}
		r, err := e.Pruner.Prune(ctx, op, l.Tasks[idx[k]])
		res[k] = result{r, err}
	})
	now := metav1.NewMicroTime(e.Clock.Now())
	var pruned, kept []string
	var transient error
	for k, j := range idx {
		t, r := l.Tasks[j], &st.Resources[j]
		switch err := res[k].err; {
		case err == nil && res[k].res.Kept:
			r.Status, r.Message, r.StartedAt, r.FinishedAt = syncv1alpha1.ResultPruneSkipped, res[k].res.Message, &now, &now
			kept = append(kept, t.ID.String())
			out.Prunes = append(out.Prunes, PruneRun{Result: string(syncv1alpha1.ResultPruneSkipped)})
		case err == nil:
			r.Status, r.Message, r.StartedAt = syncv1alpha1.ResultPruned, res[k].res.Message, &now
			r.Health = health.Progressing
			if res[k].res.Gone {
				r.Health, r.FinishedAt = health.Missing, &now
			}
			pruned = append(pruned, t.ID.String())
			out.Prunes = append(out.Prunes, PruneRun{Result: string(syncv1alpha1.ResultPruned)})
		case IsRejected(err):
			r.Status, r.Message, r.FinishedAt = syncv1alpha1.ResultSyncFailed, err.Error(), &now
			out.Prunes = append(out.Prunes, PruneRun{Result: "Failed"})
		default:
			r.Message = Truncate("not deleted yet, tried again: "+err.Error(), MaxMessage)
			if transient == nil {
				transient = fmt.Errorf("prune %s: %w", t.ID, err)
			}
		}
	}
	if len(pruned) > 0 || len(kept) > 0 {
		out.stepEvent(EventPruned, l.Step(i), pruneMessage(l.Step(i), pruned, kept))
	}
	return transient
}

// keptHolder says why the prune of t, a Namespace or a
// CustomResourceDefinition, must keep it: deleting a namespace deletes
// everything in it, and deleting a CRD deletes every resource of its kind,
// and an object of the operation is such a one that the operation applies
// or keeps (Prune=false, Delete=false, another application's). state
// tells of task j whether the operation keeps it (why, or "") and whether
// it applies it. Namespaces and CRDs are pruned in the last prune step, so
// every other prune of the operation is decided by then. "" when t may go,
// and for the Namespace that holds op itself, which the Pruner keeps with
// a reason of its own (KeptAsHome).
func keptHolder(op *syncv1alpha1.SyncOperation, l *Layout, t *plan.Task, state func(j int) (kept string, applied bool)) string {
	holds := plan.Holds(t)
	if holds == nil {
		return ""
	}
	if op.Spec.KubeConfig == nil && syncv1alpha1.KeptAsHome(t.ID.Group, t.ID.Kind, t.ID.Name, op.Namespace) != "" {
		return ""
	}
	verb, what := "holds", "deleting a namespace deletes what is in it"
	if t.ID.Kind == "CustomResourceDefinition" {
		verb, what = "defines the kind of", "deleting a CustomResourceDefinition deletes every resource of its kind"
	}
	for j, o := range l.Tasks {
		if !holds(o.ID) || o.IsHook() {
			continue
		}
		switch kept, applied := state(j); {
		case kept != "":
			return fmt.Sprintf("it %s %s, which this operation keeps (%s), and %s; delete them by hand if they must go",
				verb, o.ID, Truncate(strings.TrimPrefix(kept, "not deleted: "), 200), what)
		case applied && !o.Prune:
			return fmt.Sprintf("it %s %s, which this operation applied, and %s; the application no longer manages the %s itself",
				verb, o.ID, what, strings.ToLower(t.ID.Kind))
		}
	}
	return ""
}

// statusState is keptHolder's state from a running operation's status.
func statusState(st *syncv1alpha1.SyncOperationStatus) func(j int) (string, bool) {
	return func(j int) (string, bool) {
		if j >= len(st.Resources) {
			return "", false
		}
		r := st.Resources[j]
		if r.Status == syncv1alpha1.ResultPruneSkipped {
			return r.Message, false
		}
		return "", r.Status == syncv1alpha1.ResultSynced
	}
}

// pruneMessage names, bounded, what a prune step deleted and kept.
func pruneMessage(s *plan.Step, pruned, kept []string) string {
	list := func(ids []string) string {
		const shown = 10
		txt := strings.Join(ids[:min(shown, len(ids))], ", ")
		if len(ids) > shown {
			txt += fmt.Sprintf(" and %d more", len(ids)-shown)
		}
		return txt
	}
	msg := fmt.Sprintf("step %s", s)
	if len(pruned) > 0 {
		msg += fmt.Sprintf(": deleting %d object(s): %s", len(pruned), list(pruned))
	}
	if len(kept) > 0 {
		msg += fmt.Sprintf("; kept %d (PruneSkipped): %s", len(kept), list(kept))
	}
	return Truncate(msg, MaxMessage)
}

// pruneFinished reports whether a prune task needs nothing more: kept, or
// its object observed gone.
func pruneFinished(r *syncv1alpha1.ResourceStatus) bool {
	return r.Status == syncv1alpha1.ResultPruneSkipped || (r.Status == syncv1alpha1.ResultPruned && r.FinishedAt != nil)
}

// evaluatePrune judges one prune task of the current step: done when kept
// or when its object is observed gone, failed when the deletion was
// refused, else waiting for the deletion to finish.
func evaluatePrune(v *verdict, in Input, i int, t *plan.Task, r syncv1alpha1.ResourceStatus) {
	switch {
	case r.Status == syncv1alpha1.ResultSyncFailed:
		v.fail(syncv1alpha1.ReasonApplyFailed, fmt.Sprintf("prune of %s failed: %s", t.ID, r.Message))
		return
	case pruneFinished(&r):
		v.done++
		return
	}
	o, seen := in.Observed[i]
	if seen && !o.Exists {
		mt := metav1.NewMicroTime(in.Now)
		r.Health, r.Message, r.FinishedAt = health.Missing, "deleted", &mt
		v.resources[i] = r
		v.done++
		return
	}
	r.Health, r.Message = health.Progressing, "waiting for the deletion to finish"
	if seen && o.Health.Message != "" {
		r.Message = o.Health.Message
	}
	v.resources[i] = r
	v.pending++
	v.block(r, "")
}

// observePrune reads the live object of a prune task whose deletion was
// requested. An object created after the deletion was requested is a new
// one: the pruned object is gone.
func (e *Executor) observePrune(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task, r *syncv1alpha1.ResourceStatus) (Observation, bool) {
	u, err := e.Observer.Get(ctx, op, t, t.ID.Name)
	if u == nil && errors.Is(err, ErrAbsent) {
		return Observation{}, false // gone
	}
	unwatched := u != nil && errors.Is(err, ErrUnwatched)
	if err != nil && !unwatched {
		msg := fmt.Sprintf("cannot observe %s: %v", t.ID, err)
		return Observation{Exists: true, Health: health.Result{Status: health.Unknown, Message: msg}}, true
	}
	if u == nil || recreated(u, r) {
		return Observation{}, false
	}
	return Observation{Exists: true, Health: health.Result{Status: health.Progressing, Message: deletionMessage(u)}}, unwatched
}

func recreated(u *unstructured.Unstructured, r *syncv1alpha1.ResourceStatus) bool {
	if r.StartedAt == nil || u.GetDeletionTimestamp() != nil {
		return false
	}
	created := u.GetCreationTimestamp()
	return created.Time.Truncate(1e9).After(r.StartedAt.Time)
}

func deletionMessage(u *unstructured.Unstructured) string {
	if u.GetDeletionTimestamp() == nil {
		return "waiting for the deletion to be observed"
	}
	if f := u.GetFinalizers(); len(f) > 0 {
		return "being deleted; waiting for finalizers " + strings.Join(f, ", ")
	}
	return "being deleted"
}
