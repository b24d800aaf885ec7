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
	"github.com/syncwave/syncwave/internal/plan"
)

// MaxChangedFields bounds the field paths recorded per object.
const MaxChangedFields = 20

// Previewer tells what a sync would do to one object, from a server-side
// dry-run against the live object (spec.dryRun).
type Previewer interface {
	Preview(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task) (syncv1alpha1.Change, []string, error)
}

// preview ends a dry-run operation once its plan passed validation: each
// object gets the change a sync would make (hooks would be created, prune
// tasks would delete), and nothing is written.
func (e *Executor) preview(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, out *Outcome) error {
	st := &op.Status
	n := l.SkippedFrom()
	errs := make([]error, n)
	kept := make([]bool, n) // prune tasks whose object stays (not the ones gone)
	e.parallelN(n, dryRunFactor*e.width(), func(i int) {
		t, r := l.Tasks[i], &st.Resources[i]
		switch {
		case t.IsHook():
			r.Change = syncv1alpha1.ChangeCreate
		case t.Prune:
			r.Change, r.Message, kept[i], errs[i] = e.previewPrune(ctx, op, t)
		case e.Previewer == nil:
			errs[i] = fmt.Errorf("preview %s: no previewer", t.ID)
		default:
			r.Change, r.ChangedFields, errs[i] = e.Previewer.Preview(ctx, op, t)
		}
	})
	// A Namespace or CRD that holds what the sync applies or keeps is kept, as
	// pruneStep keeps it.
	state := func(j int) (string, bool) {
		if j >= n {
			return "", false
		}
		if kept[j] {
			return st.Resources[j].Message, false
		}
		return "", errs[j] == nil && !l.Tasks[j].Prune
	}
	for i := range n {
		if r := &st.Resources[i]; l.Tasks[i].Prune && r.Change == syncv1alpha1.ChangeDelete && errs[i] == nil {
			if why := keptHolder(op, l, l.Tasks[i], state); why != "" {
				r.Change, r.Message = syncv1alpha1.ChangeUnchanged, Truncate("not deleted: "+why, MaxMessage)
			}
		}
	}
	var rejected []string
	count := map[syncv1alpha1.Change]int{}
	for i, err := range errs {
		switch {
		case err == nil:
			count[st.Resources[i].Change]++
		case IsRejected(err):
			st.Resources[i].Status, st.Resources[i].Message = syncv1alpha1.ResultSyncFailed, err.Error()
			rejected = append(rejected, err.Error())
		default:
			return fmt.Errorf("dry run of %s: %w", l.Tasks[i].ID, err)
		}
	}
	now := metav1.NewTime(e.Clock.Now())
	st.StartedAt = &now
	if len(rejected) > 0 {
		e.finish(op, l, out, syncv1alpha1.OperationFailed, syncv1alpha1.ReasonApplyFailed, rejectedMessage(rejected))
		return nil
	}
	e.finish(op, l, out, syncv1alpha1.OperationSucceeded, syncv1alpha1.ReasonSucceeded, fmt.Sprintf(
		"dry run: %d to create, %d to update, %d unchanged, %d to delete; nothing was changed",
		count[syncv1alpha1.ChangeCreate], count[syncv1alpha1.ChangeUpdate], count[syncv1alpha1.ChangeUnchanged], count[syncv1alpha1.ChangeDelete]))
	return nil
}

// previewPrune tells what the prune of t would do: Delete, or Unchanged
// when the live object is gone or would be kept (the message says why);
// kept is true when it stays.
func (e *Executor) previewPrune(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task) (change syncv1alpha1.Change, msg string, kept bool, err error) {
	pp, ok := e.Pruner.(PrunePreviewer)
	if !ok {
		return syncv1alpha1.ChangeDelete, "", false, nil
	}
	res, err := pp.PreviewPrune(ctx, op, t)
	switch {
	case err != nil:
		return "", "", false, err
	case res.Kept || res.Gone:
		return syncv1alpha1.ChangeUnchanged, Truncate(res.Message, MaxMessage), res.Kept && !res.Gone, nil
	}
	return syncv1alpha1.ChangeDelete, "", false, nil
}
