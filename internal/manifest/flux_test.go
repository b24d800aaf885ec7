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

package manifest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/source/artifact"
)

// artifacts answers from a map keyed by "namespace/name", and counts the
// downloads.
type artifacts struct {
	m     map[string]any // *manifest.Artifact or error
	reads *int
}

func newArtifacts(m map[string]any) artifacts { return artifacts{m: m, reads: new(int)} }

func (a artifacts) Locate(_ context.Context, ref syncv1alpha1.FluxSourceReference) (*manifest.Location, error) {
	switch v := a.m[ref.Namespace+"/"+ref.Name].(type) {
	case *manifest.Artifact:
		return &manifest.Location{Source: ref.Namespace + "/" + ref.Name, Revision: v.Revision, Path: ref.Path}, nil
	case *manifest.InvalidSourceError:
		return nil, v // a download is verified: see Read
	case error:
		return nil, v
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Group: manifest.FluxGroup, Resource: "ocirepositories"}, ref.Name)
}

func (a artifacts) Read(_ context.Context, loc *manifest.Location) (*manifest.Artifact, error) {
	*a.reads++
	return a.m[loc.Source].(*manifest.Artifact), nil
}

func fluxRef(kind, ns, name string) syncv1alpha1.ManifestSource {
	return syncv1alpha1.ManifestSource{SourceRef: &syncv1alpha1.FluxSourceReference{Kind: kind, Namespace: ns, Name: name}}
}

