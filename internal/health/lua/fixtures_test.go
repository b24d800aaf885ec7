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
	"os"
	"path"
	"testing"
	"testing/fstest"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime/schema"

	healthlib "github.com/syncwave/syncwave/config/health"
	"github.com/syncwave/syncwave/internal/health"
)

const (
	libraryDir = "../../../config/health"
	treeDir    = "testdata/tree"
)

// TestLibrary runs every fixture of config/health, as `kubectl syncwave
// health test config/health` does, with and without the open libraries
// (the library scripts need neither string nor math).
func TestLibrary(t *testing.T) {
	e := NewEngine(Options{})
	for _, open := range []bool{true, false} {
		cases, err := e.RunFixtures(context.Background(), os.DirFS(libraryDir), open)
		g := NewWithT(t)
		g.Expect(err).NotTo(HaveOccurred())
		statuses := map[string]map[health.Status]bool{}
		for _, c := range cases {
			g.Expect(c.Err).NotTo(HaveOccurred(), "%s/%s", c.Dir, c.InputPath)
			g.Expect(c.Passed()).To(BeTrue(), "%s/%s: want %s %q, got %s %q", c.Dir, c.InputPath, c.Want.Status, c.Want.Message, c.Got.Status, c.Got.Message)
			if statuses[c.Dir] == nil {
				statuses[c.Dir] = map[health.Status]bool{}
			}
			statuses[c.Dir][c.Want.Status] = true
		}
		g.Expect(len(statuses)).To(BeNumerically(">=", 12))
		for dir, seen := range statuses {
			for _, s := range []health.Status{health.Healthy, health.Progressing, health.Degraded} {
				g.Expect(seen).To(HaveKey(s), "%s has no %s fixture", dir, s)
			}
		}
	}
}

func TestLoadLibrary(t *testing.T) {
	g := NewWithT(t)
	lib, err := LoadLibrary(healthlib.FS)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(lib.Len()).To(BeNumerically(">=", 12))
	for _, gk := range []schema.GroupKind{
		{Group: "cert-manager.io", Kind: "Certificate"},
		{Group: "databases.example.com", Kind: "MyDatabaseInstance"},
		{Group: "s3.aws.upbound.io", Kind: "Bucket"}, // by the _.upbound.io/_ wildcard
	} {
		s, ok := lib.Lookup(gk)
		g.Expect(ok).To(BeTrue(), gk.String())
		g.Expect(s.UseOpenLibs).To(BeTrue())
	}

	_, err = LoadLibrary(fstest.MapFS{"x.example.com/X/health.lua": {Data: []byte("return {")}})
	g.Expect(err).To(MatchError(ErrCompile))
}

// TestRunFixturesTree runs the committed tree: every case passes, and the
// Provider among the wildcard directory's fixtures is judged by its own
// directory's script, as Argo CD's test driver judges it.
func TestRunFixturesTree(t *testing.T) {
	g := NewWithT(t)
	cases, err := NewEngine(Options{}).RunFixtures(context.Background(), os.DirFS(treeDir), true)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cases).To(HaveLen(9))
	scripts := map[string]string{}
	for _, c := range cases {
		g.Expect(c.Err).NotTo(HaveOccurred(), "%s/%s", c.Dir, c.InputPath)
		g.Expect(c.Passed()).To(BeTrue(), "%s/%s: want %s %q, got %s %q", c.Dir, c.InputPath, c.Want.Status, c.Want.Message, c.Got.Status, c.Got.Message)
		scripts[path.Join(c.Dir, c.InputPath)] = c.Script
	}
	g.Expect(scripts).To(HaveKeyWithValue("_.example.com/_/testdata/provider-unhealthy.yaml", "pkg.example.com/Provider/health.lua"))
	g.Expect(scripts).To(HaveKeyWithValue("_.example.com/_/testdata/table-ready.yaml", "_.example.com/_/health.lua"))
	g.Expect(scripts).To(HaveKeyWithValue("ConfigMap/testdata/ready.yaml", "ConfigMap/health.lua"))
}

