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

package diff

import (
	"fmt"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

// Change is the two sides of one object.
type Change struct {
	// ID names the object.
	ID plan.ObjectID
	// Version is its API version ("apps/v1"), for file names.
	Version string
	// Live is the object on the cluster, nil when it does not exist.
	Live *unstructured.Unstructured
	// Merged is the object as a sync would leave it, nil when the sync
	// would prune it.
	Merged *unstructured.Unstructured
}

// Sides returns both sides normalized and with Secret values masked, as
// YAML ("" for an absent side).
func (c *Change) Sides() (live, merged string, err error) {
	l, m := c.normalized()
	MaskSecrets(l, m)
	if live, err = toYAML(l); err != nil {
		return "", "", fmt.Errorf("render live %s: %w", c.ID, err)
	}
	if merged, err = toYAML(m); err != nil {
		return "", "", fmt.Errorf("render merged %s: %w", c.ID, err)
	}
	return live, merged, nil
}

// normalized returns both sides normalized (see Normalize). When the live
// object lacks syncwave's own syncwave.dev/managed label (an object
// adopted from another tool), the label is left out of the merged side
// too: that the object gains it says nothing about the object, as the
// syncwave.dev/operation annotation, and the controller's dry-run preview
// (Preview) and the CLI's diff must agree. A new object shows it, as a
// create writes it.
func (c *Change) normalized() (live, merged *unstructured.Unstructured) {
	live, merged = Normalize(c.Live), Normalize(c.Merged)
	if live == nil || merged == nil {
		return live, merged
	}
	if _, ok := live.GetLabels()[syncv1alpha1.LabelManaged]; ok {
		return live, merged
	}
	unstructured.RemoveNestedField(merged.Object, "metadata", "labels", syncv1alpha1.LabelManaged)
	if l, ok, _ := unstructured.NestedMap(merged.Object, "metadata", "labels"); ok && len(l) == 0 {
		unstructured.RemoveNestedField(merged.Object, "metadata", "labels")
	}
	return live, merged
}

// Changed reports whether the two sides differ once normalized.
func (c *Change) Changed() (bool, error) {
	live, merged, err := c.Sides()
	return live != merged, err
}

func toYAML(u *unstructured.Unstructured) (string, error) {
	if u == nil {
		return "", nil
	}
	b, err := yaml.Marshal(u.Object)
	return string(b), err
}

// Unified renders the change as a unified diff with 3 lines of context,
// headed "--- live/ID" and "+++ merged/ID" (ID as plan.ObjectID.String
// renders it); "" when nothing changed.
func (c *Change) Unified() (string, error) {
	live, merged, err := c.Sides()
	if err != nil || live == merged {
		return "", err
	}
	return difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A:        splitLines(live),
		B:        splitLines(merged),
		FromFile: "live/" + c.ID.String(),
		ToFile:   "merged/" + c.ID.String(),
		Context:  3,
	})
}

// splitLines splits s after each newline; an empty s has no lines.
func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
