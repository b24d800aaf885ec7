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

package lua

import (
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/syncwave/syncwave/internal/health"
)

func keyErrors(g Gomega, errs []error) map[string]*KeyError {
	out := map[string]*KeyError{}
	for _, err := range errs {
		var ke *KeyError
		g.Expect(errors.As(err, &ke)).To(BeTrue(), err.Error())
		out[ke.Where()] = ke
	}
	return out
}

// TestParseConfigMapBrokenKeysAreNotDropped: a key that does not parse is
// an error naming it, and the kinds it was meant for are judged Unknown with
// that error, not by another check, while the other keys still work.
func TestParseConfigMapBrokenKeysAreNotDropped(t *testing.T) {
	g := NewWithT(t)
	o, errs := ParseConfigMap(map[string]string{
		// Not YAML: its top-level keys are still recognised.
		CustomizationsKey:                             "argoproj.io/Rollout:\n  health.lua: |\n    return {}\n\t bad: [\n\"*.crossplane.io/*\":\n  health.lua: x\n",
		HealthKeyPrefix + "argoproj.io_Rollout":       script("Healthy"), // an own key wins over the broken YAML
		HealthKeyPrefix + "example.com_Broken":        "return {",
		HealthKeyPrefix + "example.com_Good":          script("Healthy"),
		HealthKeyPrefix + "example.com_Libs":          script("Healthy"),
		UseOpenLibsKeyPrefix + "example.com_Libs":     "maybe",
		UseOpenLibsKeyPrefix + "example.com_OnlyLibs": "maybe",
	})
	byKey := keyErrors(g, errs)
	g.Expect(byKey).To(HaveLen(4))
	g.Expect(byKey).To(HaveKey(CustomizationsKey))
	g.Expect(byKey[HealthKeyPrefix+"example.com_Broken"].Err).To(MatchError(ErrCompile))
	g.Expect(byKey).To(HaveKey(UseOpenLibsKeyPrefix + "example.com_Libs"))
	g.Expect(byKey).To(HaveKey(UseOpenLibsKeyPrefix + "example.com_OnlyLibs"))

	e := NewEngine(Options{})
	a := e.Assessor(o)
	judge := func(apiVersion, kind string) (health.Result, bool, error) {
		return a.Assess(&unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind}})
	}
	for _, tt := range []struct {
		apiVersion, kind, message string
	}{
		{"ec2.crossplane.io/v1", "Instance", `health ConfigMap key resource.customizations does not parse: error converting YAML to JSON`},
		{"example.com/v1", "Broken", `health ConfigMap key resource.customizations.health.example.com_Broken does not parse: lua: syntax error`},
		{"example.com/v1", "Libs", `health ConfigMap key resource.customizations.useOpenLibs.example.com_Libs does not parse: want true or false, got "maybe"`},
	} {
		res, ok, err := judge(tt.apiVersion, tt.kind)
		g.Expect(ok).To(BeTrue(), tt.kind)
		g.Expect(err).To(HaveOccurred(), tt.kind)
		g.Expect(res.Status).To(Equal(health.Unknown), tt.kind)
		g.Expect(res.Message).To(HavePrefix(tt.message), tt.kind)
	}
	res, _, err := judge("argoproj.io/v1alpha1", "Rollout")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Status).To(Equal(health.Healthy))
	res, _, err = judge("example.com/v1", "Good")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Status).To(Equal(health.Healthy))
	g.Expect(o.HasScript(schema.GroupKind{Group: "example.com", Kind: "OnlyLibs"})).To(BeFalse(), "a useOpenLibs key without a script changes nothing")
}

func TestParseConfigMapBrokenEntry(t *testing.T) {
	g := NewWithT(t)
	o, errs := ParseConfigMap(map[string]string{CustomizationsKey: `
example.com/Bad:
  health.lua: [1, 2]
example.com/Fine:
  health.lua: return {status = "Healthy"}
"":
  health.lua: x
`})
	byKey := keyErrors(g, errs)
	g.Expect(byKey).To(HaveLen(2))
	g.Expect(byKey).To(HaveKey(`resource.customizations["example.com/Bad"]`))
	g.Expect(byKey).To(HaveKey(CustomizationsKey), "the empty pattern")
	s, ok := o.Lookup(schema.GroupKind{Group: "example.com", Kind: "Bad"})
	g.Expect(ok).To(BeTrue())
	g.Expect(s.Err).To(MatchError(HavePrefix(`health ConfigMap key resource.customizations["example.com/Bad"] does not parse: json: cannot unmarshal`)))
	s, _ = o.Lookup(schema.GroupKind{Group: "example.com", Kind: "Fine"})
	g.Expect(s.Err).NotTo(HaveOccurred())
}

func TestTopLevelKeys(t *testing.T) {
	g := NewWithT(t)
	g.Expect(topLevelKeys("a/B:\n  health.lua: x\n\"*.io/*\": {}\n'q/Q' :\n# c: d\n- e\nplain\n\"open: x\n")).
		To(Equal([]string{"a/B", "*.io/*", "q/Q"}))
}
