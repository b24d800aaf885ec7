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

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manager"
	"github.com/syncwave/syncwave/test/cluster"
)

// BenchmarkQueueHandoff: two operations of one application; the second
// waits, queued, for the first (a 300 ms hook Job), and starts when it
// ends. Measured from one independent watch: from the first operation's
// terminal status to the second one's first object write. Target: a
// median at most 50 ms (no requeue interval: the finish wakes the queue).
func BenchmarkQueueHandoff(b *testing.B) {
	c, _ := setup(b)
	wcl, err := client.NewWithWatch(c.Config, client.Options{Scheme: manager.Scheme()})
	if err != nil {
		b.Fatal(err)
	}
	var handoffs []time.Duration
	for i := range b.N {
		ns, err := c.Namespace(context.Background(), "queue-")
		if err != nil {
			b.Fatal(err)
		}
		handoffs = append(handoffs, handoff(b, wcl, ns, i))
	}
	b.ReportMetric(ms(median(handoffs)), "handoff-median-ms")
	b.ReportMetric(ms(percentile(handoffs, 1)), "handoff-max-ms")
	b.Logf("end of the running operation -> first write of the queued one: %v", handoffs)
}

func handoff(b *testing.B, cl client.WithWatch, ns string, i int) time.Duration {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ops, err := cl.Watch(ctx, &syncv1alpha1.SyncOperationList{}, client.InNamespace(ns))
	if err != nil {
		b.Fatal(err)
	}
	defer ops.Stop()
	cms, err := cl.Watch(ctx, &corev1.ConfigMapList{}, client.InNamespace(ns))
	if err != nil {
		b.Fatal(err)
	}
	defer cms.Stop()
	job := map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": map[string]any{"name": "work",
		"annotations": map[string]any{syncv1alpha1.AnnotationHook: "Sync"}},
		"spec": map[string]any{"backoffLimit": int64(0), "activeDeadlineSeconds": int64(60), "template": map[string]any{
			"metadata": map[string]any{"annotations": map[string]any{cluster.AnnotationRunDuration: "300ms"}},
			"spec":     map[string]any{"restartPolicy": "Never", "containers": []any{map[string]any{"name": "c", "image": "busybox"}}}}}}
	second := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "second"}}
	for _, o := range []struct {
		name string
		obj  map[string]any
	}{{"first", job}, {"second", second}} {
		data, _ := json.Marshal(o.obj)
		op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: o.name, Namespace: ns},
			Spec: syncv1alpha1.SyncOperationSpec{Application: fmt.Sprintf("app-%d", i), Manifests: []runtime.RawExtension{{Raw: data}}}}
		if err := cl.Create(ctx, op); err != nil {
			b.Fatal(err)
		}
	}
	var ended, wrote time.Time
	for ended.IsZero() || wrote.IsZero() {
		select {
		case ev := <-ops.ResultChan():
			if op, ok := ev.Object.(*syncv1alpha1.SyncOperation); ok && op.Name == "first" && op.Status.Phase.Terminal() && ended.IsZero() {
				ended = time.Now()
			}
		case ev := <-cms.ResultChan():
			if cm, ok := ev.Object.(*corev1.ConfigMap); ok && cm.Name == "second" && wrote.IsZero() {
				wrote = time.Now()
			}
		case <-ctx.Done():
			b.Fatal("the operations did not finish")
		}
	}
	if wrote.Before(ended) {
		b.Fatalf("the queued operation wrote before the first one ended")
	}
	return wrote.Sub(ended)
}
