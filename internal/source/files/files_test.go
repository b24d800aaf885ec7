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

package files_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/syncwave/syncwave/internal/source/files"
)

func sources(ins []files.Input) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		out[i] = in.Source
	}
	return out
}

func TestReadWalksDirectoriesInOrder(t *testing.T) {
	g := NewWithT(t)
	var skipped []string
	ins, err := files.Read(files.Options{
		Paths:   []string{"testdata/tree", "-", "testdata/tree/notes.txt"},
		Stdin:   strings.NewReader("from stdin"),
		Skipped: func(p string) { skipped = append(skipped, p) },
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sources(ins)).To(Equal([]string{
		filepath.Join("testdata", "tree", "a.yaml"),
		filepath.Join("testdata", "tree", "sub", "b.json"),
		filepath.Join("testdata", "tree", "sub", "c.YML"),
		"<stdin>",
		filepath.Join("testdata", "tree", "notes.txt"), // named, so read
	}))
	g.Expect(string(ins[3].Data)).To(Equal("from stdin"))
	g.Expect(string(ins[4].Data)).To(Equal("not a manifest\n"))
	g.Expect(skipped).To(Equal([]string{
		filepath.Join("testdata", "tree", "notes.txt"),
		filepath.Join("testdata", "tree", "sub", "d.yaml.tpl"),
	}))
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name string
		o    files.Options
		want string
	}{
		{"nothing named", files.Options{}, files.ErrNoPaths.Error()},
		{"missing path", files.Options{Paths: []string{"testdata/nope"}}, "read manifests: lstat testdata/nope: no such file or directory"},
		{"stdin twice", files.Options{Paths: []string{"-", "-"}, Stdin: strings.NewReader("")}, "read standard input: - is given more than once"},
		{"no stdin", files.Options{Paths: []string{"-"}}, "read standard input: none is attached"},
		{"not a kustomization", files.Options{Kustomizations: []string{"testdata/tree"}}, "render kustomization testdata/tree: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := files.Read(tt.o)
			g.Expect(err).To(MatchError(HavePrefix(tt.want)))
		})
	}
	g := NewWithT(t)
	_, err := files.Read(files.Options{})
	g.Expect(errors.Is(err, files.ErrNoPaths)).To(BeTrue())
}

func TestReadKustomizationAfterPaths(t *testing.T) {
	g := NewWithT(t)
	ins, err := files.Read(files.Options{
		Paths:          []string{"testdata/tree/a.yaml"},
		Kustomizations: []string{"testdata/kustomize/overlay"},
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sources(ins)).To(Equal([]string{filepath.Join("testdata", "tree", "a.yaml"), "kustomization testdata/kustomize/overlay"}))
	out := string(ins[1].Data)
	// Resources in input order, the name prefix, the patch and the image
	// transformer applied.
	g.Expect(strings.Index(out, "kind: Deployment")).To(BeNumerically("<", strings.Index(out, "kind: ConfigMap")))
	g.Expect(out).To(ContainSubstring("name: prod-web\n"))
	g.Expect(out).To(ContainSubstring("name: prod-settings\n"))
	g.Expect(out).To(ContainSubstring("replicas: 3\n"))
	g.Expect(out).To(ContainSubstring("image: registry.example/web:2.0\n"))
	g.Expect(out).To(ContainSubstring("\n---\n"))
}

func TestIsManifestFile(t *testing.T) {
	g := NewWithT(t)
	for _, p := range []string{"a.yaml", "b.YML", "dir/c.json"} {
		g.Expect(files.IsManifestFile(p)).To(BeTrue(), p)
	}
	for _, p := range []string{"a.txt", "yaml", "a.yaml.tpl", "Makefile"} {
		g.Expect(files.IsManifestFile(p)).To(BeFalse(), p)
	}
}
