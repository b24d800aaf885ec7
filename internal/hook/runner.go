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

package hook

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/apply"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// AnnotationHookPhase records on a hook object the phase it was created
// for, so that a hook of several types is told apart per phase.
const AnnotationHookPhase = "syncwave.dev/hook-phase"

// AnnotationHookAttempt records the retry of its step a hook was created
// for (spec.retry), so that a retried step does not adopt the hook of the
// attempt that failed.
const AnnotationHookAttempt = "syncwave.dev/hook-attempt"

// Runner creates and removes hooks.
type Runner struct {
	// Client makes the writes.
	Client client.Client
	// Reader reads without a cache, to see deletions at once.
	Reader client.Reader
	// Remote says that hooks go to another cluster than the operation's:
	// they get no owner reference (that cluster's garbage collector would
	// delete them at once, not finding the owner).
	Remote bool
}

// Name returns the live name of a hook task.
func (r *Runner) Name(op *syncv1alpha1.SyncOperation, t *plan.Task) string { return Name(op, t) }

// Owned reports whether a hook of op in namespace carries op's owner
// reference: only in op's own namespace on op's own cluster.
func (r *Runner) Owned(op *syncv1alpha1.SyncOperation, namespace string) bool {
	return namespace == op.Namespace && !r.Remote
}

// Error is a hook that cannot be created.
type Error struct{ msg string }

// Error implements error.
func (e *Error) Error() string { return e.msg }

// Rejected marks the error as final.
func (e *Error) Rejected() bool { return true }

// Create creates the hook, adopts the one op created before, or deletes
// an older object of the same name first (and reports waiting until it is
// gone): an earlier attempt of this hook by op (a retry), or, under
// BeforeHookCreation, any object.
func (r *Runner) Create(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task, name string) (bool, error) {
	u := r.build(op, t, name)
	err := r.Client.Create(ctx, u, client.FieldOwner(syncv1alpha1.FieldManager))
	if err == nil {
		return false, nil
	}
	if !apierrors.IsAlreadyExists(err) {
		if apierrors.IsInvalid(err) || apierrors.IsForbidden(err) || apierrors.IsBadRequest(err) || apierrors.IsNotFound(err) {
			return false, &Error{msg: fmt.Sprintf("create %s: %v", id(t, name), err)}
		}
		return false, err
	}
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(u.GroupVersionKind())
	if err := r.Reader.Get(ctx, client.ObjectKeyFromObject(u), live); err != nil {
		if apierrors.IsNotFound(err) {
			return true, nil // deleted in between: create on the next try
		}
		return false, err
	}
	thisHook := string(op.UID) == live.GetLabels()[syncv1alpha1.LabelOperationUID] &&
		live.GetAnnotations()[AnnotationHookPhase] == string(t.Phase)
	if thisHook && live.GetAnnotations()[AnnotationHookAttempt] == attempt(op, t) {
		return false, nil // ours: created before a restart
	}
	// An earlier attempt of this same hook (a retry runs the step's hooks
	// again) is replaced as BeforeHookCreation replaces any object; an
	// object of someone else is only replaced under that policy.
	replace := thisHook || t.Hook.HasPolicy(syncv1alpha1.HookDeletePolicyBeforeHookCreation)
	if live.GetDeletionTimestamp() != nil {
		if !replace {
			return true, nil // someone else deletes it: wait, and leave its finalizers alone
		}
		return true, r.dropFinalizer(ctx, live)
	}
	if !replace {
		return false, &Error{msg: fmt.Sprintf("hook %s already exists; add BeforeHookCreation to its %s annotation to replace it",
			id(t, name), syncv1alpha1.AnnotationHookDeletePolicy)}
	}
	if err := r.remove(ctx, live); err != nil {
		return false, err
	}
	// A Job deleted in the background is usually gone at once: try again now.
	if err := r.Client.Create(ctx, r.build(op, t, name), client.FieldOwner(syncv1alpha1.FieldManager)); err != nil {
		if apierrors.IsAlreadyExists(err) {
			return true, nil
		}
		return false, err
	}
	return false, nil
}

