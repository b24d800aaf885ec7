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
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// crdMetadata is what CRDs are watched as: metadata only, whatever the
// size of their schemas (the informer CRDStatus reads too).
func crdMetadata() *metav1.PartialObjectMetadata {
	crd := &metav1.PartialObjectMetadata{}
	crd.SetGroupVersionKind(crdGVK)
	return crd
}

// crdDeletions drops the informers of each CRD that is deleted; it
// enqueues nothing.
func (w *Watcher) crdDeletions() handler.EventHandler {
	return handler.Funcs{DeleteFunc: func(ctx context.Context, e event.DeleteEvent, _ workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		w.DropCRD(ctx, e.Object.GetName())
	}}
}

// noteCRD remembers the CRD of a watched custom kind of the controller's
// own cluster; w.mu is held.
func (w *Watcher) noteCRD(k watchKey) {
	if !local(k.cache) || w.Mapper == nil || !strings.Contains(k.gvk.Group, ".") {
		return
	}
	if m, err := w.Mapper.RESTMapping(k.gvk.GroupKind(), k.gvk.Version); err == nil {
		w.crdOf[k] = m.Resource.Resource + "." + k.gvk.Group
	}
}

// local tells whether a cache key is of the controller's own cluster (a
// remote cluster's keys start with the cluster's).
func local(key string) bool { return key == "" || strings.HasPrefix(key, "|") }

// DropCRD removes the informers of the kinds that CRD name defined, on
// the controller's own cluster: once the CRD is deleted they would list,
// fail and log forever. An operation that needs the kind again watches it
// anew.
func (w *Watcher) DropCRD(ctx context.Context, name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for k, crd := range w.crdOf {
		if crd != name {
			continue
		}
		c := w.main
		if k.cache != "" {
			t, ok := w.tenants[k.cache]
			if !ok {
				continue
			}
			c = t.cache
		}
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(k.gvk)
		if err := c.RemoveInformer(ctx, u); err != nil {
			ctrl.LoggerFrom(ctx).Info("cannot remove the informer of a deleted CRD", "crd", name, "kind", k.gvk.String(), "error", err.Error())
			continue
		}
		delete(w.watched, k)
		delete(w.crdOf, k)
	}
}
