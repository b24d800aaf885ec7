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
	"os"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestConfigMapDataRoundTrip: the ConfigMap written from the committed tree
// reads back to the same script for every kind the tree knows.
func TestConfigMapDataRoundTrip(t *testing.T) {
	g := NewWithT(t)
	tree, errs := LoadTree(os.DirFS(treeDir))
	g.Expect(errs).To(BeEmpty())
	data, warnings, err := tree.ConfigMapData()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(warnings).To(BeEmpty())
	g.Expect(data).To(HaveKey(HealthKeyPrefix + "example.com_Widget"))
	g.Expect(data).To(HaveKeyWithValue(UseOpenLibsKeyPrefix+"example.com_Widget", "true"))
	g.Expect(data).To(HaveKey(HealthKeyPrefix + "ConfigMap"))
	g.Expect(data[CustomizationsKey]).To(HavePrefix("'*.example.com/*':\n  health.lua: |\n"))
	g.Expect(data[CustomizationsKey]).To(ContainSubstring("\n  health.lua.useOpenLibs: true\n"), "Argo CD's key")

	cm, errs := ParseConfigMap(data)
	g.Expect(errs).To(BeEmpty())
	g.Expect(cm.Len()).To(Equal(tree.Len()))
	for _, gk := range []schema.GroupKind{
		{Group: "example.com", Kind: "Widget"},
		{Group: "pkg.example.com", Kind: "Provider"},
		{Group: "db.example.com", Kind: "Table"},
		{Kind: "ConfigMap"},
		{Group: "example.com", Kind: "Other"},
	} {
		want, wok := tree.Lookup(gk)
		got, gok := cm.Lookup(gk)
		g.Expect(gok).To(Equal(wok), gk.String())
		g.Expect(got.Lua).To(Equal(want.Lua), gk.String())
		g.Expect(got.UseOpenLibs).To(Equal(want.UseOpenLibs), gk.String())
	}
}

func TestConfigMapDataWarningsAndErrors(t *testing.T) {
	g := NewWithT(t)
	tree, _ := LoadTree(scriptFS(map[string]string{
		"_.example.com/_/health.lua":    "return {}",
		"_.zz.example.com/_/health.lua": "return {}",
		"_.other.io/_/health.lua":       "return {}",
		"_Binding/health.lua":           "return {}",
	}))
	_, warnings, err := tree.ConfigMapData()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(warnings).To(ConsistOf(
		`wildcard "*Binding" has no group: in a ConfigMap it matches the kinds of every group, not only the core group's`,
		`wildcards "*.example.com/*" and "*.zz.example.com/*" may both match a kind: here "*.example.com/*" wins, in a ConfigMap "*.zz.example.com/*"`,
	))

	tree, _ = LoadTree(scriptFS(map[string]string{"x.example.com/X/health.lua": "return {"}))
	_, _, err = tree.ConfigMapData()
	g.Expect(err).To(MatchError(ErrCompile))
}

func TestGlobsOverlap(t *testing.T) {
	g := NewWithT(t)
	for _, tt := range []struct {
		p, q string
		want bool
	}{
		{"*.example.com/*", "*.zz.example.com/*", true},
		{"*.example.com/*", "*.other.io/*", true}, // x.other.io/y.example.com/z
		{"a*", "*b", true},
		{"a*", "b*", false},
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"*", "", true},
		{"x*y*z", "*q*", true},
		{"x*y", "*z", false},
	} {
		g.Expect(globsOverlap(tt.p, tt.q)).To(Equal(tt.want), "%s %s", tt.p, tt.q)
		g.Expect(globsOverlap(tt.q, tt.p)).To(Equal(tt.want), "%s %s", tt.q, tt.p)
	}
	g.Expect(patternsOverlap("*.example.com/*", "*.other.io/*")).To(BeFalse())
	g.Expect(patternsOverlap("*.example.com/*", "*.zz.example.com/*")).To(BeTrue())
	g.Expect(patternsOverlap("*Binding", "*/*")).To(BeFalse())
}
