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
	"context"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
)

func script(status string) string {
	return `return {status = "` + status + `", message = "` + status + `"}`
}

func TestParseConfigMap(t *testing.T) {
	g := NewWithT(t)
	o, errs := ParseConfigMap(map[string]string{
		"resource.customizations.health.databases.example.com_MyDatabaseInstance":      script("Healthy"),
		"resource.customizations.useOpenLibs.databases.example.com_MyDatabaseInstance": "true",
		"resource.customizations.health.ConfigMap":                                     script("Suspended"),
		"resource.customizations.health.a_b_c":                                         script("Healthy"),
		"resource.customizations.useOpenLibs.cert-manager.io_Certificate":              "yes please",
		"resource.customizations.health.broken.example.com_Broken":                     "return {",
		"resource.customizations.ignoreDifferences.apps_Deployment":                    "jsonPointers: [/spec/replicas]",
		"resource.customizations.health.only-libs.example.com_X":                       "",
		"unrelated.key": "x",
		"resource.customizations": `
cert-manager.io/Certificate:
  health.lua: |
    return {status = "Progressing", message = "from yaml"}
  useOpenLibs: true
databases.example.com/MyDatabaseInstance:
  health.lua: |
    return {status = "Degraded"}
"*.crossplane.io/*":
  health.lua: |
    return {status = "Degraded", message = "wildcard"}
ec2.aws.crossplane.io/*:
  health.lua: |
    return {status = "Progressing", message = "narrower wildcard"}
apps/Deployment:
  ignoreDifferences: |
    jsonPointers: [/spec/replicas]
`,
	})
	g.Expect(errs).To(HaveLen(3))
	g.Expect(errs[0].Error()).To(ContainSubstring("resource.customizations.health.a_b_c: want a key suffix <group>_<Kind> or <Kind>"))
	g.Expect(errs[1].Error()).To(ContainSubstring(`resource.customizations.useOpenLibs.cert-manager.io_Certificate: want true or false, got "yes please"`))
	g.Expect(errs[2].Error()).To(ContainSubstring("resource.customizations.health.broken.example.com_Broken: lua: syntax error"))

	// The individual key wins over the YAML for the same kind.
	s, ok := o.Lookup(schema.GroupKind{Group: "databases.example.com", Kind: "MyDatabaseInstance"})
	g.Expect(ok).To(BeTrue())
	g.Expect(s.Lua).To(Equal(script("Healthy")))
	g.Expect(s.UseOpenLibs).To(BeTrue())
	g.Expect(s.Origin).To(Equal("resource.customizations.health.databases.example.com_MyDatabaseInstance"))

	s, ok = o.Lookup(schema.GroupKind{Group: "cert-manager.io", Kind: "Certificate"})
	g.Expect(ok).To(BeTrue())
	g.Expect(s.UseOpenLibs).To(BeTrue())
	g.Expect(s.Lua).To(ContainSubstring("from yaml"))
	g.Expect(s.Err).To(MatchError(ContainSubstring("useOpenLibs.cert-manager.io_Certificate does not parse")), "its useOpenLibs key is broken")

	g.Expect(o.HasScript(schema.GroupKind{Kind: "ConfigMap"})).To(BeTrue())
	g.Expect(o.HasScript(schema.GroupKind{Group: "apps", Kind: "Deployment"})).To(BeFalse(), "ignoreDifferences only")
	g.Expect(o.HasScript(schema.GroupKind{Group: "only-libs.example.com", Kind: "X"})).To(BeFalse(), "empty script")
	// A script that does not compile is kept: its objects become Unknown.
	g.Expect(o.HasScript(schema.GroupKind{Group: "broken.example.com", Kind: "Broken"})).To(BeTrue())

	// Wildcards: the most specific pattern wins; an exact entry beats both.
	s, _ = o.Lookup(schema.GroupKind{Group: "ec2.aws.crossplane.io", Kind: "Instance"})
	g.Expect(s.Lua).To(ContainSubstring("narrower wildcard"))
	s, _ = o.Lookup(schema.GroupKind{Group: "s3.aws.crossplane.io", Kind: "Bucket"})
	g.Expect(s.Lua).To(ContainSubstring(`"wildcard"`))
	g.Expect(o.HasScript(schema.GroupKind{Group: "crossplane.io", Kind: "Bucket"})).To(BeFalse())
	g.Expect(o.Patterns()).To(ContainElements("*.crossplane.io/*", "ConfigMap", "cert-manager.io/Certificate"))
}

func TestParseConfigMapBadYAML(t *testing.T) {
	g := NewWithT(t)
	o, errs := ParseConfigMap(map[string]string{
		"resource.customizations":          "a: [",
		"resource.customizations.health.X": script("Healthy"),
	})
	g.Expect(errs).To(HaveLen(1))
	g.Expect(errs[0].Error()).To(HavePrefix("resource.customizations: "))
	g.Expect(o.HasScript(schema.GroupKind{Kind: "X"})).To(BeTrue())
}

