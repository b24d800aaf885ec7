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
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// cacheObserver reads live objects from one cache.
type cacheObserver struct {
	w   *Watcher
	c   cache.Cache
	key string
	// user is the impersonated user, for messages.
	user string
	// unreachable, when set, tells why the cluster does not answer: the
	// cache then holds what was last seen, which must not be judged.
	unreachable func() error
	// direct reads the API server while the cache's informer of a kind
	// has not synced yet: the informer of a kind that a CRD of the same
	// operation has just defined waits about a second for the API server's
	// watch cache, and the step need not wait with it.
	direct client.Reader
}

func (o *cacheObserver) Get(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task, name string) (*unstructured.Unstructured, error) {
	gvk := t.Object.GroupVersionKind()
	if o.unreachable != nil {
		if err := o.unreachable(); err != nil {
			return nil, err
		}
	}
	if err := o.w.ensure(o.key, o.c, gvk); err != nil {
		return nil, err
	}
	if t.Prune {
		o.w.awaitDeletion(op, gvk, t.ID.Namespace, name)
	}
	if o.key != "" {
		// An impersonated informer that may not list the kind never syncs.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, tenantReadTimeout)
		defer cancel()
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	reader, direct := client.Reader(o.c), false
	if o.direct != nil {
		if inf, err := o.c.GetInformer(ctx, u, cache.BlockUntilSynced(false)); err == nil && !inf.HasSynced() {
			if err := o.w.unsynced(o.key, gvk, o.user); err != nil {
				return nil, err
			}
			reader, direct = o.direct, true
		}
	}
	err := reader.Get(ctx, client.ObjectKey{Namespace: t.ID.Namespace, Name: name}, u)
	if apierrors.IsNotFound(err) && direct {
		return nil, operation.ErrAbsent // the API server's word, not a cache's
	}
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		if o.user != "" {
			return nil, fmt.Errorf("read %s as %s (it needs get, list and watch on it): %w", gvk.Kind, o.user, err)
		}
		return nil, err
	}
	if direct {
		// Judged as read; the operation looks again, since no event will
		// come until the informer syncs.
		return u, operation.ErrUnwatched
	}
	return u, nil
}

// boundCache is a tenant's cache whose waits end with the tenant (life):
// the source of an informer that never syncs (its identity may not list the
// kind) would otherwise wait in GetInformer until the controller stops, one
// goroutine per tenant cache ever made. Once the tenant stopped,
// GetInformer returns the informer without waiting and WaitForCacheSync
// false, so the source gives up.
type boundCache struct {
	cache.Cache
	life context.Context
}

func (b *boundCache) GetInformer(ctx context.Context, obj client.Object, opts ...cache.InformerGetOption) (cache.Informer, error) {
	bound, stop := b.bind(ctx)
	defer stop()
	inf, err := b.Cache.GetInformer(bound, obj, opts...)
	if err != nil && ctx.Err() == nil && b.life.Err() != nil {
		return b.Cache.GetInformer(ctx, obj, cache.BlockUntilSynced(false))
	}
	return inf, err
}

func (b *boundCache) WaitForCacheSync(ctx context.Context) bool {
	bound, stop := b.bind(ctx)
	defer stop()
	return b.Cache.WaitForCacheSync(bound)
}

// bind returns ctx ended also by the tenant's end, and the function that
// releases it.
func (b *boundCache) bind(ctx context.Context) (context.Context, func()) {
	bound, cancel := context.WithCancel(ctx)
	unhook := context.AfterFunc(b.life, cancel)
	return bound, func() { unhook(); cancel() }
}
