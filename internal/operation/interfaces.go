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

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

// Applier writes the non-hook objects of a plan.
type Applier interface {
	// DryRun validates one task on the server without changing anything.
	DryRun(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task) error
	// Apply applies one task and returns the object as the API server
	// stored it.
	Apply(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task) (*unstructured.Unstructured, error)
	// EnsureNamespace creates a namespace if it does not exist.
	EnsureNamespace(ctx context.Context, op *syncv1alpha1.SyncOperation, name string) error
}

// Hooks creates and removes hook objects.
type Hooks interface {
	// Name is the live name of a hook task of op.
	Name(op *syncv1alpha1.SyncOperation, t *plan.Task) string
	// Owned reports whether op's hooks in namespace carry op's owner
	// reference, so that they go with the operation.
	Owned(op *syncv1alpha1.SyncOperation, namespace string) bool
	// Create creates the hook, or adopts the one op created before. It
	// returns waiting=true while an older object of the same name is being
	// deleted because of BeforeHookCreation.
	Create(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task, name string) (waiting bool, err error)
	// Release removes the hook finalizer and, when remove is true, deletes
	// the hook with background propagation. NotFound counts as done.
	Release(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task, name string, remove bool) error
	// List finds the live hooks of op by its UID label, in the given kinds
	// and namespaces: also those whose creation status never recorded.
	List(ctx context.Context, op *syncv1alpha1.SyncOperation, kinds []HookKind) ([]LiveHook, error)
}

// HookKind is one kind and namespace that hooks of a plan live in.
type HookKind struct {
	GVK       schema.GroupVersionKind
	Namespace string
}

// LiveHook is a hook object found on the cluster.
type LiveHook struct {
	GVK       schema.GroupVersionKind
	Namespace string
	Name      string
	// Phase is the phase the hook was created for (its hook-phase annotation).
	Phase syncv1alpha1.SyncPhase
	// Finalizer is true while the hook carries syncwave.dev/hook.
	Finalizer bool
}

// Observer reads live objects.
type Observer interface {
	// Get returns the live object of a task, or nil when it does not exist.
	// It may return the object with an error that wraps ErrUnwatched: the
	// object is judged, and the operation looks again after a while, since
	// no watch event will tell of its changes.
	Get(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task, name string) (*unstructured.Unstructured, error)
}

// ErrUnwatched says that an object was read from the API server because
// the informer of its kind has not synced (yet): its changes send no event.
var ErrUnwatched = errors.New("read directly: no watch event tells of its changes yet")

// ErrAbsent says, with a nil object, that the object was not found by a
// read of the API server itself (the informer of its kind has not synced
// yet), not by a cache that may lag behind a create.
var ErrAbsent = errors.New("read directly: it does not exist")

// IsRejected reports whether err says the API server rejected a write for
// good (invalid, forbidden, unknown kind), as opposed to a transient error
// worth a retry. Errors opt in by implementing Rejected() bool.
func IsRejected(err error) bool {
	var r interface{ Rejected() bool }
	return errors.As(err, &r) && r.Rejected()
}

// SharedWith returns the application that manages the live object a
// dry-run err is about ("" when err says nothing of the kind). Errors opt
// in by implementing SharedWith() string; one that is not also Rejected
// is a warning: the operation takes the object over.
func SharedWith(err error) string {
	var s interface{ SharedWith() string }
	if errors.As(err, &s) {
		return s.SharedWith()
	}
	return ""
}

// IsNotReady reports whether err says a write must wait, e.g. for a CRD of
// the same operation to be established. Errors opt in by implementing
// NotReady() bool.
func IsNotReady(err error) bool {
	var r interface{ NotReady() bool }
	return errors.As(err, &r) && r.NotReady()
}
