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
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

// Watcher observes the objects that syncwave applied: one informer per kind,
// selected by the syncwave.dev/managed label and started the first time an
// operation needs that kind, so memory grows with the managed objects, not
// with the cluster. Every change of such an object wakes the operation named
// in its syncwave.dev/operation annotation.
type Watcher struct {
	cache cache.Cache
	ctrl  controller.Controller

	mu      sync.Mutex
	watched map[schema.GroupVersionKind]bool
}

// NewWatcher returns a Watcher that reads from c, a cache selected by the
// managed label.
func NewWatcher(c cache.Cache) *Watcher {
	return &Watcher{cache: c, watched: map[schema.GroupVersionKind]bool{}}
}

func (w *Watcher) setController(c controller.Controller) { w.ctrl = c }

// Ensure starts watching gvk if it is not watched yet.
func (w *Watcher) Ensure(gvk schema.GroupVersionKind) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.watched[gvk] || w.ctrl == nil {
		return nil
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	src := source.Kind[client.Object](w.cache, u, handler.EnqueueRequestsFromMapFunc(operationOf))
	if err := w.ctrl.Watch(src); err != nil {
		return fmt.Errorf("watch %s: %w", gvk, err)
	}
	w.watched[gvk] = true
	return nil
}

// operationOf maps a managed object to the operation that applied it.
func operationOf(_ context.Context, obj client.Object) []reconcile.Request {
	ref := obj.GetAnnotations()[syncv1alpha1.AnnotationOperation]
	ns, name, ok := strings.Cut(ref, "/")
	if !ok || ns == "" || name == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: ns, Name: name}}}
}

// Get returns the live object of a task from the cache, or nil.
func (w *Watcher) Get(ctx context.Context, _ *syncv1alpha1.SyncOperation, t *plan.Task, name string) (*unstructured.Unstructured, error) {
	gvk := t.Object.GroupVersionKind()
	if err := w.Ensure(gvk); err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	err := w.cache.Get(ctx, client.ObjectKey{Namespace: t.ID.Namespace, Name: name}, u)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}
