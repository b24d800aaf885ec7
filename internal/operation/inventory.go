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
	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

// InventoryHolder returns the operation whose pinned plan is the
// application's inventory (Layout.Inventory): the real operation (not a
// dry run) that finished last, Succeeded, or Failed after it pinned a plan,
// since what a failed operation applied is its application's too. It is
// nil when the inventory is empty: no such operation, or the last one a
// Succeeded teardown or one that pinned nothing.
func InventoryHolder(peers []syncv1alpha1.SyncOperation, except *syncv1alpha1.SyncOperation) *syncv1alpha1.SyncOperation {
	last := lastFinished(peers, except, func(p *syncv1alpha1.SyncOperation) bool {
		return p.Status.Phase == syncv1alpha1.OperationSucceeded ||
			(p.Status.Phase == syncv1alpha1.OperationFailed && p.Status.Snapshot != nil)
	})
	if last == nil || last.Status.Snapshot == nil || (last.Spec.IsDelete() && last.Status.Phase == syncv1alpha1.OperationSucceeded) {
		return nil
	}
	return last
}

// Inventory is what the finished operation of layout l and status st
// leaves to its application (plan.Inventory). A Succeeded one leaves every
// plain resource (it applied them all) and the objects its own prune steps
// kept (PruneSkipped). A Failed one leaves what it wrote, what the
// inventory held before it (Task.Inventoried, and the objects its prune
// or teardown steps did not get to delete, or that are not gone yet): an
// object is never dropped from the application while it may still be
// live, so a later prune or teardown deletes it. hookName is Expand's.
func (l *Layout) Inventory(st *syncv1alpha1.SyncOperationStatus, hookName func(*plan.Task) string) []plan.Entry {
	full := l.Expand(st, hookName)
	succeeded := st.Phase == syncv1alpha1.OperationSucceeded
	held := map[plan.ObjectID]bool{}
	for i, t := range l.Tasks {
		if t.IsHook() || i >= len(full) {
			continue
		}
		e := &full[i]
		switch {
		case t.Prune:
			held[t.ID] = e.Status == syncv1alpha1.ResultPruneSkipped ||
				(!succeeded && (e.Status != syncv1alpha1.ResultPruned || e.FinishedAt == nil))
		default:
			held[t.ID] = succeeded || t.Inventoried || written(t, e)
		}
	}
	return plan.Inventory(l.Plan, func(t *plan.Task) bool { return held[t.ID] })
}
