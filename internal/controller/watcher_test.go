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
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache/informertest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// stoppable is a cache that records when its context ends.
type stoppable struct {
	*informertest.FakeInformers
	stopped chan struct{}
}

func (s *stoppable) Start(ctx context.Context) error {
	<-ctx.Done()
	close(s.stopped)
	return nil
}

// TestTenantCachesStopWhenUnused: an impersonated cache is shared by the
// running operations of one ServiceAccount and namespaces, and stopped
// when the last of them releases it.
func TestTenantCachesStopWhenUnused(t *testing.T) {
	g := NewWithT(t)
	var made []*stoppable
	w := NewWatcher(&informertest.FakeInformers{})
	w.NewCache = func(string, []string) (cache.Cache, error) {
		s := &stoppable{FakeInformers: &informertest.FakeInformers{Synced: ptrTrue()}, stopped: make(chan struct{})}
		made = append(made, s)
		return s, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = w.Start(ctx) }()
	g.Eventually(func() bool { w.mu.Lock(); defer w.mu.Unlock(); return w.ctx != nil }, time.Second, time.Millisecond).Should(BeTrue())

	user := "system:serviceaccount:team:deployer"
	_, err := w.Observer(ctx, "op-1", Scope{User: user, Namespaces: []string{"b", "a"}}, nil)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = w.Observer(ctx, "op-2", Scope{User: user, Namespaces: []string{"a", "b", "a"}}, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(made).To(HaveLen(1), "one cache per user and set of namespaces")
	g.Expect(w.Tenants()).To(Equal(1))

	w.Release("op-1")
	g.Consistently(made[0].stopped, 100*time.Millisecond).ShouldNot(BeClosed(), "op-2 still uses it")
	w.Release("op-2")
	g.Eventually(made[0].stopped, time.Second).Should(BeClosed())
	g.Expect(w.Tenants()).To(BeZero())

	_, err = w.Observer(ctx, "op-3", Scope{User: user, Namespaces: []string{"a", "b"}}, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(made).To(HaveLen(2), "a new cache after the old one stopped")
}

func ptrTrue() *bool { b := true; return &b }

// removals is a cache that records the kinds whose informers are removed.
type removals struct {
	*informertest.FakeInformers
	removed []schema.GroupVersionKind
}

func (r *removals) RemoveInformer(_ context.Context, obj client.Object) error {
	r.removed = append(r.removed, obj.GetObjectKind().GroupVersionKind())
	return nil
}

// TestDroppedCRDRemovesItsInformers: when a CRD is deleted, the informers
// of its kinds on the controller's cluster are removed (they would list
// and fail forever), and the kind is watched anew when needed; other CRDs'
// informers and remote clusters' stay.
func TestDroppedCRDRemovesItsInformers(t *testing.T) {
	g := NewWithT(t)
	widget := schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Widget"}
	gadget := schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Gadget"}
	mapper := meta.NewDefaultRESTMapper(nil)
	mapper.Add(widget, meta.RESTScopeNamespace)
	mapper.Add(gadget, meta.RESTScopeNamespace)
	main := &removals{FakeInformers: &informertest.FakeInformers{}}
	w := NewWatcher(main)
	w.Mapper = mapper
	w.mu.Lock()
	for _, k := range []watchKey{{gvk: widget}, {gvk: gadget}, {cache: "remote-1||", gvk: widget}} {
		w.watched[k] = time.Now()
		w.noteCRD(k)
	}
	w.mu.Unlock()

	w.DropCRD(context.Background(), "widgets.example.com")
	g.Expect(main.removed).To(Equal([]schema.GroupVersionKind{widget}))
	w.mu.Lock()
	defer w.mu.Unlock()
	g.Expect(w.watched).NotTo(HaveKey(watchKey{gvk: widget}), "watched anew when an operation needs it")
	g.Expect(w.watched).To(HaveKey(watchKey{gvk: gadget}))
	g.Expect(w.watched).To(HaveKey(watchKey{cache: "remote-1||", gvk: widget}), "another cluster's CRD is not this one")
}

// neverSyncs is a cache whose informers never sync: GetInformer waits
// for its context unless told not to block, as a real cache does for an
// identity that may not list the kind.
type neverSyncs struct{ *informertest.FakeInformers }

func (n *neverSyncs) GetInformer(ctx context.Context, obj client.Object, opts ...cache.InformerGetOption) (cache.Informer, error) {
	o := &cache.InformerGetOptions{}
	for _, opt := range opts {
		opt(o)
	}
	if o.BlockUntilSynced == nil || *o.BlockUntilSynced {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return n.FakeInformers.GetInformer(ctx, obj, opts...)
}

func (n *neverSyncs) WaitForCacheSync(ctx context.Context) bool {
	<-ctx.Done()
	return false
}

// TestATenantsWaitsEndWithIt: the source of an informer that never syncs
// waits in GetInformer; when its tenant cache is stopped, the wait ends
// (with the informer, not blocking) and WaitForCacheSync says false, so
// the source's goroutine ends instead of waiting until the controller
// stops.
func TestATenantsWaitsEndWithIt(t *testing.T) {
	g := NewWithT(t)
	life, stop := context.WithCancel(context.Background())
	b := &boundCache{Cache: &neverSyncs{FakeInformers: &informertest.FakeInformers{}}, life: life}
	got := make(chan error, 1)
	synced := make(chan bool, 1)
	go func() {
		_, err := b.GetInformer(context.Background(), &corev1.ConfigMap{})
		got <- err
		synced <- b.WaitForCacheSync(context.Background())
	}()
	g.Consistently(got, 100*time.Millisecond).ShouldNot(Receive(), "waits while the tenant runs")
	stop()
	g.Eventually(got, 5*time.Second).Should(Receive(BeNil()))
	g.Eventually(synced, 5*time.Second).Should(Receive(BeFalse()))
}
