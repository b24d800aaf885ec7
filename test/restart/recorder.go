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

package restart

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// Event is one watch event (or one object of the initial list, with Type
// "" ) of a Recorder.
type Event struct {
	Type       watch.EventType
	Kind, Name string
	UID        string
	RV         int64
	Finalizers []string
	// Object is the object as the event carried it.
	Object *unstructured.Unstructured
	// At is when the Recorder saw the event.
	At time.Time
}

// Recorder keeps every event of some kinds in one namespace, from a list
// taken when it starts. Its watches resume from the last resourceVersion
// when the API server goes away, so events are neither lost nor repeated.
type Recorder struct {
	mu     sync.Mutex
	events []Event
	cancel context.CancelFunc
}

// Kinds are the resources a Recorder watches by default.
var Kinds = []schema.GroupVersionResource{
	{Version: "v1", Resource: "configmaps"},
	{Group: "apps", Version: "v1", Resource: "deployments"},
	{Group: "batch", Version: "v1", Resource: "jobs"},
	{Group: "syncwave.dev", Version: "v1alpha1", Resource: "syncoperations"},
}

// Record starts recording gvrs in namespace.
func Record(ctx context.Context, dyn dynamic.Interface, namespace string, gvrs ...schema.GroupVersionResource) (*Recorder, error) {
	ctx, cancel := context.WithCancel(ctx)
	r := &Recorder{cancel: cancel}
	for _, gvr := range gvrs {
		ri := dyn.Resource(gvr).Namespace(namespace)
		list, err := ri.List(ctx, metav1.ListOptions{})
		if err != nil {
			cancel()
			return nil, fmt.Errorf("list %s in %s: %w", gvr.Resource, namespace, err)
		}
		for i := range list.Items {
			r.add("", &list.Items[i])
		}
		lw := &cache.ListWatch{WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			return ri.Watch(ctx, o)
		}}
		w, err := watchtools.NewRetryWatcherWithContext(ctx, list.GetResourceVersion(), lw)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("watch %s in %s: %w", gvr.Resource, namespace, err)
		}
		go func() {
			defer w.Stop()
			for ev := range w.ResultChan() {
				if u, ok := ev.Object.(*unstructured.Unstructured); ok {
					r.add(ev.Type, u)
				}
			}
		}()
	}
	return r, nil
}

// Stop ends the watches.
func (r *Recorder) Stop() { r.cancel() }

func (r *Recorder) add(t watch.EventType, u *unstructured.Unstructured) {
	rv, _ := strconv.ParseInt(u.GetResourceVersion(), 10, 64)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, Event{Type: t, Kind: u.GetKind(), Name: u.GetName(), UID: string(u.GetUID()), RV: rv,
		Finalizers: u.GetFinalizers(), Object: u, At: time.Now()})
}

// Events returns the events so far, in the order seen.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// Of returns the events of kind/name (Type "" are objects of the list).
func (r *Recorder) Of(kind, name string) []Event {
	var out []Event
	for _, e := range r.Events() {
		if e.Kind == kind && e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// Added counts the ADDED events of kind/name: its creations after the
// Recorder started.
func (r *Recorder) Added(kind, name string) int {
	n := 0
	for _, e := range r.Of(kind, name) {
		if e.Type == watch.Added {
			n++
		}
	}
	return n
}

// UIDs returns the distinct UIDs kind/name had.
func (r *Recorder) UIDs(kind, name string) []string {
	var out []string
	for _, e := range r.Of(kind, name) {
		if !slices.Contains(out, e.UID) {
			out = append(out, e.UID)
		}
	}
	return out
}

// FirstRV is the resourceVersion of the first event of kind/name, 0 if
// none.
func (r *Recorder) FirstRV(kind, name string) int64 {
	for _, e := range r.Of(kind, name) {
		return e.RV
	}
	return 0
}

// Writes returns the ADDED and MODIFIED events of kind/name.
func (r *Recorder) Writes(kind, name string) []Event {
	var out []Event
	for _, e := range r.Of(kind, name) {
		if e.Type == watch.Added || e.Type == watch.Modified {
			out = append(out, e)
		}
	}
	return out
}
