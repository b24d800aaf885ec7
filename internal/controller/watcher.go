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
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
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
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// Watcher observes the objects that syncwave applied: one informer per kind,
// selected by the syncwave.dev/managed label and started the first time an
// operation needs that kind, so memory grows with the managed objects, not
// with the cluster. Every change of such an object wakes the operation named
// in its syncwave.dev/operation annotation.
//
// Operations that impersonate a ServiceAccount read through informers of
// their own, made as that ServiceAccount and limited to the namespaces the
// operation writes to, so that they see only what the ServiceAccount may see.
type Watcher struct {
	main cache.Cache
	// Reader reads around the controller's cache while the informer of a
	// kind is still syncing.
	Reader client.Reader
	// NewCache builds a cache that reads as user in namespaces (nil: no
	// impersonation support).
	NewCache func(user string, namespaces []string) (cache.Cache, error)
	// Mapper names the CRD of each watched custom kind, so that the
	// informers of a CRD that is deleted are removed (nil: they stay).
	Mapper meta.RESTMapper

	mu   sync.Mutex
	ctx  context.Context
	ctrl controller.Controller
	// watched holds when each informer was asked for.
	watched map[watchKey]time.Time
	// crdOf names the CRD (<plural>.<group>) of watched custom kinds of the
	// controller's own cluster (watcher_crd.go).
	crdOf   map[watchKey]string
	tenants map[string]*tenant
	// events holds when the latest event of an operation's objects arrived.
	events map[types.NamespacedName]time.Time
	// pruning maps objects that an operation deletes to that operation
	// (their annotation names the operation that applied them).
	pruning map[objectKey]pruner
}

// tenant is an impersonated cache and the running operations that use it;
// it is stopped when the last one no longer needs it.
type tenant struct {
	cache  cache.Cache
	cancel context.CancelFunc
	users  map[types.UID]bool
}

// tenantReadTimeout bounds a read through an impersonated informer.
const tenantReadTimeout = 10 * time.Second

type watchKey struct {
	cache string
	gvk   schema.GroupVersionKind
}

// NewWatcher returns a Watcher that reads from c, a cache selected by the
// managed label.
func NewWatcher(c cache.Cache) *Watcher {
	return &Watcher{main: c, watched: map[watchKey]time.Time{}, crdOf: map[watchKey]string{}, tenants: map[string]*tenant{}, events: map[types.NamespacedName]time.Time{}}
}

// Start keeps the context that impersonating caches run under; it is a
// manager Runnable.
func (w *Watcher) Start(ctx context.Context) error {
	w.mu.Lock()
	w.ctx = ctx
	w.mu.Unlock()
	<-ctx.Done()
	return nil
}

func (w *Watcher) setController(c controller.Controller) { w.ctrl = c }

// Ensure starts watching gvk in the controller's own cache.
func (w *Watcher) Ensure(gvk schema.GroupVersionKind) error {
	return w.ensure("", w.main, gvk)
}

func (w *Watcher) ensure(key string, c cache.Cache, gvk schema.GroupVersionKind) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := watchKey{cache: key, gvk: gvk}
	if _, ok := w.watched[k]; ok || w.ctrl == nil {
		return nil
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	src := source.Kind[client.Object](c, u, handler.EnqueueRequestsFromMapFunc(w.operationOf))
	if err := w.ctrl.Watch(src); err != nil {
		return fmt.Errorf("watch %s: %w", gvk, err)
	}
	w.watched[k] = time.Now()
	w.noteCRD(k)
	return nil
}

// unsyncedGrace is how long an informer may take to sync: one that has
// not synced by then never will (its identity may get the kind but not
// list or watch it), and reads of its kind fail saying so.
var unsyncedGrace atomic.Int64

func init() { unsyncedGrace.Store(int64(30 * time.Second)) }

// unsynced returns an error when the informer of gvk in cache key has not
// synced within unsyncedGrace of being asked for.
func (w *Watcher) unsynced(key string, gvk schema.GroupVersionKind, user string) error {
	w.mu.Lock()
	since, ok := w.watched[watchKey{cache: key, gvk: gvk}]
	w.mu.Unlock()
	grace := time.Duration(unsyncedGrace.Load())
	if !ok || time.Since(since) < grace {
		return nil
	}
	if user == "" {
		user = "the controller"
	}
	return fmt.Errorf("the informer of %s has not synced in %s: %s may not list or watch it, so none of its changes would be seen (it needs get, list and watch on it)",
		gvk.GroupKind(), grace, user)
}

// operationOf maps a managed object to the operation that applied it, and
// notes when the event arrived (for syncwave_step_transition_seconds).
func (w *Watcher) operationOf(_ context.Context, obj client.Object) []reconcile.Request {
	ref := obj.GetAnnotations()[syncv1alpha1.AnnotationOperation]
	ns, name, ok := strings.Cut(ref, "/")
	if !ok || ns == "" || name == "" {
		return nil
	}
	key := types.NamespacedName{Namespace: ns, Name: name}
	reqs := []reconcile.Request{{NamespacedName: key}}
	w.mu.Lock()
	w.events[key] = time.Now()
	if p, ok := w.pruning[keyOf(obj)]; ok && p.op != key {
		w.events[p.op] = time.Now()
		reqs = append(reqs, reconcile.Request{NamespacedName: p.op})
	}
	w.mu.Unlock()
	return reqs
}

// EventAt returns, and forgets, when the latest event of an operation's
// objects arrived in the cache; zero when none arrived since the last call.
func (w *Watcher) EventAt(op types.NamespacedName) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := w.events[op]
	delete(w.events, op)
	return t
}

// Forget drops what the watcher noted of operation op's events, for an
// operation that needs no more transitions (settled, gone, another
// replica's).
func (w *Watcher) Forget(op types.NamespacedName) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.events, op)
}

