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
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// caseOptions is testdata/<case>/options.yaml: the plan.Options of a case.
type caseOptions struct {
	// DefaultNamespace defaults to "default"; "-" means none.
	DefaultNamespace string   `json:"defaultNamespace"`
	SyncOptions      []string `json:"syncOptions"`
	// HealthChecks are "group/Kind" strings HasHealthCheck knows.
	HealthChecks []string `json:"healthChecks"`
	// ClusterScoped are "group/Kind" strings IsNamespaced knows as
	// cluster-scoped; it knows no other kind.
	ClusterScoped []string `json:"clusterScoped"`
}

func loadOptions(t *testing.T, dir string) plan.Options {
	t.Helper()
	var co caseOptions
	data, err := os.ReadFile(filepath.Join(dir, "options.yaml"))
	if err == nil {
		NewWithT(t).Expect(yaml.UnmarshalStrict(data, &co)).To(Succeed())
	}
	opts := plan.Options{DefaultNamespace: "default", SyncOptions: co.SyncOptions}
	switch co.DefaultNamespace {
	case "":
	case "-":
		opts.DefaultNamespace = ""
	default:
		opts.DefaultNamespace = co.DefaultNamespace
	}
	if co.HealthChecks != nil {
		opts.HasHealthCheck = func(gk schema.GroupKind) bool {
			return slices.Contains(co.HealthChecks, gk.Group+"/"+gk.Kind)
		}
	}
	if co.ClusterScoped != nil {
		opts.IsNamespaced = func(gk schema.GroupKind) (bool, bool) {
			if slices.Contains(co.ClusterScoped, gk.Group+"/"+gk.Kind) {
				return false, true
			}
			return false, false
		}
	}
	return opts
}

// TestGolden plans testdata/<case>/input.yaml and compares the result (or
// the validation error) with testdata/<case>/plan.txt. Run
// `go test ./internal/plan -update` to rewrite the golden files.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*/input.yaml")
	if err != nil || len(inputs) < 15 {
		t.Fatalf("want at least 15 golden cases, found %d (%v)", len(inputs), err)
	}
	for _, input := range inputs {
		dir := filepath.Dir(input)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			g := NewWithT(t)
			data, err := os.ReadFile(input)
			g.Expect(err).NotTo(HaveOccurred())
			objs, err := manifest.Parse("input.yaml", data)
			g.Expect(err).NotTo(HaveOccurred())
			opts := loadOptions(t, dir)
			opts.Origins = manifest.Origins(objs)
			p, err := plan.Build(manifest.Unstructured(objs), opts)
			got := render(p, err)

			golden := filepath.Join(dir, "plan.txt")
			if *update {
				g.Expect(os.WriteFile(golden, []byte(got), 0o644)).To(Succeed())
			}
			want, err := os.ReadFile(golden)
			g.Expect(err).NotTo(HaveOccurred(), "run go test ./internal/plan -update")
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("plan differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// render writes a plan in the golden format: one header a step, one line a
// task, then skipped objects and warnings; or the validation error.
func render(p *plan.Plan, err error) string {
	var b strings.Builder
	if err != nil {
		var ve *plan.ValidationError
		if !errors.As(err, &ve) {
			return "unexpected error type: " + err.Error() + "\n"
		}
		return "error: " + err.Error() + "\n"
	}
	for _, s := range p.Steps {
		fmt.Fprintf(&b, "%s\n", s.String())
		for _, t := range s.Tasks {
			fmt.Fprintf(&b, "  %s\n", taskLine(t))
		}
	}
	for _, s := range p.OnFail {
		fmt.Fprintf(&b, "on failure: %s\n", s.String())
		for _, t := range s.Tasks {
			fmt.Fprintf(&b, "  %s\n", taskLine(t))
		}
	}
	for _, s := range p.OnDelete {
		fmt.Fprintf(&b, "on delete: %s\n", s.String())
		for _, t := range s.Tasks {
			fmt.Fprintf(&b, "  %s\n", taskLine(t))
		}
	}
	if len(p.Skipped) > 0 {
		b.WriteString("skipped:\n")
		for _, t := range p.Skipped {
			fmt.Fprintf(&b, "  %s\n", taskLine(t))
		}
	}
	if len(p.Warnings) > 0 {
		b.WriteString("warnings:\n")
		for _, w := range p.Warnings {
			fmt.Fprintf(&b, "  %s %s: %s\n", w.Code, w.Resource, w.Message)
		}
	}
	if b.Len() == 0 {
		return "empty plan\n"
	}
	return b.String()
}

func taskLine(t plan.Task) string {
	s := t.ID.String() + " " + t.Version
	if t.Object.GetNamespace() != t.ID.Namespace {
		s += fmt.Sprintf(" OBJECT-NAMESPACE-MISMATCH(%q)", t.Object.GetNamespace())
	}
	if h := t.Hook; h != nil {
		s += fmt.Sprintf(" hook=%s types=%s delete=%s", h.Type, join(h.Types), join(h.DeletePolicies))
		if h.GenerateName {
			s += " generateName"
		}
	}
	if len(t.Options) > 0 {
		var kv []string
		for k, v := range t.Options {
			kv = append(kv, k+"="+v)
		}
		slices.Sort(kv)
		s += " options=" + strings.Join(kv, ",")
	}
	if t.MovedAheadOf != nil {
		s += " moved-ahead-of=" + t.MovedAheadOf.String()
	}
	return s
}

func join[T ~string](xs []T) string {
	ss := make([]string, len(xs))
	for i, x := range xs {
		ss[i] = string(x)
	}
	return strings.Join(ss, ",")
}
