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
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/plan"
)

// FuzzBuild feeds arbitrary bytes through manifest.Parse and plan.Build:
// neither may panic, errors must have the documented types, and a plan must
// be well formed. The seed corpus is testdata/fuzz/FuzzBuild plus every
// golden input.
func FuzzBuild(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/*/input.yaml")
	for _, in := range inputs {
		if data, err := os.ReadFile(in); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := manifest.Parse("fuzz", data)
		if err != nil {
			var me *manifest.Error
			if !errors.As(err, &me) {
				t.Fatalf("Parse returned %T, want *manifest.Error: %v", err, err)
			}
			return
		}
		opts := plan.Options{DefaultNamespace: "default", Origins: manifest.Origins(objs)}
		p, err := plan.Build(manifest.Unstructured(objs), opts)
		if err != nil {
			var ve *plan.ValidationError
			if !errors.As(err, &ve) || len(ve.Errs) == 0 {
				t.Fatalf("Build returned %T, want a non-empty *plan.ValidationError: %v", err, err)
			}
			_ = ve.Error()
			return
		}
		checkPlan(t, p)
	})
}

// checkPlan asserts the invariants of every plan: steps in order and never
// empty, tasks placed in their step, names and namespaces set.
func checkPlan(t *testing.T, p *plan.Plan) {
	t.Helper()
	for _, steps := range [][]plan.Step{p.Steps, p.OnFail} {
		for i, s := range steps {
			if len(s.Tasks) == 0 {
				t.Fatalf("step %s is empty", s.String())
			}
			if i > 0 && steps[i-1].Phase == s.Phase && steps[i-1].Wave >= s.Wave {
				t.Fatalf("step %s after %s", s.String(), steps[i-1].String())
			}
			for _, task := range s.Tasks {
				if task.Phase != s.Phase || task.Wave != s.Wave {
					t.Fatalf("task %s (%s/%d) in step %s", task.ID, task.Phase, task.Wave, s.String())
				}
				if task.ID.Name == "" || task.ID.Kind == "" || task.Object == nil {
					t.Fatalf("incomplete task %+v", task.ID)
				}
				if task.Object.GetNamespace() != task.ID.Namespace {
					t.Fatalf("task %s: object namespace %q", task.ID, task.Object.GetNamespace())
				}
			}
		}
	}
}