func TestLoadFluxSources(t *testing.T) {
	g := NewWithT(t)
	a := newArtifacts(map[string]any{
		"prod/app": &manifest.Artifact{Revision: "v1@sha256:abc", Digest: "sha256:123", Files: []artifact.File{
			{Path: "deploy/a.yaml", Data: []byte(fmt.Sprintf(cmYAML, "a") + "---\n" + fmt.Sprintf(cmYAML, "a2"))},
			{Path: "deploy/b.json", Data: []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}`)},
		}},
		"flux-system/shared": &manifest.Artifact{Revision: "main@sha1:def", Digest: "sha256:456", Files: []artifact.File{
			{Path: "c.yaml", Data: []byte(fmt.Sprintf(cmYAML, "c"))},
		}},
	})
	op := operation(nil, fluxRef("OCIRepository", "", "app"), cmRef("cm", ""), fluxRef("GitRepository", "flux-system", "shared"))
	c := fake.NewClientBuilder().WithObjects(configMap("cm", map[string]string{"x.yaml": fmt.Sprintf(cmYAML, "x")}, nil)).Build()
	res, err := manifest.LoadWith(context.Background(), c, op, manifest.Options{Artifacts: a})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Origins()).To(Equal([]string{
		"spec.sources[0] (OCIRepository prod/app, deploy/a.yaml), document 0",
		"spec.sources[0] (OCIRepository prod/app, deploy/a.yaml), document 1",
		"spec.sources[0] (OCIRepository prod/app, deploy/b.json), document 0",
		`spec.sources[1] (ConfigMap prod/cm key "x.yaml"), document 0`,
		"spec.sources[2] (GitRepository flux-system/shared, c.yaml), document 0",
	}))
	g.Expect(res.Revisions).To(Equal([]syncv1alpha1.SourceRevision{
		{Source: "OCIRepository/prod/app", Revision: "v1@sha256:abc", Digest: "sha256:123"},
		{Source: "GitRepository/flux-system/shared", Revision: "main@sha1:def", Digest: "sha256:456"},
	}))

	// Another artifact content is another digest.
	a.m["prod/app"].(*manifest.Artifact).Files[1].Data = []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b2"}}`)
	changed, err := manifest.LoadWith(context.Background(), c, op, manifest.Options{Artifacts: a})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(changed.Digest).NotTo(Equal(res.Digest))
}

func TestLoadFluxErrors(t *testing.T) {
	a := newArtifacts(map[string]any{
		"prod/bad-yaml": &manifest.Artifact{Files: []artifact.File{{Path: "deploy/api.yaml", Data: []byte(fmt.Sprintf(cmYAML, "ok") + "---\nkind: [\n")}}},
		"prod/tampered": &manifest.InvalidSourceError{Msg: "artifact", Err: &artifact.Error{Msg: "digest mismatch"}},
		"prod/waiting":  &manifest.NotReadyError{Waiting: "OCIRepository prod/waiting to be Ready: pulling"},
		"prod/broken":   errors.New("connection refused"),
	})
	tests := []struct {
		name    string
		src     syncv1alpha1.ManifestSource
		opts    manifest.Options
		err     string
		missing []manifest.MissingSource
	}{
		{name: "disabled", src: fluxRef("OCIRepository", "", "app"), err: "spec.sources[0]: sourceRef: Flux sources are disabled in this controller"},
		{name: "YAML error names the file and line", src: fluxRef("OCIRepository", "", "bad-yaml"), opts: manifest.Options{Artifacts: a},
			err: "spec.sources[0] (OCIRepository prod/bad-yaml, deploy/api.yaml):5, document 1: invalid YAML"},
		{name: "invalid", src: fluxRef("ExternalArtifact", "", "tampered"), opts: manifest.Options{Artifacts: a},
			err: "spec.sources[0] (ExternalArtifact prod/tampered): artifact: digest mismatch"},
		{name: "not ready", src: fluxRef("OCIRepository", "", "waiting"), opts: manifest.Options{Artifacts: a},
			missing: []manifest.MissingSource{{Group: manifest.FluxGroup, Kind: "OCIRepository", Namespace: "prod", Name: "waiting", Field: "spec.sources[0]",
				Waiting: "OCIRepository prod/waiting to be Ready: pulling"}}},
		{name: "not found", src: fluxRef("Bucket", "other", "gone"), opts: manifest.Options{Artifacts: a},
			missing: []manifest.MissingSource{{Group: manifest.FluxGroup, Kind: "Bucket", Namespace: "other", Name: "gone", Field: "spec.sources[0]"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := manifest.LoadWith(context.Background(), fake.NewClientBuilder().Build(), operation(nil, tt.src), tt.opts)
			g.Expect(err).To(HaveOccurred())
			var me *manifest.Error
			g.Expect(errors.As(err, &me)).To(BeTrue(), "an input error: %v", err)
			g.Expect(manifest.Missing(err)).To(Equal(tt.missing))
			if tt.err != "" {
				g.Expect(err.Error()).To(ContainSubstring(tt.err))
			}
		})
	}
	g := NewWithT(t)
	_, err := manifest.LoadWith(context.Background(), fake.NewClientBuilder().Build(), operation(nil, fluxRef("OCIRepository", "", "broken")), manifest.Options{Artifacts: a})
	var me *manifest.Error
	g.Expect(errors.As(err, &me)).To(BeFalse(), "other errors are retried: %v", err)
	g.Expect(err).To(MatchError(ContainSubstring("read spec.sources[0] (OCIRepository prod/broken): connection refused")))
}

// TestLoadDownloadsOnlyWhenNothingIsMissing: while one source is missing,
// or bad, the Ready artifacts are not downloaded on each wake.
func TestLoadDownloadsOnlyWhenNothingIsMissing(t *testing.T) {
	ready := &manifest.Artifact{Revision: "v1", Files: []artifact.File{{Path: "a.yaml", Data: []byte(fmt.Sprintf(cmYAML, "a"))}}}
	tests := []struct {
		name    string
		sources []syncv1alpha1.ManifestSource
		objects []client.Object
		reads   int
	}{
		{name: "a Flux source is missing", sources: []syncv1alpha1.ManifestSource{fluxRef("OCIRepository", "", "app"), fluxRef("OCIRepository", "", "gone")}},
		{name: "a Flux source is not ready", sources: []syncv1alpha1.ManifestSource{fluxRef("OCIRepository", "", "waiting"), fluxRef("OCIRepository", "", "app")}},
		{name: "a ConfigMap is missing", sources: []syncv1alpha1.ManifestSource{fluxRef("OCIRepository", "", "app"), cmRef("cm", "")}},
		{name: "a ConfigMap is bad", sources: []syncv1alpha1.ManifestSource{fluxRef("OCIRepository", "", "app"), cmRef("cm", "")},
			objects: []client.Object{configMap("cm", map[string]string{"x.yaml": "kind: [\n"}, nil)}},
		{name: "nothing is missing", sources: []syncv1alpha1.ManifestSource{fluxRef("OCIRepository", "", "app"), cmRef("cm", "")},
			objects: []client.Object{configMap("cm", map[string]string{"x.yaml": fmt.Sprintf(cmYAML, "x")}, nil)}, reads: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			a := newArtifacts(map[string]any{"prod/app": ready,
				"prod/waiting": &manifest.NotReadyError{Waiting: "OCIRepository prod/waiting to be Ready: pulling"}})
			c := fake.NewClientBuilder().WithObjects(tt.objects...).Build()
			res, err := manifest.LoadWith(context.Background(), c, operation(nil, tt.sources...), manifest.Options{Artifacts: a})
			g.Expect(*a.reads).To(Equal(tt.reads))
			if tt.reads == 0 {
				g.Expect(err).To(HaveOccurred())
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(res.Origins()).To(Equal([]string{"spec.sources[0] (OCIRepository prod/app, a.yaml), document 0", `spec.sources[1] (ConfigMap prod/cm key "x.yaml"), document 0`}))
		})
	}
}