func TestRunFixturesReportsProblems(t *testing.T) {
	g := NewWithT(t)
	const widget = "apiVersion: example.com/v1\nkind: Widget\n"
	fsys := fstest.MapFS{
		"example.com/Widget/health.lua":       {Data: []byte(`return {status = obj.status.s, message = "m"}`)},
		"example.com/Widget/health_test.yaml": {Data: []byte("tests:\n- healthStatus: {status: Healthy, message: m}\n  inputPath: ok.yaml\n- healthStatus: {status: Healthy, message: m}\n  inputPath: bad.yaml\n- healthStatus: {status: Healthy, message: m}\n  inputPath: missing.yaml\n- healthStatus: {status: Healthy, message: m}\n  inputPath: nokind.yaml\n- healthStatus: {status: Healthy, message: m}\n  inputPath: other.yaml\n")},
		"example.com/Widget/ok.yaml":          {Data: []byte(widget + "status: {s: Healthy}\n")},
		"example.com/Widget/bad.yaml":         {Data: []byte(widget + "status: {s: Degraded}\n")},
		"example.com/Widget/nokind.yaml":      {Data: []byte("status: {s: Healthy}\n")},
		"example.com/Widget/other.yaml":       {Data: []byte("apiVersion: other.example.com/v1\nkind: Gadget\n")},
		"b.example.com/B/health_test.yaml":    {Data: []byte("tests: []\n")},
		"b.example.com/B/health.lua":          {Data: []byte("return {status = 'Healthy'}")},
		"c/nested/health_test.yaml":           {Data: []byte("tests:\n- healthStatus: {status: Healthy}\n  inputPath: x.yaml\n")},
		"d.example.com/D/health.lua":          {Data: []byte("return {status = 'Healthy'}")},
		"e.example.com/E/health.lua":          {Data: []byte("return {")},
		"e.example.com/E/health_test.yaml":    {Data: []byte("tests:\n- healthStatus: {status: Healthy}\n  inputPath: e.yaml\n")},
		"e.example.com/E/e.yaml":              {Data: []byte("apiVersion: e.example.com/v1\nkind: E\n")},
	}
	cases, err := NewEngine(Options{}).RunFixtures(context.Background(), fsys, false)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cases).To(HaveLen(9))
	byInput := map[string]FixtureCase{}
	for _, c := range cases {
		byInput[path.Join(c.Dir, c.InputPath)] = c
	}
	g.Expect(byInput["example.com/Widget/ok.yaml"].Passed()).To(BeTrue())
	g.Expect(byInput["example.com/Widget/bad.yaml"].Passed()).To(BeFalse())
	g.Expect(byInput["example.com/Widget/bad.yaml"].Got.Status).To(Equal(health.Degraded))
	g.Expect(byInput["example.com/Widget/missing.yaml"].Err).To(HaveOccurred())
	g.Expect(byInput["example.com/Widget/nokind.yaml"].Err).To(MatchError(ContainSubstring("the object has no kind")))
	g.Expect(byInput["example.com/Widget/other.yaml"].Err).To(MatchError(ContainSubstring("the tree has no health.lua for other.example.com/Gadget")))
	g.Expect(byInput["b.example.com/B/health_test.yaml"].Err).To(MatchError(ContainSubstring("has no tests")))
	g.Expect(byInput["c/nested/health_test.yaml"].Err).To(MatchError("no health.lua beside it"))
	g.Expect(byInput["d.example.com/D/health.lua"].Err).To(MatchError("no health_test.yaml beside it"), "as Argo CD's driver, a script without fixtures fails")
	e := byInput["e.example.com/E/e.yaml"]
	g.Expect(e.Err).NotTo(HaveOccurred(), "a script that does not compile judges its objects Unknown")
	g.Expect(e.Got.Status).To(Equal(health.Unknown))
	g.Expect(e.Got.Message).To(HavePrefix("e.example.com/E/health.lua: lua: syntax error"))
}

// TestRunFixturesInputPathOutside: an inputPath that leaves the directory
// is said so, not "invalid argument".
func TestRunFixturesInputPathOutside(t *testing.T) {
	fsys := fstest.MapFS{
		"example.com/Widget/health.lua":       {Data: []byte(`return {status = "Healthy"}`)},
		"example.com/Widget/health_test.yaml": {Data: []byte("tests:\n- healthStatus: {status: Healthy}\n  inputPath: ../../../w.yaml\n")},
	}
	cases, err := NewEngine(Options{}).RunFixtures(context.Background(), fsys, false)
	g := NewWithT(t)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cases).To(HaveLen(1))
	g.Expect(cases[0].Err).To(MatchError("inputPath ../w.yaml leaves the directory the fixtures are read from"))
}
