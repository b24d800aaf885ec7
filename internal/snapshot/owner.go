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

package snapshot

import (
	"context"
	"fmt"

	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// ForeignError says that an object of a snapshot's name exists and is no
// snapshot of the operation or of an earlier one of its name: someone
// else's. The operation cannot pin its plan, and so cannot start, until
// that object is renamed or deleted, or the operation is created under
// another name; waiting does not help.
type ForeignError struct {
	// Kind, Namespace and Name name the object.
	Kind, Namespace, Name string
}

func (e *ForeignError) Error() string {
	return fmt.Sprintf("%s %s/%s exists and is not this operation's: the operation pins its plan under that name; rename or delete that %s, or create the operation under another name",
		e.Kind, e.Namespace, e.Name, e.Kind)
}

// stale is a snapshot part that an earlier SyncOperation of the same name
// (deleted, since two cannot share a name) owns, which the garbage
// collector has not removed yet: an operation deleted and created again
// under its name.
type stale struct{ obj client.Object }

func (e *stale) Error() string {
	return fmt.Sprintf("%s is the pinned plan of an earlier SyncOperation of the same name", e.obj.GetName())
}

// owned reads an existing part and checks that it belongs to op: a
// *stale error when it is an earlier operation's of op's name, a
// *ForeignError when it is no operation's.
func owned(ctx context.Context, c client.Reader, op *syncv1alpha1.SyncOperation, kind, name string) (client.Object, error) {
	obj, err := get(ctx, c, op.Namespace, kind, name)
	if err != nil {
		return nil, err
	}
	if !ownedBy(obj, op) {
		if syncv1alpha1.OwnedByOperationNamed(obj.GetOwnerReferences(), op.Name) { // ownedBy failed: another UID
			return nil, &stale{obj: obj}
		}
		return nil, &ForeignError{Kind: kind, Namespace: op.Namespace, Name: name}
	}
	return obj, nil
}

func ownedBy(obj client.Object, op *syncv1alpha1.SyncOperation) bool {
	for _, o := range obj.GetOwnerReferences() {
		if o.UID == op.UID {
			return true
		}
	}
	return false
}

// replaceStale deletes the part old that an earlier operation of the same
// name left, without waiting for the garbage collector, and creates obj in
// its place.
func replaceStale(ctx context.Context, c client.Client, old, obj client.Object) error {
	if err := c.Delete(ctx, old, client.Preconditions{UID: ptr.To(old.GetUID())}); client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("delete %s/%s, the pinned plan of an earlier SyncOperation of the same name: %w", old.GetNamespace(), old.GetName(), err)
	}
	if err := c.Create(ctx, obj, client.FieldOwner(syncv1alpha1.FieldManager)); err != nil {
		return fmt.Errorf("create snapshot %s/%s: %w", obj.GetNamespace(), obj.GetName(), err)
	}
	return nil
}
