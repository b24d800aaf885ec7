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

	corev1 "k8s.io/api/core/v1"
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
	inv, holder, err := r.inventory(ctx, op)
	if err == nil && holder != nil && !sameCluster(holder, op) {
		inv, err = nil, r.otherCluster(op, holder, len(inv))
	}
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

// otherCluster decides what an operation of an application whose
// inventory (of n objects, left by holder) is on another cluster does with
// it. A Delete is refused, with nothing deleted: it would delete objects of
// those names on the wrong cluster, and then say the application is empty.
// A Sync moves the application: the objects on the other cluster are
// neither pruned nor carried over, and a Warning event says that they stay
// there.
func (r *SyncOperationReconciler) otherCluster(op, holder *syncv1alpha1.SyncOperation, n int) error {
	where := fmt.Sprintf("the inventory of application %s (%d object(s), left by SyncOperation %s/%s) is on %s", op.Spec.Application, n, holder.Namespace, holder.Name, clusterOf(holder))
	if op.Spec.IsDelete() {
		return invalid("%s; this teardown acts on %s: set spec.kubeConfig as %s does (nothing was deleted)", where, clusterOf(op), holder.Name)
	}
	if n > 0 {
		r.Recorder.Eventf(op, nil, corev1.EventTypeWarning, EventClusterChanged, "Prune",
			"%s; this operation acts on %s: those objects are not pruned, stay on that cluster and are no longer the application's", where, clusterOf(op))
	}
	return nil
}

// EventClusterChanged warns that an operation moves its application to
// another cluster, leaving the objects of its inventory where they are.
const EventClusterChanged = "ClusterChanged"

// sameCluster tells whether a and b act on the same cluster: the
// controller's own, or the one of the same kubeconfig Secret and key (an
// empty key is the default one). The Secret's content may change (a
// rotated credential); its name is the cluster's identity.
func sameCluster(a, b *syncv1alpha1.SyncOperation) bool {
	ka, kb := a.Spec.KubeConfig, b.Spec.KubeConfig
	if ka == nil || kb == nil {
		return ka == nil && kb == nil
	}
	x, y := ka.SecretRef, kb.SecretRef
	return x.Name == y.Name && (x.Key == y.Key || x.Key == "" || y.Key == "")
}

// clusterOf names the cluster op acts on, for messages.
func clusterOf(op *syncv1alpha1.SyncOperation) string {
	if op.Spec.KubeConfig == nil {
		return "the controller's own cluster (no spec.kubeConfig)"
	}
	return "the cluster of spec.kubeConfig (" + kubeconfigSecret(op) + ")"
}

// inventory returns the application's inventory: what the pinned plan of
// its operation that finished last (holder) leaves to it
// (operation.InventoryHolder; none after a teardown).
func (r *SyncOperationReconciler) inventory(ctx context.Context, op *syncv1alpha1.SyncOperation) (inv []plan.Entry, holder *syncv1alpha1.SyncOperation, err error) {
	peers, err := r.peers(ctx, op)
	if err != nil {
		return nil, nil, err
	}
	last := operation.InventoryHolder(peers, op)
	if last == nil {
		return nil, nil, nil
	}
	ref := last.Status.Snapshot
	pn := r.plans.get(last.UID, ref.Digest)
	if pn == nil {
		p, err := snapshot.Load(ctx, r.Local, last.Namespace, ref)
		if apierrors.IsNotFound(err) {
			return nil, last, invalid("the inventory of application %s is the pinned plan of SyncOperation %s/%s, which is gone: %v", op.Spec.Application, last.Namespace, last.Name, err)
		}
		if err != nil {
			return nil, last, fmt.Errorf("read the inventory of application %s: %w", op.Spec.Application, err)
		}
		pn = newPinned(p, ref.Digest)
	}
	return pn.layout.Inventory(&last.Status, func(t *plan.Task) string { return hook.Name(last, t) }), last, nil
}
