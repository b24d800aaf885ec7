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

package diff

import (
	"context"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/hook"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
	"github.com/syncwave/syncwave/internal/snapshot"
)

// PruneQuery describes the sync whose prune candidates are wanted.
type PruneQuery struct {
	// Application is the application's name (spec.application).
	Application string
	// Namespace is the namespace of the application's operations.
	Namespace string
	// Plan is the plan of the manifests: what it contains is never a
	// candidate.
	Plan *plan.Plan
}

// Pruner finds the live objects that a sync would prune: objects of the
// application that the manifests no longer contain. Candidates are
// returned sorted by ID.
type Pruner interface {
	Candidates(ctx context.Context, q PruneQuery) ([]*unstructured.Unstructured, error)
}

// InventoryPruner finds candidates as the controller does (SPEC §13): the
// entries of the application's inventory, what its operation in
// q.Namespace that finished last leaves to it (operation.InventoryHolder),
// that q.Plan does not contain, whose live object still carries the
// application's label and is not kept by Prune=false or being deleted.
// Objects that only carry the label, in no inventory, are never pruned,
// so they are not listed.
type InventoryPruner struct {
	// Client reads the operations and their pinned plans, and the live
	// objects when Target is nil.
	Client client.Client
	// Target, when set, reads the live objects: the cluster of the
	// holder's spec.kubeConfig (the caller connected to it). When it is
	// nil, an inventory left by an operation with spec.kubeConfig is an
	// error: the objects of those names on Client's cluster are not the
	// application's.
	Target client.Client

	holder *syncv1alpha1.SyncOperation // read once: see Holder
	read   bool
}

// Holder returns the operation of application in namespace that holds its
// inventory (operation.InventoryHolder), nil when there is none. It lists
// the operations once: the caller that picks Target from the holder and
// Candidates see the same one.
func (p *InventoryPruner) Holder(ctx context.Context, application, namespace string) (*syncv1alpha1.SyncOperation, error) {
	if p.read {
		return p.holder, nil
	}
	list := &syncv1alpha1.SyncOperationList{}
	if err := p.Client.List(ctx, list, client.InNamespace(namespace)); err != nil {
		return nil, fmt.Errorf("list the SyncOperations of application %s in namespace %s: %w", application, namespace, err)
	}
	peers := slices.DeleteFunc(list.Items, func(op syncv1alpha1.SyncOperation) bool { return op.Spec.Application != application })
	p.holder, p.read = operation.InventoryHolder(peers, nil), true
	return p.holder, nil
}

// Candidates implements Pruner.
func (p *InventoryPruner) Candidates(ctx context.Context, q PruneQuery) ([]*unstructured.Unstructured, error) {
	inv, err := p.inventory(ctx, q)
	if err != nil {
		return nil, err
	}
	live := p.Client
	if p.Target != nil {
		live = p.Target
	}
	plan.ResolveVersions(inv, live.RESTMapper())
	var out []*unstructured.Unstructured
	kept := applied(q.Plan) // what a Namespace or CRD holds that keeps it, as in the controller
	for _, e := range plan.PruneCandidates(q.Plan, inv) {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(schema.GroupVersionKind{Group: e.ID.Group, Version: e.Version, Kind: e.ID.Kind})
		err := live.Get(ctx, client.ObjectKey{Namespace: e.ID.Namespace, Name: e.ID.Name}, u)
		switch {
		case apierrors.IsNotFound(err), meta.IsNoMatchError(err):
			continue // nothing left to delete
		case err != nil:
			return nil, fmt.Errorf("read %s of the inventory of application %s: %w", e.ID, q.Application, err)
		}
		// The namespace of the operations is kept on their own cluster
		// only (as the controller does).
		home := p.Target == nil && syncv1alpha1.KeptAsHome(e.ID.Group, e.ID.Kind, e.ID.Name, q.Namespace) != ""
		if u.GetLabels()[syncv1alpha1.LabelApplication] == q.Application && prunable(u) && !home {
			out = append(out, u)
		} else {
			kept = append(kept, e.ID) // its namespace and CRD are kept too
		}
	}
	out = slices.DeleteFunc(out, func(u *unstructured.Unstructured) bool {
		holds := plan.Holds(&plan.Task{ID: objectID(u), Object: u})
		return holds != nil && slices.ContainsFunc(kept, holds)
	})
	slices.SortFunc(out, func(a, b *unstructured.Unstructured) int {
		return strings.Compare(objectID(a).String(), objectID(b).String())
	})
	return out, nil
}

// applied are the plain resources of p: a prune keeps the Namespace or
// the CustomResourceDefinition that holds one, since deleting it would
// delete them.
func applied(p *plan.Plan) []plan.ObjectID {
	var out []plan.ObjectID
	for i := range p.Steps {
		for _, t := range p.Steps[i].Tasks {
			if !t.IsHook() && !t.Prune {
				out = append(out, t.ID)
			}
		}
	}
	return out
}

// inventory reads the application's inventory: nil when it has no
// Succeeded operation yet, or its last one was a teardown.
func (p *InventoryPruner) inventory(ctx context.Context, q PruneQuery) ([]plan.Entry, error) {
	last, err := p.Holder(ctx, q.Application, q.Namespace)
	if last == nil || err != nil {
		return nil, err
	}
	if kc := last.Spec.KubeConfig; kc != nil && p.Target == nil {
		// Its objects are on that cluster; the ones of these names here are
		// not the application's.
		return nil, fmt.Errorf("application %s is on the cluster of spec.kubeConfig (Secret %s/%s) of SyncOperation %s/%s, not on this one: --application reads the objects of its inventory from this cluster only; diff that cluster with its kubeconfig (--kubeconfig) and without --application",
			q.Application, last.Namespace, kc.SecretRef.Name, last.Namespace, last.Name)
	}
	pinned, err := snapshot.Load(ctx, p.Client, last.Namespace, last.Status.Snapshot)
	if err != nil {
		return nil, fmt.Errorf("read the inventory of application %s, the pinned plan of SyncOperation %s/%s: %w", q.Application, last.Namespace, last.Name, err)
	}
	l := operation.NewLayout(pinned)
	return l.Inventory(&last.Status, func(t *plan.Task) string { return hook.Name(last, t) }), nil
}

// prunable tells whether a live object of the inventory would be pruned at
// all. A hook annotation on it does not matter, as for the controller: the
// inventory holds no hooks, and an object the new manifests make a hook is
// no candidate (plan.PruneCandidates); helm.sh/hook: crd-install marks a
// plain resource.
func prunable(u *unstructured.Unstructured) bool {
	if u.GetDeletionTimestamp() != nil {
		return false
	}
	return syncv1alpha1.KeptBy(u.GetAnnotations(), false) == ""
}

// objectID identifies a live object.
func objectID(u *unstructured.Unstructured) plan.ObjectID {
	gvk := u.GroupVersionKind()
	return plan.ObjectID{Group: gvk.Group, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName()}
}

// PruneChange is the change of a prune candidate: the live side only.
func PruneChange(u *unstructured.Unstructured) Change {
	return Change{ID: objectID(u), Version: u.GetAPIVersion(), Live: u}
}
