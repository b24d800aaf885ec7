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

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/test/cluster"
)

// seen is one watch event, as an independent observer saw it.
type seen struct {
	kind, name string
	typ        watch.EventType
	rv         int64
	deleting   bool   // metadata.deletionTimestamp is set
	by         string // the syncwave.dev/operation annotation
	phase      string // status.phase of a SyncOperation
	at         time.Time
}

// journal records every event of some kinds in a namespace, in etcd order.
type journal struct {
	mu     sync.Mutex
	events []seen
}

var journalKinds = []schema.GroupVersionResource{
	{Version: "v1", Resource: "configmaps"},
	{Version: "v1", Resource: "services"},
	{Group: "apps", Version: "v1", Resource: "deployments"},
	{Group: "batch", Version: "v1", Resource: "jobs"},
	{Group: "syncwave.dev", Version: "v1alpha1", Resource: "syncoperations"},
}

func (e *env) journal(t *testing.T, ns string) *journal {
	t.Helper()
	j := &journal{}
	e.watchFrom(t, ns, journalKinds, func(ev watch.Event, u *unstructured.Unstructured, rv int64) {
		phase, _, _ := unstructured.NestedString(u.Object, "status", "phase")
		j.mu.Lock()
		j.events = append(j.events, seen{kind: u.GetKind(), name: u.GetName(), typ: ev.Type, rv: rv,
			deleting: u.GetDeletionTimestamp() != nil, by: u.GetAnnotations()[syncv1alpha1.AnnotationOperation],
			phase: phase, at: time.Now()})
		j.mu.Unlock()
	})
	return j
}

func (j *journal) all() []seen {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]seen(nil), j.events...)
}

// deletionStarted is the resourceVersion at which kind/name began to be
// deleted (deletionTimestamp set, or gone at once), or 0.
func (j *journal) deletionStarted(kind, name string) int64 {
	for _, e := range j.all() {
		if e.kind == kind && e.name == name && (e.deleting || e.typ == watch.Deleted) {
			return e.rv
		}
	}
	return 0
}

// deleted is the resourceVersion at which kind/name was gone, or 0.
func (j *journal) deleted(kind, name string) int64 {
	for _, e := range j.all() {
		if e.kind == kind && e.name == name && e.typ == watch.Deleted {
			return e.rv
		}
	}
	return 0
}

// count counts the events of kind/name of type typ.
func (j *journal) count(kind, name string, typ watch.EventType) int {
	n := 0
	for _, e := range j.all() {
		if e.kind == kind && e.name == name && e.typ == typ {
			n++
		}
	}
	return n
}

// firstWrite is the resourceVersion of the first event of kind/name made by
// operation op (its syncwave.dev/operation annotation), or 0.
func (j *journal) firstWrite(kind, name, op string) int64 {
	for _, e := range j.all() {
		if e.kind == kind && e.name == name && e.by == op && e.typ != watch.Deleted {
			return e.rv
		}
	}
	return 0
}

// obj builds a manifest.
func obj(t *testing.T, apiVersion, kind, name string, ann map[string]string, rest map[string]any) runtime.RawExtension {
	t.Helper()
	m := map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": name}}
	if len(ann) > 0 {
		a := map[string]any{}
		for k, v := range ann {
			a[k] = v
		}
		m["metadata"].(map[string]any)["annotations"] = a
	}
	for k, v := range rest {
		m[k] = v
	}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return runtime.RawExtension{Raw: raw}
}

func configMap(t *testing.T, name, wave string) runtime.RawExtension {
	t.Helper()
	return obj(t, "v1", "ConfigMap", name, map[string]string{syncv1alpha1.AnnotationSyncWave: wave}, map[string]any{"data": map[string]any{"k": name}})
}

// hookJob is a Job hook of the given type whose pod runs for run ("" at
// once) and ends as fate says.
func hookJob(t *testing.T, name, hookType, run, fate string) runtime.RawExtension {
	t.Helper()
	podAnn := map[string]any{}
	if run != "" {
		podAnn[cluster.AnnotationRunDuration] = run
	}
	if fate != "" {
		podAnn[cluster.AnnotationFate] = fate
	}
	return obj(t, "batch/v1", "Job", name, map[string]string{syncv1alpha1.AnnotationHook: hookType,
		syncv1alpha1.AnnotationHookDeletePolicy: "BeforeHookCreation"}, map[string]any{"spec": map[string]any{
		"activeDeadlineSeconds": int64(120), "backoffLimit": int64(0),
		"template": map[string]any{"metadata": map[string]any{"annotations": podAnn}, "spec": map[string]any{
			"restartPolicy": "Never", "containers": []any{map[string]any{"name": "c", "image": "busybox"}}}}}})
}

func deployment(t *testing.T, name, wave string) runtime.RawExtension {
	t.Helper()
	labels := map[string]any{"app": name}
	return obj(t, "apps/v1", "Deployment", name, map[string]string{syncv1alpha1.AnnotationSyncWave: wave}, map[string]any{"spec": map[string]any{
		"replicas": int64(2), "selector": map[string]any{"matchLabels": labels},
		"template": map[string]any{"metadata": map[string]any{"labels": labels}, "spec": map[string]any{
			"containers": []any{map[string]any{"name": "c", "image": "nginx"}}}}}})
}

func service(t *testing.T, name, wave string) runtime.RawExtension {
	t.Helper()
	return obj(t, "v1", "Service", name, map[string]string{syncv1alpha1.AnnotationSyncWave: wave}, map[string]any{"spec": map[string]any{
		"selector": map[string]any{"app": name}, "ports": []any{map[string]any{"port": int64(80)}}}})
}

// createNamed creates an operation of application app.
func (e *env) createNamed(t *testing.T, ns, name string, spec syncv1alpha1.SyncOperationSpec) *syncv1alpha1.SyncOperation {
	t.Helper()
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: spec}
	if err := e.cl.Create(context.Background(), op); err != nil {
		t.Fatalf("create SyncOperation %s: %v", name, err)
	}
	return op
}

// setFinalizers replaces the finalizers of a ConfigMap.
func (e *env) setFinalizers(t *testing.T, ns, name string, f []string) {
	t.Helper()
	g := NewWithT(t)
	g.Eventually(func() error {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion("v1")
		u.SetKind("ConfigMap")
		if err := e.cl.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, u); err != nil {
			return err
		}
		u.SetFinalizers(f)
		return e.cl.Update(context.Background(), u)
	}, 10*time.Second, 50*time.Millisecond).Should(Succeed())
}

func (e *env) exists(ns, kind, apiVersion, name string) bool {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	return e.cl.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, u) == nil
}

func ref(ns, name string) string { return fmt.Sprintf("%s/%s", ns, name) }
