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

package snapshot_test

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/hook"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
	"github.com/syncwave/syncwave/internal/snapshot"
)

// FuzzDecode: the pinned plan codec never panics on arbitrary bytes (a
// snapshot edited or truncated by someone): Decode gives an error or a
// plan that the controller can lay out and expand, and Encode(Decode(x))
// decodes to the same encoding. The second argument, when set, is
// gzipped first so that the fuzzer reaches the JSON decoder.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("../plan/testdata/*/input.yaml")
	for _, in := range files {
		data, err := os.ReadFile(in)
		if err != nil {
			continue
		}
		objs, err := manifest.Parse(in, data)
		if err != nil {
			continue
		}
		p, err := plan.Build(manifest.Unstructured(objs), plan.Options{DefaultNamespace: "default"})
		if err != nil {
			continue
		}
		raw, _ := plan.Marshal(p)
		enc, _ := snapshot.Encode(p)
		f.Add(enc, false)
		f.Add(raw, true)
	}
	f.Add([]byte(`{"version":1,"plan":{"steps":[{"phase":"Sync","tasks":[{"id":{"kind":"Job","name":"x"},"hook":{"type":"Sync","generateName":true}}]}],"skipped":[{}]}}`), true)
	f.Add([]byte{0x1f, 0x8b, 0x08}, false)
	f.Fuzz(func(t *testing.T, data []byte, compress bool) {
		if compress {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			_, _ = zw.Write(data)
			_ = zw.Close()
			data = buf.Bytes()
		}
		p, err := snapshot.Decode(data)
		if err != nil {
			return
		}
		op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: "prod", Name: "op", UID: "uid"}}
		l := operation.NewLayout(p)
		op.Status.Steps = l.InitialSteps()
		op.Status.Resources = l.InitialResources(func(t *plan.Task) string { return hook.Name(op, t) })
		op.Status.Resources = l.Compact(&op.Status)
		_ = l.Expand(&op.Status, func(t *plan.Task) string { return hook.Name(op, t) })
		enc, err := snapshot.Encode(p)
		if err != nil {
			t.Fatalf("Encode of a decoded plan: %v", err)
		}
		q, err := snapshot.Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Encode(p)): %v", err)
		}
		a, _ := plan.Marshal(p)
		b, _ := plan.Marshal(q)
		if !bytes.Equal(a, b) {
			t.Fatalf("the plan changed in a round trip:\n%s\n%s", a, b)
		}
	})
}
