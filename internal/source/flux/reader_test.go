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

package flux_test

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	fluxmeta "github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/source/artifact"
	"github.com/syncwave/syncwave/internal/source/artifact/artifacttest"
	"github.com/syncwave/syncwave/internal/source/flux"
)

func tarball(t *testing.T, files map[string]string) ([]byte, string) {
	t.Helper()
	var entries []artifacttest.Entry
	for name, body := range files {
		entries = append(entries, artifacttest.File(name, body))
	}
	data := artifacttest.Tarball(t, entries...)
	return data, artifacttest.Digest(data)
}

func source(name string, ready metav1.ConditionStatus, msg string, art *fluxmeta.Artifact) *sourcev1.ExternalArtifact {
	ea := &sourcev1.ExternalArtifact{ObjectMeta: metav1.ObjectMeta{Namespace: "flux-system", Name: name, Generation: 2}}
	if ready != "" {
		ea.Status.Conditions = []metav1.Condition{{Type: fluxmeta.ReadyCondition, Status: ready, Reason: "Test", Message: msg, ObservedGeneration: 2}}
	}
	ea.Status.Artifact = art
	return ea
}

func TestRead(t *testing.T) {
	data, digest := tarball(t, map[string]string{"deploy/b.yaml": "b", "deploy/a.json": "{}", "deploy/README.md": "no", "other.yaml": "o"})
	var downloads atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		downloads.Add(1)
		if r.URL.Path != "/app.tar.gz" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	}))
	defer srv.Close()
	art := func(path, digest string) *fluxmeta.Artifact {
		return &fluxmeta.Artifact{URL: srv.URL + path, Revision: "v1@sha256:0123", Digest: digest, Path: "x", LastUpdateTime: metav1.Now()}
	}
	stale := source("stale", metav1.ConditionTrue, "ok", art("/app.tar.gz", digest))
	stale.Generation = 3
	scheme := runtime.NewScheme()
	NewWithT(t).Expect(sourcev1.AddToScheme(scheme)).To(Succeed())
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(
		source("ready", metav1.ConditionTrue, "stored artifact", art("/app.tar.gz", digest)),
		source("failing", metav1.ConditionFalse, "pull failed: 401 Unauthorized", art("/app.tar.gz", digest)),
		source("new", "", "", nil),
		source("no-artifact", metav1.ConditionTrue, "ok", nil),
		stale,
		source("gone", metav1.ConditionTrue, "ok", art("/old.tar.gz", digest)),
		source("tampered", metav1.ConditionTrue, "ok", art("/app.tar.gz", "sha256:"+hex.EncodeToString(make([]byte, 32)))),
	).Build()
	r := &flux.Reader{Client: c, Fetcher: &artifact.Fetcher{Client: srv.Client(), Limits: artifact.DefaultLimits(1 << 20)}}
	ref := func(name, path string) syncv1alpha1.FluxSourceReference {
		return syncv1alpha1.FluxSourceReference{Kind: "ExternalArtifact", Namespace: "flux-system", Name: name, Path: path}
	}
	read := func(ref syncv1alpha1.FluxSourceReference) (*manifest.Artifact, error) {
		loc, err := r.Locate(context.Background(), ref)
		if err != nil {
			return nil, err
		}
		return r.Read(context.Background(), loc)
	}

	g := NewWithT(t)
	loc, err := r.Locate(context.Background(), ref("ready", "./deploy"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(downloads.Load()).To(BeZero(), "Locate downloads nothing")
	g.Expect(*loc).To(Equal(manifest.Location{Source: "ExternalArtifact flux-system/ready", URL: srv.URL + "/app.tar.gz",
		Revision: "v1@sha256:0123", Digest: digest, Size: -1, Path: "./deploy"}))
	got, err := r.Read(context.Background(), loc)
	g.Expect(downloads.Load()).To(BeEquivalentTo(1))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got.Revision).To(Equal("v1@sha256:0123"))
	g.Expect(got.Digest).To(Equal(digest))
	g.Expect(got.Files).To(Equal([]artifact.File{{Path: "deploy/a.json", Data: []byte("{}")}, {Path: "deploy/b.yaml", Data: []byte("b")}}))

	waits := map[string]string{
		"failing":     "ExternalArtifact flux-system/failing to be Ready: pull failed: 401 Unauthorized (False)",
		"new":         "ExternalArtifact flux-system/new to be Ready: it has no Ready condition yet",
		"no-artifact": "ExternalArtifact flux-system/no-artifact to be Ready: it has no artifact yet",
		"stale":       "ExternalArtifact flux-system/stale to be Ready: its Ready condition is of generation 2, not 3",
	}
	for name, want := range waits {
		_, err := r.Locate(context.Background(), ref(name, ""))
		var nr *manifest.NotReadyError
		g.Expect(errors.As(err, &nr)).To(BeTrue(), "%s: %v", name, err)
		g.Expect(nr.Waiting).To(Equal(want))
		g.Expect(nr.Retry).To(BeFalse(), "a watch of the source tells when it changes")
	}
	_, err = read(ref("gone", ""))
	var nr *manifest.NotReadyError
	g.Expect(errors.As(err, &nr)).To(BeTrue(), "%v", err)
	g.Expect(nr.Retry).To(BeTrue(), "a download that fails is tried again")
	g.Expect(nr.Waiting).To(ContainSubstring("the artifact of ExternalArtifact flux-system/gone (revision v1@sha256:0123) to be served: GET "))

	var inv *manifest.InvalidSourceError
	_, err = read(ref("tampered", ""))
	g.Expect(errors.As(err, &inv)).To(BeTrue(), "%v", err)
	g.Expect(err.Error()).To(ContainSubstring("artifact of revision v1@sha256:0123: digest mismatch"))
	_, err = read(ref("ready", "missing"))
	g.Expect(errors.As(err, &inv)).To(BeTrue(), "%v", err)
	g.Expect(err.Error()).To(ContainSubstring(`path "missing": the artifact has no files there`))

	_, err = r.Locate(context.Background(), syncv1alpha1.FluxSourceReference{Kind: "ExternalArtifact", Namespace: "flux-system", Name: "absent"})
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "%v", err)
}