func (r *Runner) build(op *syncv1alpha1.SyncOperation, t *plan.Task, name string) *unstructured.Unstructured {
	u := apply.Prepare(op, t)
	u.SetName(name)
	u.SetGenerateName("")
	lbl := u.GetLabels()
	lbl[syncv1alpha1.LabelOperationUID] = string(op.UID)
	u.SetLabels(lbl)
	ann := u.GetAnnotations()
	ann[AnnotationHookPhase] = string(t.Phase)
	if n := attempt(op, t); n != "" {
		ann[AnnotationHookAttempt] = n
	}
	u.SetAnnotations(ann)
	if !slices.Contains(u.GetFinalizers(), syncv1alpha1.HookFinalizer) {
		u.SetFinalizers(append(u.GetFinalizers(), syncv1alpha1.HookFinalizer))
	}
	if r.Owned(op, u.GetNamespace()) {
		u.SetOwnerReferences(append(u.GetOwnerReferences(), metav1.OwnerReference{
			APIVersion: syncv1alpha1.GroupVersion.String(), Kind: "SyncOperation",
			Name: op.Name, UID: op.UID, Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(false),
		}))
	}
	return u
}

// Release removes the hook finalizer and, when remove is set, deletes the
// hook with background propagation (so a Job's pods go too).
func (r *Runner) Release(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task, name string, remove bool) error {
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(t.Object.GroupVersionKind())
	if err := r.Reader.Get(ctx, client.ObjectKey{Namespace: t.ID.Namespace, Name: name}, live); err != nil {
		return client.IgnoreNotFound(err)
	}
	if live.GetLabels()[syncv1alpha1.LabelOperationUID] != string(op.UID) {
		return nil // replaced by another operation's hook: not ours to touch
	}
	if remove {
		return r.remove(ctx, live)
	}
	return r.dropFinalizer(ctx, live)
}

func (r *Runner) dropFinalizer(ctx context.Context, live *unstructured.Unstructured) error {
	if !slices.Contains(live.GetFinalizers(), syncv1alpha1.HookFinalizer) {
		return nil
	}
	patch := client.MergeFromWithOptions(live.DeepCopy(), client.MergeFromWithOptimisticLock{})
	live.SetFinalizers(slices.DeleteFunc(live.GetFinalizers(), func(f string) bool { return f == syncv1alpha1.HookFinalizer }))
	return client.IgnoreNotFound(r.Client.Patch(ctx, live, patch))
}

func (r *Runner) remove(ctx context.Context, live *unstructured.Unstructured) error {
	if err := r.dropFinalizer(ctx, live); err != nil {
		return err
	}
	err := r.Client.Delete(ctx, live, client.PropagationPolicy(metav1.DeletePropagationBackground),
		client.Preconditions{UID: ptr.To(live.GetUID())})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}

func id(t *plan.Task, name string) string {
	i := t.ID
	i.Name = name
	return i.String()
}

// List finds the live hooks of op by its UID label in each kind and
// namespace, uncached, so that a hook whose creation was never recorded in
// status is still found.
func (r *Runner) List(ctx context.Context, op *syncv1alpha1.SyncOperation, kinds []operation.HookKind) ([]operation.LiveHook, error) {
	var out []operation.LiveHook
	for _, k := range kinds {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(k.GVK.GroupVersion().WithKind(k.GVK.Kind + "List"))
		err := r.Reader.List(ctx, list, client.InNamespace(k.Namespace),
			client.MatchingLabels{syncv1alpha1.LabelOperationUID: string(op.UID)})
		if meta.IsNoMatchError(err) || apierrors.IsNotFound(err) {
			continue // the kind is not served (any more): no hooks of it
		}
		if err != nil {
			return nil, fmt.Errorf("list %s in %q: %w", k.GVK.Kind, k.Namespace, err)
		}
		for i := range list.Items {
			it := &list.Items[i]
			out = append(out, operation.LiveHook{GVK: k.GVK, Namespace: it.GetNamespace(), Name: it.GetName(),
				Phase:     syncv1alpha1.SyncPhase(it.GetAnnotations()[AnnotationHookPhase]),
				Finalizer: slices.Contains(it.GetFinalizers(), syncv1alpha1.HookFinalizer)})
		}
	}
	return out, nil
}

func attempt(op *syncv1alpha1.SyncOperation, t *plan.Task) string {
	if n := Attempt(op, t); n > 0 {
		return strconv.Itoa(int(n))
	}
	return ""
}
