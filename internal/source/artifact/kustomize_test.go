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

package artifact_test

import (
	"errors"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/syncwave/syncwave/internal/source/artifact"
)

// repo is a Flux-style repository: a base and a production overlay that
// patches it from a file and adds a generated ConfigMap.
func repo(overlay string) []artifact.File {
	return []artifact.File{
		{Path: "base/kustomization.yaml", Data: []byte("resources: [deployment.yaml, config.yaml]\n")},
		{Path: "base/deployment.yaml", Data: []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n")},
		{Path: "base/config.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: dev}\n")},
		{Path: "overlays/prod/kustomization.yaml", Data: []byte(overlay)},
		{Path: "overlays/prod/replicas.yaml", Data: []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n")},
		{Path: "overlays/prod/env.properties", Data: []byte("region=eu\n")},
		{Path: "overlays/prod/README.md", Data: []byte("not read")},
	}
}

const prodOverlay = `namePrefix: prod-
namespace: shop
resources: [../../base]
patches: [{path: replicas.yaml}]
configMapGenerator: [{name: region, envs: [env.properties], options: {disableNameSuffixHash: true}}]
`

func TestSelectRendersAKustomization(t *testing.T) {
	g := NewWithT(t)
	got, err := artifact.Select(repo(prodOverlay), "./overlays/prod")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(HaveLen(1))
	g.Expect(got[0].Path).To(Equal("overlays/prod/kustomization.yaml"))
	out := string(got[0].Data)
	g.Expect(out).To(ContainSubstring("name: prod-web\n  namespace: shop\nspec:\n  replicas: 3\n"), out)
	g.Expect(out).To(ContainSubstring("name: prod-settings\n"))
	g.Expect(out).To(ContainSubstring("region: eu\n"))

	// A directory without a kustomization is read file by file, as before;
	// the base's own kustomization makes it rendered too.
	got, err = artifact.Select(repo(prodOverlay), "base")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(HaveLen(1))
	g.Expect(string(got[0].Data)).To(ContainSubstring("name: web\n"))
	plain := []artifact.File{{Path: "deploy/a.yaml", Data: []byte("a")}, {Path: "kustomization.yaml", Data: []byte("resources: [deploy/a.yaml]\n")}}
	got, err = artifact.Select(plain, "deploy")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(Equal([]artifact.File{{Path: "deploy/a.yaml", Data: []byte("a")}}), "a kustomization above path does not count")
}

func TestKustomizeReadsOnlyTheArtifact(t *testing.T) {
	for _, tc := range []struct {
		name, overlay, want string
	}{
		{"remote base", "resources: [../../base, 'github.com/example/app//deploy?ref=v1']\n", `names "github.com/example/app//deploy?ref=v1", which is not a file or directory of the artifact: remote bases and URLs are not fetched`},
		{"URL resource", "resources: [https://example.com/app.yaml]\n", `names "https://example.com/app.yaml", which is not a file`},
		{"URL patch", "resources: [../../base]\npatches: [{path: 'https://example.com/p.yaml'}]\n", `names "https://example.com/p.yaml"`},
		{"outside the artifact", "resources: [../../../etc]\n", `names "../../../etc"`},
		{"absolute path", "resources: [/etc/passwd]\n", `names "/etc/passwd"`},
		{"missing file", "resources: [../../base, gone.yaml]\n", `names "gone.yaml"`},
		{"generator file", "resources: [../../base]\nconfigMapGenerator: [{name: x, files: [key=https://example.com/k]}]\n", `names "https://example.com/k"`},
		{"a base's remote base", "resources: [../../base]\n", `base/kustomization.yaml names "https://example.com/b.yaml"`},
		{"inline transformer", "resources: [../../base]\ntransformers:\n- |\n  apiVersion: builtin\n  kind: PatchTransformer\n  metadata: {name: p}\n  path: https://example.com/p.yaml\n",
			`an inline generator, transformer or validator names a URL ("path: https://example.com/p.yaml")`},
		{"helm chart", "helmCharts: [{name: redis, repo: 'https://charts.example.com'}]\n", "helmCharts are not rendered"},
		{"not a kustomization", "resources: [../../base]\nnoSuchField: 1\n", "overlays/prod/kustomization.yaml: invalid Kustomization"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			files := repo(tc.overlay)
			if tc.name == "a base's remote base" {
				files[0].Data = []byte("resources: [deployment.yaml, 'https://example.com/b.yaml']\n")
			}
			_, err := artifact.Select(files, "overlays/prod")
			g.Expect(err).To(MatchError(ContainSubstring(tc.want)))
			var ae *artifact.Error
			g.Expect(err).To(BeAssignableToTypeOf(ae), "an invalid artifact, not a retry")
		})
	}
}

func TestKustomizeBuildErrorsAreInvalid(t *testing.T) {
	g := NewWithT(t)
	// Two resources of one ID: kustomize refuses the build.
	files := repo("resources: [../../base, dup.yaml]\n")
	files = append(files, artifact.File{Path: "overlays/prod/dup.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n")})
	_, err := artifact.Select(files, "overlays/prod")
	g.Expect(err).To(MatchError(HavePrefix("kustomization overlays/prod/kustomization.yaml: ")))
}

// FuzzKustomize: any overlay gives a rendering or an *artifact.Error, never
// a panic.
func FuzzKustomize(f *testing.F) {
	f.Add(prodOverlay)
	f.Add("resources: [../../base]\nimages: [{name: web, newTag: '2'}]\n")
	f.Add("resources: [../../base]\nreplacements: [{source: {kind: ConfigMap, name: settings, fieldPath: data.mode}, targets: [{select: {kind: Deployment}, fieldPaths: [metadata.annotations.mode], options: {create: true}}]}]\n")
	f.Add("components: [../../base]\n")
	f.Fuzz(func(t *testing.T, overlay string) {
		_, err := artifact.Select(repo(overlay), "overlays/prod")
		if err != nil {
			var ae *artifact.Error
			if !errors.As(err, &ae) {
				t.Fatalf("not an *artifact.Error: %v", err)
			}
		}
	})
}
