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
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func scriptFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for p, src := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(src)}
	}
	return fsys
}

// TestLoadTreeLookupOrder pins Argo CD's order for its built-in scripts:
// the exact directory, then the wildcard directories in byte order of their
// paths (not the most specific one), with * never crossing the /.
func TestLoadTreeLookupOrder(t *testing.T) {
	g := NewWithT(t)
	tree, errs := LoadTree(scriptFS(map[string]string{
		"pkg.example.com/Provider/health.lua": "return {status = 'Healthy', message = 'exact'}",
		"_.example.com/_/health.lua":          "return {status = 'Healthy', message = 'example'}",
		"_.zz.example.com/_/health.lua":       "return {status = 'Healthy', message = 'zz'}",
		"_.a.example.com/_/health.lua":        "return {status = 'Healthy', message = 'a'}",
		"_Binding/health.lua":                 "return {status = 'Healthy', message = 'binding'}",
		"Secret/health.lua":                   "return {status = 'Healthy', message = 'secret'}",
		"apps/Deployment/nested/health.lua":   "return {status = 'Healthy', message = 'too deep'}",
		".hidden_dir/_/health.lua":            "return {status = 'Healthy', message = 'hidden'}",
		"notes/README.md":                     "not a script",
	}))
	g.Expect(errs).To(BeEmpty())
	for gk, want := range map[schema.GroupKind]string{
		{Group: "pkg.example.com", Kind: "Provider"}:              "pkg.example.com/Provider/health.lua",
		{Group: "pkg.example.com", Kind: "Other"}:                 "_.example.com/_/health.lua",
		{Group: "b.zz.example.com", Kind: "Bucket"}:               "_.example.com/_/health.lua", // "_.e..." sorts before "_.z..."
		{Group: "b.a.example.com", Kind: "Bucket"}:                "_.a.example.com/_/health.lua",
		{Kind: "Binding"}:                                         "_Binding/health.lua",
		{Kind: "ClusterBinding"}:                                  "_Binding/health.lua",
		{Kind: "Secret"}:                                          "Secret/health.lua",
		{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}: "",
		{Group: "example.com", Kind: "Widget"}:                    "",
		{Group: "apps", Kind: "Deployment"}:                       "",
	} {
		s, ok := tree.Lookup(gk)
		g.Expect(s.Origin).To(Equal(want), gk.String())
		g.Expect(ok).To(Equal(want != ""), gk.String())
		if ok {
			g.Expect(s.UseOpenLibs).To(BeTrue(), "tree scripts run with the open libraries, as Argo CD's built-in ones")
		}
	}
}

func TestLoadTreeProblems(t *testing.T) {
	g := NewWithT(t)
	tree, errs := LoadTree(scriptFS(map[string]string{
		"x.example.com/X/health.lua": "return {",
		"y.example.com/Y/health.lua": "return {status = 'Healthy'}",
	}))
	g.Expect(errs).To(HaveLen(1))
	g.Expect(errs[0]).To(MatchError(ErrCompile))
	g.Expect(errs[0].Error()).To(HavePrefix("x.example.com/X/health.lua: lua: syntax error"))
	s, ok := tree.Lookup(schema.GroupKind{Group: "x.example.com", Kind: "X"})
	g.Expect(ok).To(BeTrue(), "kept, so that its objects are Unknown instead of judged by another check")
	g.Expect(s.Err).To(MatchError(ErrCompile))
	g.Expect(tree.HasScript(schema.GroupKind{Group: "y.example.com", Kind: "Y"})).To(BeTrue())

	_, errs = LoadTree(scriptFS(map[string]string{"*.example.com/X/health.lua": "return {}"}))
	g.Expect(errs).To(ConsistOf(MatchError(ContainSubstring("write the wildcard of a directory name as _"))))
}

// TestLoadTreeMountedConfigMap reads the layout of a ConfigMap volume with
// items: the tree's directories are links into ..data, which is a link to a
// hidden timestamped directory; a new version swaps the ..data link.
func TestLoadTreeMountedConfigMap(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	write := func(version, script string) {
		t.Helper()
		p := filepath.Join(dir, version, "example.com", "Widget")
		g.Expect(os.MkdirAll(p, 0o755)).To(Succeed())
		g.Expect(os.WriteFile(filepath.Join(p, ScriptFile), []byte(script), 0o644)).To(Succeed())
		tmp := filepath.Join(dir, "..data_tmp")
		g.Expect(os.Symlink(version, tmp)).To(Succeed())
		g.Expect(os.Rename(tmp, filepath.Join(dir, "..data"))).To(Succeed())
	}
	write("..2026_01_01_v1", "return {status = 'Healthy', message = 'v1'}")
	g.Expect(os.Symlink(filepath.Join("..data", "example.com"), filepath.Join(dir, "example.com"))).To(Succeed())

	fsys := os.DirFS(dir)
	tree, errs := LoadTree(fsys)
	g.Expect(errs).To(BeEmpty())
	s, ok := tree.Lookup(schema.GroupKind{Group: "example.com", Kind: "Widget"})
	g.Expect(ok).To(BeTrue())
	g.Expect(s.Lua).To(ContainSubstring("v1"))
	g.Expect(tree.Len()).To(Equal(1), "the hidden ..data directories are not read as wildcards")
	before := Fingerprint(fsys)
	g.Expect(Fingerprint(fsys)).To(Equal(before))

	time.Sleep(10 * time.Millisecond) // a later modification time
	write("..2026_01_01_v2", "return {status = 'Healthy', message = 'v2'}")
	g.Expect(Fingerprint(fsys)).NotTo(Equal(before))
	tree, _ = LoadTree(fsys)
	s, _ = tree.Lookup(schema.GroupKind{Group: "example.com", Kind: "Widget"})
	g.Expect(s.Lua).To(ContainSubstring("v2"))
}
