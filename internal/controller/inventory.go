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

package controller

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	ctrl "sigs.k8s.io/controller-runtime"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/hook"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
	"github.com/syncwave/syncwave/internal/snapshot"
)

// applicationPlan completes the plan of an operation that is about to
// start with what its application's inventory asks for: the prune steps
// (spec.prune), for a Delete operation the whole teardown, and otherwise
// the objects that the manifests no longer contain, kept (plan.Kept) so
// that they stay the application's and a later prune or teardown deletes
// them. The result is pinned with the plan, so a restart deletes exactly
// the same set.
func (r *SyncOperationReconciler) applicationPlan(ctx context.Context, op *syncv1alpha1.SyncOperation, p *plan.Plan, mapper meta.RESTMapper) (*plan.Plan, error) {
	switch {
	case op.Spec.Application == "" && op.Spec.IsDelete():
		return plan.Teardown(p, nil), nil
	case op.Spec.Application == "" || (op.Spec.DryRun && !op.Spec.Prune && !op.Spec.IsDelete()):
		return p, nil // a dry run is never an inventory
	}
	inv, err := r.inventory(ctx, op)
	if err != nil {
		if !op.Spec.Prune && !op.Spec.IsDelete() {
			// Without prune the inventory only carries over: an operation
			// does not fail for it.
			ctrl.LoggerFrom(ctx).Info("the objects the manifests no longer contain are not kept in the inventory", "reason", err.Error())
			return p, nil
		}
		return nil, err
	}
	plan.ResolveVersions(inv, mapper)
	if !op.Spec.IsDelete() {
		plan.MarkInventoried(p, inv)
	}
	switch {
	case op.Spec.IsDelete():
		return plan.Teardown(p, inv), nil
	case op.Spec.Prune:
		plan.AddPrune(p, plan.PruneCandidates(p, inv))
	default:
		p.Kept = plan.PruneCandidates(p, inv)
		// The inventory holds at most as many objects as an operation.
		if room := max(syncv1alpha1.MaxObjects-len(plan.Inventory(p, nil)), 0); len(p.Kept) > room {
			ctrl.LoggerFrom(ctx).Info("the application's inventory is full: objects that the manifests no longer contain are dropped from it (a later prune will not delete them)",
				"dropped", len(p.Kept)-room, "limit", syncv1alpha1.MaxObjects)
			p.Kept = p.Kept[:room]
		}
	}
	return p, nil
}

// inventory returns the application's inventory: what the pinned plan of
// its operation that finished last leaves to it (operation.InventoryHolder;
// empty after a teardown).
func (r *SyncOperationReconciler) inventory(ctx context.Context, op *syncv1alpha1.SyncOperation) ([]plan.Entry, error) {
	peers, err := r.peers(ctx, op)
	if err != nil {
		return nil, err
	}
	last := operation.InventoryHolder(peers, op)
	if last == nil {
		return nil, nil
	}
	ref := last.Status.Snapshot
	pn := r.plans.get(last.UID, ref.Digest)
	if pn == nil {
		p, err := snapshot.Load(ctx, r.Local, last.Namespace, ref)
		if apierrors.IsNotFound(err) {
			return nil, invalid("the inventory of application %s is the pinned plan of SyncOperation %s/%s, which is gone: %v", op.Spec.Application, last.Namespace, last.Name, err)
		}
		if err != nil {
			return nil, fmt.Errorf("read the inventory of application %s: %w", op.Spec.Application, err)
		}
		pn = newPinned(p, ref.Digest)
	}
	return pn.layout.Inventory(&last.Status, func(t *plan.Task) string { return hook.Name(last, t) }), nil
}