func TestReadKindNotServed(t *testing.T) {
	g := NewWithT(t)
	scheme := runtime.NewScheme()
	g.Expect(sourcev1.AddToScheme(scheme)).To(Succeed())
	c := fake.NewClientBuilder().WithScheme(scheme).WithInterceptorFuncs(interceptor.Funcs{
		Get: func(_ context.Context, _ client.WithWatch, _ client.ObjectKey, _ client.Object, _ ...client.GetOption) error {
			return &apimeta.NoKindMatchError{GroupKind: schema.GroupKind{Group: "source.toolkit.fluxcd.io", Kind: "OCIRepository"}, SearchedVersions: []string{"v1"}}
		},
	}).Build()
	r := &flux.Reader{Client: c, Fetcher: &artifact.Fetcher{Limits: artifact.DefaultLimits(1 << 20)}}
	_, err := r.Locate(context.Background(), syncv1alpha1.FluxSourceReference{Kind: "OCIRepository", Namespace: "apps", Name: "app"})
	var inv *manifest.InvalidSourceError
	g.Expect(errors.As(err, &inv)).To(BeTrue(), "%v", err)
	g.Expect(err.Error()).To(Equal("source.toolkit.fluxcd.io/v1 OCIRepository is not served by this cluster: install Flux's source-controller (or at least its CRDs)"))
	_, err = r.Locate(context.Background(), syncv1alpha1.FluxSourceReference{Kind: "HelmChart", Namespace: "apps", Name: "app"})
	g.Expect(errors.As(err, &inv)).To(BeTrue(), "%v", err)
}
