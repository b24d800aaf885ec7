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

package apply

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// Pruner deletes objects of an application's inventory for prune steps.
type Pruner struct {
	// Client deletes (the caller may give an impersonating client).
	Client client.Client
	// Reader reads the live object first, uncached.
	Reader client.Reader
	// User is the impersonated user, for error messages ("" for the
	// controller itself).
	User string
	// Propagation is the deletion propagation policy; default Foreground.
	// The operation's sync option PrunePropagationPolicy wins.
	Propagation metav1.DeletionPropagation
}

// Prune implements operation.Pruner. It deletes the live object of t with
// its UID as a precondition, so that only the object it checked is
// deleted, and never deletes twice: an object already being deleted is
// only waited for.
func (p *Pruner) Prune(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task) (operation.PruneResult, error) {
	live, decided, err := p.inspect(ctx, op, t)
	if live == nil || err != nil {
		return decided, err
	}
	if live.GetDeletionTimestamp() != nil {
		return operation.PruneResult{Message: "being deleted"}, nil
	}
	policy := p.Propagation
	opts, _ := syncv1alpha1.ParseSyncOptions(op.Spec.SyncOptions)
	switch opts[syncv1alpha1.SyncOptionPrunePropagationPolicy] {
	case "foreground":
		policy = metav1.DeletePropagationForeground
	case "background":
		policy = metav1.DeletePropagationBackground
	case "orphan":
		policy = metav1.DeletePropagationOrphan
	}
	if policy == "" {
		policy = metav1.DeletePropagationForeground
	}
	uid := live.GetUID()
	err = p.Client.Delete(ctx, live, client.PropagationPolicy(policy), client.Preconditions{UID: &uid})
	switch {
	case apierrors.IsNotFound(err):
		return operation.PruneResult{Gone: true, Message: "already gone"}, nil
	case err != nil:
		return operation.PruneResult{}, p.classify("delete", t, err)
	}
	return operation.PruneResult{Message: fmt.Sprintf("deleting (%s propagation)", policy)}, nil
}

// PreviewPrune implements operation.PrunePreviewer: what Prune would
// decide, read from the live object, without deleting it.
func (p *Pruner) PreviewPrune(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task) (operation.PruneResult, error) {
	live, decided, err := p.inspect(ctx, op, t)
	if live == nil || err != nil {
		return decided, err
	}
	return operation.PruneResult{Message: "would be deleted"}, nil
}

// inspect reads the live object of t and decides whether it must be kept
// (or is gone): then live is nil and the result says why. Otherwise live
// is the object to delete.
func (p *Pruner) inspect(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task) (*unstructured.Unstructured, operation.PruneResult, error) {
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(t.Object.GroupVersionKind())
	err := p.Reader.Get(ctx, client.ObjectKey{Namespace: t.ID.Namespace, Name: t.ID.Name}, live)
	switch {
	case meta.IsNoMatchError(err):
		return nil, operation.PruneResult{Kept: true, Gone: true,
			Message: fmt.Sprintf("kind %s is not served any more (its CustomResourceDefinition was removed?): nothing to delete", t.ID.GroupKind())}, nil
	case apierrors.IsNotFound(err):
		return nil, operation.PruneResult{Gone: true, Message: "already gone"}, nil
	case err != nil:
		return nil, operation.PruneResult{}, p.classify("get", t, err)
	}
	if op.Spec.KubeConfig == nil {
		if why := syncv1alpha1.KeptAsHome(t.ID.Group, t.ID.Kind, t.ID.Name, op.Namespace); why != "" {
			return nil, operation.PruneResult{Kept: true, Message: "not deleted: " + why}, nil
		}
	}
	if got := live.GetLabels()[syncv1alpha1.LabelApplication]; got != op.Spec.Application {
		return nil, operation.PruneResult{Kept: true, Message: fmt.Sprintf("not deleted: the live object is labelled %s=%q, not %q", syncv1alpha1.LabelApplication, got, op.Spec.Application)}, nil
	}
	if why := syncv1alpha1.KeptBy(live.GetAnnotations(), op.Spec.IsDelete()); why != "" {
		return nil, operation.PruneResult{Kept: true, Message: "not deleted: " + why}, nil
	}
	return live, operation.PruneResult{}, nil
}

// classify names the object, the verb and, for a refused request, the
// impersonated ServiceAccount.
func (p *Pruner) classify(verb string, t *plan.Task, err error) error {
	obj := t.ID.String()
	if p.User != "" && (apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err)) {
		obj += " as " + p.User
	}
	c := classify("prune: "+verb, obj, err)
	var e *Error
	if errors.As(c, &e) && apierrors.IsConflict(err) {
		e.rejected = false // the UID precondition: the object was replaced meanwhile; look again
	}
	return c
}
