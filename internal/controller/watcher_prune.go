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
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// objectKey identifies a live object in the watcher.
type objectKey struct {
	gk        schema.GroupKind
	namespace string
	name      string
}

// pruner is the operation that waits for an object to be deleted.
type pruner struct {
	op  types.NamespacedName
	uid types.UID
}

// maxPruning bounds the objects the watcher tracks for prunes; past it, a
// prune step still advances on its own status writes and timeouts.
const maxPruning = 50000

func keyOf(obj client.Object) objectKey {
	gvk := obj.GetObjectKind().GroupVersionKind()
	return objectKey{gk: gvk.GroupKind(), namespace: obj.GetNamespace(), name: obj.GetName()}
}

// awaitDeletion makes the events of an object that op deletes wake op: the
// object's own annotation names the operation that applied it, not the one
// that prunes it. The entry lives until op needs nothing more (Release).
func (w *Watcher) awaitDeletion(op *syncv1alpha1.SyncOperation, gvk schema.GroupVersionKind, namespace, name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pruning == nil {
		w.pruning = map[objectKey]pruner{}
	}
	if len(w.pruning) >= maxPruning {
		return
	}
	w.pruning[objectKey{gk: gvk.GroupKind(), namespace: namespace, name: name}] = pruner{
		op: types.NamespacedName{Namespace: op.Namespace, Name: op.Name}, uid: op.UID}
}

// forgetPrunes drops the deletions operation uid waited for; w.mu is held.
func (w *Watcher) forgetPrunes(uid types.UID) {
	for k, p := range w.pruning {
		if p.uid == uid {
			delete(w.pruning, k)
		}
	}
}
