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

package scale

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// configMaps returns n ConfigMaps spread over waves.
func configMaps(prefix string, n, waves int) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, 0, n)
	for i := range n {
		out = append(out, &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": fmt.Sprintf("%s%05d", prefix, i),
				"annotations": map[string]any{syncv1alpha1.AnnotationSyncWave: fmt.Sprint(i * waves / n)}},
			"data": map[string]any{"key": fmt.Sprintf("value %d", i)}}})
	}
	return out
}

// sources packs objects into ConfigMaps of at most ~700 KiB each, created
// in ns, and returns the references.
func sources(tb testing.TB, cl client.Client, ns, name string, objs []*unstructured.Unstructured) []syncv1alpha1.ManifestSource {
	tb.Helper()
	var refs []syncv1alpha1.ManifestSource
	var b strings.Builder
	flush := func() {
		if b.Len() == 0 {
			return
		}
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%d", name, len(refs)), Namespace: ns},
			Data: map[string]string{"all.json": b.String()}}
		if err := cl.Create(context.Background(), cm); err != nil {
			tb.Fatal(err)
		}
		refs = append(refs, syncv1alpha1.ManifestSource{ConfigMapRef: &syncv1alpha1.KeyReference{Name: cm.Name}})
		b.Reset()
	}
	for _, o := range objs {
		raw, _ := json.Marshal(o.Object)
		if b.Len()+len(raw) > 700<<10 {
			flush()
		}
		b.Write(raw)
		b.WriteString("\n")
	}
	flush()
	return refs
}

// waitTerminal waits (by watch) until every named operation of ns is
// terminal and returns them.
func waitTerminal(tb testing.TB, cl client.WithWatch, ns string, names map[string]bool, timeout time.Duration) map[string]*syncv1alpha1.SyncOperation {
	tb.Helper()
	done := map[string]*syncv1alpha1.SyncOperation{}
	deadline := time.After(timeout)
	for len(done) < len(names) {
		// List, then watch from the list's resourceVersion; a watch that
		// the API server ends is opened again the same way.
		list := &syncv1alpha1.SyncOperationList{}
		if err := cl.List(context.Background(), list, client.InNamespace(ns)); err != nil {
			tb.Fatal(err)
		}
		for i := range list.Items {
			if op := &list.Items[i]; names[op.Name] && op.Status.Phase.Terminal() {
				done[op.Name] = op
			}
		}
		if len(done) == len(names) {
			break
		}
		w, err := cl.Watch(context.Background(), &syncv1alpha1.SyncOperationList{}, client.InNamespace(ns),
			&client.ListOptions{Raw: &metav1.ListOptions{ResourceVersion: list.ResourceVersion}})
		if err != nil {
			tb.Fatal(err)
		}
	watching:
		for len(done) < len(names) {
			select {
			case ev, open := <-w.ResultChan():
				if !open {
					break watching
				}
				op, ok := ev.Object.(*syncv1alpha1.SyncOperation)
				if ok && names[op.Name] && op.Status.Phase.Terminal() {
					done[op.Name] = op
				}
			case <-deadline:
				w.Stop()
				tb.Fatalf("%d of %d operations finished", len(done), len(names))
			}
		}
		w.Stop()
	}
	return done
}