// Release says that operation uid needs no impersonated cache any more;
// caches that no running operation uses are stopped.
func (w *Watcher) Release(uid types.UID) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.forgetPrunes(uid)
	w.leave(uid, "")
}

// Tenants returns how many impersonated caches run (for tests and metrics).
func (w *Watcher) Tenants() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.tenants)
}

// Get returns the live object of a task from the controller's cache, or nil.
func (w *Watcher) Get(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task, name string) (*unstructured.Unstructured, error) {
	return (&cacheObserver{w: w, c: w.main, direct: w.Reader}).Get(ctx, op, t, name)
}

// Cached returns a task's live object from the controller's cache (nil
// when it is absent); known is false while the cache cannot tell (its
// informer of the kind has not synced). Only managed objects are cached:
// an object that exists but was never applied by syncwave reads as
// absent, which the caller must tolerate (a create then fails with
// AlreadyExists).
func (w *Watcher) Cached(ctx context.Context, t *plan.Task) (live *unstructured.Unstructured, known bool) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(t.Object.GroupVersionKind())
	inf, err := w.main.GetInformer(ctx, u, cache.BlockUntilSynced(false))
	if err != nil || !inf.HasSynced() {
		return nil, false
	}
	err = w.main.Get(ctx, client.ObjectKey{Namespace: t.ID.Namespace, Name: t.ID.Name}, u)
	switch {
	case err == nil:
		return u, true
	case apierrors.IsNotFound(err):
		return nil, true
	}
	return nil, false
}

// Scope is what an operation reads its objects through: the cluster, the
// user it acts as and the namespaces it writes to.
type Scope struct {
	// Cluster is the key of a remote cluster; "" for the controller's own.
	Cluster string
	// User is the impersonated user; "" for the connection's own identity.
	User string
	// Namespaces limit an impersonated cache.
	Namespaces []string
	// NewCache builds the caches of a remote cluster; nil: the watcher's.
	NewCache func(user string, namespaces []string) (cache.Cache, error)
	// Unreachable tells why the cluster does not answer (nil: it does);
	// nil for the controller's own cluster.
	Unreachable func() error
	// Separate gives an operation of the controller's own identity on its
	// own cluster a cache limited to Namespaces too, instead of the shared
	// cache of every managed object (a replica of a sharded controller
	// then caches only the objects of the operations it drives).
	Separate bool
}

func (s Scope) key() string {
	ns := slices.Compact(slices.Sorted(slices.Values(s.Namespaces)))
	return s.Cluster + "|" + s.User + "|" + strings.Join(ns, ",")
}

// tenantSyncTimeout bounds the first sync of a tenant cache.
const tenantSyncTimeout = 30 * time.Second

// Observer returns the observer of an operation: the controller's cache, or
// for an impersonated user or a remote cluster a cache of its own, shared
// by the operations of the same scope. An operation that moves to another
// scope (a rotated kubeconfig) leaves the one it used.
func (w *Watcher) Observer(ctx context.Context, uid types.UID, s Scope, direct client.Reader) (operation.Observer, error) {
	if s.Cluster == "" && s.User == "" && !s.Separate {
		return w, nil
	}
	if s.Cluster != "" && s.User == "" {
		s.Namespaces = nil // one cache of the whole cluster, for all its operations
	}
	key := s.key()
	w.mu.Lock()
	w.leave(uid, key)
	t, ok := w.tenants[key]
	runCtx := w.ctx
	if ok {
		t.users[uid] = true
	}
	w.mu.Unlock()
	if !ok {
		newCache := s.NewCache
		if newCache == nil {
			newCache = w.NewCache
		}
		if newCache == nil || runCtx == nil {
			return nil, fmt.Errorf("impersonation is not available")
		}
		nc, err := newCache(s.User, s.Namespaces)
		if err != nil {
			return nil, fmt.Errorf("cache for %s: %w", who(s), err)
		}
		cctx, cancel := context.WithCancel(runCtx)
		go func() { _ = nc.Start(cctx) }()
		sctx, scancel := context.WithTimeout(ctx, tenantSyncTimeout)
		synced := nc.WaitForCacheSync(sctx)
		scancel()
		if !synced {
			cancel()
			return nil, fmt.Errorf("cache for %s did not sync", who(s))
		}
		w.mu.Lock()
		if existing, raced := w.tenants[key]; raced {
			cancel()
			t = existing
		} else {
			t = &tenant{cache: &boundCache{Cache: nc, life: cctx}, cancel: cancel, users: map[types.UID]bool{}}
			w.tenants[key] = t
		}
		t.users[uid] = true
		w.mu.Unlock()
	}
	return &cacheObserver{w: w, c: t.cache, key: key, user: s.User, unreachable: s.Unreachable, direct: direct}, nil
}

func who(s Scope) string {
	switch {
	case s.User != "":
		return s.User
	case s.Cluster != "":
		return "the remote cluster"
	}
	return "namespaces " + strings.Join(s.Namespaces, ", ")
}

// leave drops uid from the tenants of other keys than keep, stopping those
// left unused; w.mu is held.
func (w *Watcher) leave(uid types.UID, keep string) {
	for key, t := range w.tenants {
		if key == keep || !t.users[uid] {
			continue
		}
		delete(t.users, uid)
		if len(t.users) == 0 {
			w.stopTenant(key, t)
		}
	}
}

// stopTenant stops the cache of key; w.mu is held.
func (w *Watcher) stopTenant(key string, t *tenant) {
	t.cancel()
	delete(w.tenants, key)
	for k := range w.watched {
		if k.cache == key {
			delete(w.watched, k)
			delete(w.crdOf, k)
		}
	}
}
