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

package operation_test

import (
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clocktesting "k8s.io/utils/clock/testing"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// graphDocs are n ConfigMaps; with depth > 1, n/depth chains of depth.
func graphDocs(n, depth int) string {
	var b strings.Builder
	per := n / depth
	for k := range depth {
		for i := range per {
			dep := ""
			if k > 0 {
				dep = fmt.Sprintf(", annotations: {syncwave.dev/depends-on: ConfigMap/l%d-%03d}", k-1, i)
			}
			fmt.Fprintf(&b, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: l%d-%03d%s}\n---\n", k, i, dep)
		}
	}
	return b.String()
}

// BenchmarkGraphEngine is the engine's own cost (no API server: writes
// return at once, ConfigMaps Healthy from the write) of a 1,000-object step
// as 100 chains 10 deep, against the same objects without dependencies.
func BenchmarkGraphEngine(b *testing.B) {
	for _, c := range []struct {
		name  string
		depth int
	}{{"flat", 1}, {"chains-10-deep", 10}} {
		b.Run(c.name, func(b *testing.B) {
			l := buildLayout(b, graphDocs(1000, c.depth))
			b.ResetTimer()
			for range b.N {
				w := &logWorld{world: newWorld(""), instant: map[string]bool{"ConfigMap": true}}
				op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"}}
				op, err := w.transition(l, clocktesting.NewFakeClock(t0), op)
				if err != nil || op.Status.Phase != syncv1alpha1.OperationSucceeded {
					b.Fatalf("%v %s", err, op.Status.Message)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "us/object")
		})
	}
}
