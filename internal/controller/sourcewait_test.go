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
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/syncwave/syncwave/internal/manifest"
)

// TestSourceWatchEndedWakesTheWaiting: when the API server ends the watch
// of a missing source, the operations that wait for it are woken (their
// next reconcile looks again and watches again), not left to their
// timeout; a forgotten operation's watch stops without a wake.
func TestSourceWatchEndedWakesTheWaiting(t *testing.T) {
	g := NewWithT(t)
	var mu sync.Mutex
	var watches []*watch.FakeWatcher
	c := fake.NewClientBuilder().WithInterceptorFuncs(interceptor.Funcs{
		Watch: func(ctx context.Context, _ client.WithWatch, _ client.ObjectList, _ ...client.ListOption) (watch.Interface, error) {
			mu.Lock()
			defer mu.Unlock()
			w := watch.NewFake()
			watches = append(watches, w)
			go func() { <-ctx.Done(); w.Stop() }() // as a real watch ends with its context
			return w, nil
		},
	}).Build()
	s := NewSourceWaiter(c)
	clock := clocktesting.NewFakeClock(time.Unix(10000, 0))
	s.Clock = clock
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = s.Start(ctx) }()
	g.Eventually(func() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.ctx != nil }).Should(BeTrue())

	op := types.NamespacedName{Namespace: "ns", Name: "op"}
	missing := []manifest.MissingSource{{Kind: "ConfigMap", Namespace: "ns", Name: "bundle", Field: "spec.sources[0]"}}
	watchNumber := func(n int) *watch.FakeWatcher {
		mu.Lock()
		defer mu.Unlock()
		if len(watches) < n {
			return nil
		}
		return watches[n-1]
	}
	ended := func() bool { s.mu.Lock(); defer s.mu.Unlock(); return len(s.waits) == 0 }

	s.Wait(op, missing)
	g.Eventually(func() *watch.FakeWatcher { return watchNumber(1) }).ShouldNot(BeNil())
	watchNumber(1).Add(nil) // the source appears: the operation is woken
	g.Eventually(s.events).Should(Receive())

	// The server ends the watch long after it began: a wake at once.
	clock.Step(time.Hour)
	watchNumber(1).Stop()
	g.Eventually(s.events).Should(Receive())
	g.Eventually(ended).Should(BeTrue(), "the ended watch is gone; the next Wait starts another")

	// A watch that ends at once: the wake waits secretSourceRetry.
	s.Wait(op, missing)
	g.Eventually(func() *watch.FakeWatcher { return watchNumber(2) }).ShouldNot(BeNil())
	watchNumber(2).Stop()
	g.Eventually(ended).Should(BeTrue())
	g.Consistently(s.events, 200*time.Millisecond).ShouldNot(Receive())
	g.Eventually(clock.HasWaiters).Should(BeTrue())
	clock.Step(secretSourceRetry)
	g.Eventually(s.events).Should(Receive())

	// A forgotten operation's watch stops without a wake.
	s.Wait(op, missing)
	g.Eventually(func() *watch.FakeWatcher { return watchNumber(3) }).ShouldNot(BeNil())
	s.Forget(op)
	g.Eventually(ended).Should(BeTrue())
	clock.Step(time.Hour)
	g.Consistently(s.events, 200*time.Millisecond).ShouldNot(Receive(), "a forgotten operation is not woken")
}