func TestWildcardPrecedence(t *testing.T) {
	g := NewWithT(t)
	o := NewOverrides()
	g.Expect(o.Set("*/*", Script{Lua: "any"})).To(Succeed())
	g.Expect(o.Set("*.example.com/*", Script{Lua: "example"})).To(Succeed())
	g.Expect(o.Set("*.example.com/Data*", Script{Lua: "data"})).To(Succeed())
	g.Expect(o.Set("db.example.com/Database", Script{Lua: "exact"})).To(Succeed())
	g.Expect(o.Set("", Script{})).NotTo(Succeed())
	g.Expect(o.Set("/Kind", Script{})).NotTo(Succeed())
	for gk, want := range map[schema.GroupKind]string{
		{Group: "db.example.com", Kind: "Database"}:  "exact",
		{Group: "db.example.com", Kind: "DataSet"}:   "data",
		{Group: "db.example.com", Kind: "Table"}:     "example",
		{Group: "apps", Kind: "Deployment"}:          "any",
		{Group: "a.b.example.com", Kind: "Database"}: "data",
	} {
		s, ok := o.Lookup(gk)
		g.Expect(ok).To(BeTrue(), gk.String())
		g.Expect(s.Lua).To(Equal(want), gk.String())
	}
	_, ok := o.Lookup(schema.GroupKind{Kind: "ConfigMap"})
	g.Expect(ok).To(BeFalse(), "*/* needs a group")
	var none *Overrides
	g.Expect(none.HasScript(schema.GroupKind{Kind: "X"})).To(BeFalse())
}

func TestFromHealthChecks(t *testing.T) {
	g := NewWithT(t)
	o := FromHealthChecks([]syncv1alpha1.HealthCheck{
		{Group: "databases.example.com", Kind: "MyDatabaseInstance", Lua: script("Healthy")},
		{Kind: "ConfigMap", Lua: script("Suspended"), UseOpenLibs: true},
		{Group: "x.example.com", Kind: "", Lua: script("Healthy")},
	})
	g.Expect(o.Len()).To(Equal(2))
	s, ok := o.Lookup(schema.GroupKind{Kind: "ConfigMap"})
	g.Expect(ok).To(BeTrue())
	g.Expect(s.UseOpenLibs).To(BeTrue())
	g.Expect(s.Origin).To(Equal("spec.healthChecks[1]"))
}

func TestAssessorLayers(t *testing.T) {
	g := NewWithT(t)
	e := NewEngine(Options{})
	op := FromHealthChecks([]syncv1alpha1.HealthCheck{{Group: "databases.example.com", Kind: "MyDatabaseInstance", Lua: script("Suspended")}})
	cm, errs := ParseConfigMap(map[string]string{
		"resource.customizations.health.databases.example.com_MyDatabaseInstance": script("Degraded"),
		"resource.customizations.health.databases.example.com_Broken":             `return {status = obj.nope.x}`,
		"resource.customizations.health.ConfigMap":                                script("Healthy"),
	})
	g.Expect(errs).To(BeEmpty())
	a := e.Assessor(op, nil, cm)

	res, ok, err := a.Assess(dbInstance(nil))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ok).To(BeTrue())
	g.Expect(res).To(Equal(health.Result{Status: health.Suspended, Message: "Suspended", Source: health.SourceLua}), "the operation's layer wins")

	res, ok, err = a.Assess(&unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap"}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ok).To(BeTrue())
	g.Expect(res.Status).To(Equal(health.Healthy))

	_, ok, err = a.Assess(&unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "kind": "Deployment"}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ok).To(BeFalse(), "no script: no opinion, so the chain goes on to the built-in checks")

	res, ok, err = a.Assess(&unstructured.Unstructured{Object: map[string]any{"apiVersion": "databases.example.com/v1", "kind": "Broken"}})
	g.Expect(ok).To(BeTrue())
	g.Expect(err).To(MatchError(ErrRuntime))
	g.Expect(res.Status).To(Equal(health.Unknown))
	g.Expect(res.Source).To(Equal(health.SourceLua))
	g.Expect(res.Message).To(HavePrefix("health script resource.customizations.health.databases.example.com_Broken: lua: runtime error: <string>:1: attempt to index"))

	// Through the lead's chain, the error becomes an Unknown result.
	chained := health.Assess(health.Chain(a, health.Default()), &unstructured.Unstructured{Object: map[string]any{"apiVersion": "databases.example.com/v1", "kind": "Broken"}})
	g.Expect(chained.Status).To(Equal(health.Unknown))
	g.Expect(chained.Source).To(Equal(health.SourceLua))

	g.Expect(HasScript(schema.GroupKind{Kind: "ConfigMap"}, op, cm)).To(BeTrue())
	g.Expect(HasScript(schema.GroupKind{Kind: "Secret"}, op, cm)).To(BeFalse())
	_ = context.Background()
}

// TestArgoCDsOpenLibsKey: an entry of resource.customizations opens the
// libraries with Argo CD's key, health.lua.useOpenLibs (the key earlier
// builds of syncwave used, useOpenLibs, is still read), so a script that
// needs string functions runs as in Argo CD.
func TestArgoCDsOpenLibsKey(t *testing.T) {
	g := NewWithT(t)
	const needsLibs = `if string.find("Ready", "Rea") then return {status = "Healthy"} end return {status = "Degraded"}`
	o, errs := ParseConfigMap(map[string]string{"resource.customizations": `
cert-manager.io/Certificate:
  health.lua.useOpenLibs: true
  health.lua: '` + needsLibs + `'
example.com/Legacy:
  useOpenLibs: true
  health.lua: '` + needsLibs + `'
example.com/Closed:
  health.lua: '` + needsLibs + `'
`})
	g.Expect(errs).To(BeEmpty())
	for kind, want := range map[schema.GroupKind]bool{
		{Group: "cert-manager.io", Kind: "Certificate"}: true,
		{Group: "example.com", Kind: "Legacy"}:          true,
		{Group: "example.com", Kind: "Closed"}:          false,
	} {
		s, ok := o.Lookup(kind)
		g.Expect(ok).To(BeTrue(), kind.String())
		g.Expect(s.UseOpenLibs).To(Equal(want), kind.String())
	}
}
