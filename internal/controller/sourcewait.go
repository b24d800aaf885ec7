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
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/source"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/operation"
)

// secretSourceRetry is how soon an operation waiting for a missing Secret
// looks again: the controller may read Secrets by name but not watch them.
// A Flux artifact that could not be downloaded is tried again as soon.
const secretSourceRetry = 10 * time.Second

// waitError says that some sources do not exist yet: the operation waits,
// Pending, until they do or its timeout ends.
type waitError struct{ missing []manifest.MissingSource }

func (e *waitError) Error() string {
	var names, parts []string
	for _, m := range e.missing {
		if m.Waiting != "" { // a Flux source that is not Ready
			parts = append(parts, "waiting for "+m.Waiting)
			continue
		}
		names = append(names, fmt.Sprintf("%s %s/%s (%s)", m.Kind, m.Namespace, m.Name, m.Field))
	}
	if len(names) > 0 {
		parts = append([]string{"waiting for the source " + strings.Join(names, ", ") + " to exist"}, parts...)
	}
	return strings.Join(parts, "; ")
}

// watched tells the sources that SourceWaiter watches: ConfigMaps and Flux
// sources, which the controller may watch; Secrets it may only get.
func watched(m manifest.MissingSource) bool {
	return (m.Group == "" && m.Kind == "ConfigMap") || m.Group == manifest.FluxGroup
}

// sourceKey names one watched source.
type sourceKey struct {
	group, kind     string
	namespace, name string
}

// SourceWaiter wakes an operation that waits for a missing ConfigMap the
// moment it is created, and one that waits for a Flux source the moment
// that source changes: one watch (by name, metadata only) per source, kept
// while an operation waits for it. A watch of a Flux kind that is not
// served just ends; the operation has failed then anyway.
type SourceWaiter struct {
	// Client watches ConfigMaps' metadata.
	Client client.WithWatch
	// Clock times the wake after a watch that ended at once.
	Clock clock.WithDelayedExecution

	events chan event.GenericEvent
	mu     sync.Mutex
	ctx    context.Context
	waits  map[sourceKey]*sourceWatch
}

type sourceWatch struct {
	cancel context.CancelFunc
	ops    map[types.NamespacedName]bool
}

// NewSourceWaiter returns a SourceWaiter that watches through c.
func NewSourceWaiter(c client.WithWatch) *SourceWaiter {
	return &SourceWaiter{Client: c, Clock: clock.RealClock{}, events: make(chan event.GenericEvent, 64), waits: map[sourceKey]*sourceWatch{}}
}

// Start keeps the context the watches run under; it is a manager Runnable.
func (s *SourceWaiter) Start(ctx context.Context) error {
	s.mu.Lock()
	s.ctx = ctx
	s.mu.Unlock()
	<-ctx.Done()
	return nil
}

// Source is what the controller watches: an event per operation to wake.
func (s *SourceWaiter) Source() source.Source {
	return source.Channel(s.events, &handler.EnqueueRequestForObject{})
}

// Wait makes sure op is woken when any of its missing ConfigMaps appears.
func (s *SourceWaiter) Wait(op types.NamespacedName, missing []manifest.MissingSource) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		return
	}
	for _, m := range missing {
		if !watched(m) {
			continue
		}
		key := sourceKey{group: m.Group, kind: m.Kind, namespace: m.Namespace, name: m.Name}
		w, ok := s.waits[key]
		if !ok {
			ctx, cancel := context.WithCancel(s.ctx)
			w = &sourceWatch{cancel: cancel, ops: map[types.NamespacedName]bool{}}
			s.waits[key] = w
			go s.watch(ctx, key, w)
		}
		w.ops[op] = true
	}
}

// Forget says op waits for no source any more.
func (s *SourceWaiter) Forget(op types.NamespacedName) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, w := range s.waits {
		delete(w.ops, op)
		if len(w.ops) == 0 {
			w.cancel()
			delete(s.waits, key)
		}
	}
}

// watch wakes the operations of w at every event of the source key (the
// first event is the object itself when it exists already). When the
// watch ends by itself (the API server ends watches after a while, or
// refuses one), the entry goes and the operations are woken, so that their
// next reconcile looks at the source again and starts another watch: at
// once when the watch had run for a while, after secretSourceRetry when it
// ended at once, so that a refused watch is not retried in a loop.
func (s *SourceWaiter) watch(ctx context.Context, key sourceKey, w *sourceWatch) {
	began := s.Clock.Now()
	defer func() {
		s.mu.Lock()
		if s.waits[key] == w {
			delete(s.waits, key)
		}
		ops := w.waiting()
		s.mu.Unlock()
		if ctx.Err() != nil {
			return // forgotten, or the controller stops
		}
		if s.Clock.Since(began) >= secretSourceRetry {
			s.wake(ctx, ops)
			return
		}
		s.Clock.AfterFunc(secretSourceRetry, func() { s.wake(ctx, ops) })
	}()
	list := &metav1.PartialObjectMetadataList{}
	list.APIVersion, list.Kind = "v1", key.kind+"List"
	if key.group != "" {
		list.APIVersion = key.group + "/v1"
	}
	wi, err := s.Client.Watch(ctx, list, client.InNamespace(key.namespace), client.MatchingFields{"metadata.name": key.name})
	if err != nil {
		return
	}
	defer wi.Stop()
	for range wi.ResultChan() {
		s.mu.Lock()
		ops := w.waiting()
		s.mu.Unlock()
		if !s.wake(ctx, ops) {
			return
		}
	}
}

// waiting lists the operations of w; the caller holds the lock.
func (w *sourceWatch) waiting() []types.NamespacedName {
	ops := make([]types.NamespacedName, 0, len(w.ops))
	for op := range w.ops {
		ops = append(ops, op)
	}
	return ops
}

// wake enqueues ops; false when ctx ended first.
func (s *SourceWaiter) wake(ctx context.Context, ops []types.NamespacedName) bool {
	for _, op := range ops {
		obj := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: op.Namespace, Name: op.Name}}
		select {
		case s.events <- event.GenericEvent{Object: obj}:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// waitForSources keeps op Pending while sources are missing, with a message
// naming them; at its timeout (counted from its creation) it fails.
func (r *SyncOperationReconciler) waitForSources(op *syncv1alpha1.SyncOperation, we *waitError) time.Duration {
	key := types.NamespacedName{Namespace: op.Namespace, Name: op.Name}
	left, expired := r.waitPending(op, we.Error())
	if expired {
		r.Sources.Forget(key)
		return -1
	}
	st := &op.Status
	after := time.Duration(0)
	for _, m := range we.missing {
		if !watched(m) || m.Retry {
			after = secretSourceRetry
		}
		if len(st.BlockedBy) == syncv1alpha1.MaxBlockedBy {
			continue // the message names them all, as far as it goes
		}
		b := syncv1alpha1.BlockedResource{
			ResourceRef: syncv1alpha1.ResourceRef{Group: m.Group, Version: "v1", Kind: m.Kind, Namespace: m.Namespace, Name: m.Name},
			Health:      syncv1alpha1.HealthMissing, Message: "named in " + m.Field + "; not found"}
		if m.Waiting != "" {
			b.Health, b.Message = syncv1alpha1.HealthProgressing, operation.Truncate("named in "+m.Field+"; waiting for "+m.Waiting, operation.MaxMessage)
		}
		st.BlockedBy = append(st.BlockedBy, b)
	}
	r.Sources.Wait(key, we.missing)
	return soonest(after, left)
}
