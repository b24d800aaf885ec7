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

package plan_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/plan"
)

// FuzzPlanDeterministic: any manifests the parser accepts give a plan or a
// validation error; the same input gives the same plan (compared as
// plan.Marshal output of two builds), and the encoded plan survives a
// round trip. The seeds are every golden input and the FuzzBuild corpus.
func FuzzPlanDeterministic(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/input.yaml")
	for _, in := range files {
		if data, err := os.ReadFile(in); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := manifest.Parse("fuzz", data)
		if err != nil {
			return // FuzzParse covers the parser's errors
		}
		build := func() (*plan.Plan, error) {
			// A fresh parse: Build must not depend on what an earlier
			// Build did to its input.
			again, err := manifest.Parse("fuzz", data)
			if err != nil {
				return nil, err
			}
			return plan.Build(manifest.Unstructured(again), plan.Options{DefaultNamespace: "default", SyncOptions: []string{"Validate=true"}})
		}
		p, err := plan.Build(manifest.Unstructured(objs), plan.Options{DefaultNamespace: "default", SyncOptions: []string{"Validate=true"}})
		if err != nil {
			checkValidationError(t, err)
			if _, err2 := build(); err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("two builds of the same input fail differently:\n%v\n%v", err, err2)
			}
			return
		}
		checkPlan(t, p)
		samePlan(t, p, build)
	})
}

// FuzzUnmarshal: plan.Unmarshal of arbitrary bytes (a corrupted pinned
// plan) is an error or a plan that encodes again; never a panic.
func FuzzUnmarshal(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/input.yaml")
	for _, in := range files {
		data, err := os.ReadFile(in)
		if err != nil {
			continue
		}
		objs, err := manifest.Parse(in, data)
		if err != nil {
			continue
		}
		if p, err := plan.Build(manifest.Unstructured(objs), plan.Options{DefaultNamespace: "default"}); err == nil {
			if b, err := plan.Marshal(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`{"version":1,"plan":null}`))
	f.Add([]byte(`{"version":1,"plan":{"steps":[{"tasks":[{}]}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := plan.Unmarshal(data)
		if err != nil {
			if p != nil {
				t.Fatal("a plan with an error")
			}
			return
		}
		b, err := plan.Marshal(p)
		if err != nil {
			t.Fatalf("Marshal of a decoded plan: %v", err)
		}
		if _, err := plan.Unmarshal(b); err != nil {
			t.Fatalf("Unmarshal(Marshal(p)): %v", err)
		}
	})
}
