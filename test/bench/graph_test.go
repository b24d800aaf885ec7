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
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manager"
)

// graphObjects are n ConfigMaps in one step. With depth > 1 they form
// n/depth chains of depth objects: ConfigMap l<k>-i depends on l<k-1>-i,
// so every object but the first of each chain waits for another and the
// graph is depth levels deep.
func graphObjects(n, depth int) []*unstructured.Unstructured {
	per := n / depth
	out := make([]*unstructured.Unstructured, 0, n)
	for k := range depth {
		for i := range per {
			ann := map[string]any{}
			if k > 0 {
				ann[syncv1alpha1.AnnotationDependsOn] = fmt.Sprintf("ConfigMap/l%d-%03d", k-1, i)
			}
			out = append(out, &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
				"metadata": map[string]any{"name": fmt.Sprintf("l%d-%03d", k, i), "annotations": ann},
				"data":     map[string]any{"key": fmt.Sprintf("value %d/%d", k, i)}}})
		}
	}
	return out
}

// BenchmarkGraphStep: one step of 1,000 ConfigMaps (healthy from their
// write), as 100 chains 10 deep, next to the same objects without
// dependencies, in the same run. overhead-us-per-object is the difference
// of the medians over the number of objects: what scheduling by the graph
// costs each object.
func BenchmarkGraphStep(b *testing.B) {
	const n, depth = 1000, 10
	c, _ := setup(b)
	wcl, err := client.NewWithWatch(c.Config, client.Options{Scheme: manager.Scheme()})
	if err != nil {
		b.Fatal(err)
	}
	flat, chained := raw(graphObjects(n, 1)), raw(graphObjects(n, depth))
	_, _ = runOp(b, wcl, c.NamespaceT(b, "warm-"), flat)
	var flatD, graphD []time.Duration
	b.ResetTimer()
	for range b.N {
		op, d := runOp(b, wcl, c.NamespaceT(b, "flat-"), flat)
		flatD = append(flatD, stepTime(op, d))
		op, d = runOp(b, wcl, c.NamespaceT(b, "graph-"), chained)
		graphD = append(graphD, stepTime(op, d))
		if len(op.Status.Steps) != 1 || op.Status.Steps[0].Healthy != n {
			b.Fatalf("the graph step did not finish with %d healthy objects: %+v", n, op.Status.Steps)
		}
	}
	b.StopTimer()
	f, g := median(flatD), median(graphD)
	b.Logf("step of %d objects: without dependencies %v, as %d chains %d deep %v (medians of %d)", n, f, n/depth, depth, g, len(flatD))
	b.ReportMetric(ms(f), "flat-step-ms")
	b.ReportMetric(ms(g), "graph-step-ms")
	b.ReportMetric(float64((g-f).Microseconds())/n, "overhead-us-per-object")
	b.ReportMetric(0, "ns/op")
}

// stepTime is how long the operation's only step ran (status.steps), else
// the whole operation as seen by the watch.
func stepTime(op *syncv1alpha1.SyncOperation, d time.Duration) time.Duration {
	if st := op.Status.Steps; len(st) == 1 && st[0].StartedAt != nil && st[0].FinishedAt != nil {
		return st[0].FinishedAt.Sub(st[0].StartedAt.Time)
	}
	return d
}
