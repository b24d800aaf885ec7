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

package controller_test

import (
	"archive/tar"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	fluxmeta "github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/source/artifact/artifacttest"
)

var installFluxCRD sync.Once

// fluxCRD installs Flux's ExternalArtifact CRD (testdata/flux) once.
func fluxCRD(t *testing.T) {
	t.Helper()
	installFluxCRD.Do(func() {
		g := NewWithT(t)
		data, err := os.ReadFile(filepath.Join("testdata", "flux", "source.toolkit.fluxcd.io_externalartifacts.yaml"))
		g.Expect(err).NotTo(HaveOccurred())
		crd := &unstructured.Unstructured{}
		g.Expect(yaml.Unmarshal(data, &crd.Object)).To(Succeed())
		if err := k8s.Create(context.Background(), crd); !apierrors.IsAlreadyExists(err) {
			g.Expect(err).NotTo(HaveOccurred())
		}
		g.Eventually(func() error {
			return k8s.List(context.Background(), &sourcev1.ExternalArtifactList{})
		}, 30*time.Second, 50*time.Millisecond).Should(Succeed(), "ExternalArtifact is served")
	})
}

type entry = artifacttest.Entry

var (
	tarGz    = artifacttest.Tarball
	digestOf = artifacttest.Digest
)

// artifactServer serves tarballs over loopback HTTP, as source-controller
// serves its storage.
type artifactServer struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string]func(w http.ResponseWriter)
}

func serveArtifacts(t *testing.T) *artifactServer {
	t.Helper()
	s := &artifactServer{files: map[string]func(w http.ResponseWriter){}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		f := s.files[r.URL.Path]
		s.mu.Unlock()
		if f == nil {
			http.NotFound(w, r)
			return
		}
		f(w)
	}))
	t.Cleanup(s.Close)
	return s
}

// put serves data at path and returns its URL.
func (s *artifactServer) put(path string, data []byte) string {
	return s.handle(path, func(w http.ResponseWriter) { _, _ = w.Write(data) })
}

func (s *artifactServer) handle(path string, f func(w http.ResponseWriter)) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = f
	return s.URL + path
}

// setArtifact writes the status a source-controller would write.
func setArtifact(t *testing.T, ea *sourcev1.ExternalArtifact, ready metav1.ConditionStatus, msg string, art *fluxmeta.Artifact) {
	t.Helper()
	g := NewWithT(t)
	g.Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(ea), ea)).To(Succeed())
	ea.Status.Conditions = []metav1.Condition{{Type: fluxmeta.ReadyCondition, Status: ready, Reason: "Test", Message: msg,
		ObservedGeneration: ea.Generation, LastTransitionTime: metav1.Now()}}
	ea.Status.Artifact = art
	g.Expect(k8s.Status().Update(context.Background(), ea)).To(Succeed())
}

func externalArtifact(t *testing.T, ns, name string) *sourcev1.ExternalArtifact {
	t.Helper()
	ea := &sourcev1.ExternalArtifact{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	NewWithT(t).Expect(k8s.Create(context.Background(), ea)).To(Succeed())
	return ea
}

func fluxSource(kind, ns, name, path string) []syncv1alpha1.ManifestSource {
	return []syncv1alpha1.ManifestSource{{SourceRef: &syncv1alpha1.FluxSourceReference{Kind: kind, Namespace: ns, Name: name, Path: path}}}
}

// TestFluxSourceWaitsUntilReady: an operation whose ExternalArtifact (in
// another namespace) is not Ready waits Pending, saying why, woken by the
// source's watch at each change; once Ready, the artifact served over HTTP
// is verified and applied, and its revision recorded.
func TestFluxSourceWaitsUntilReady(t *testing.T) {
	fluxCRD(t)
	g := NewWithT(t)
	ns, srcNs := namespace(t), namespace(t)
	srv := serveArtifacts(t)
	data := tarGz(t,
		entry{Name: "./", Type: tar.TypeDir},
		entry{Name: "./deploy/", Type: tar.TypeDir},
		entry{Name: "./deploy/b.yaml", Body: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: second, annotations: {argocd.argoproj.io/sync-wave: \"1\"}}\n"},
		entry{Name: "./deploy/a.yaml", Body: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: first-2}\n"},
		entry{Name: "./deploy/notes.txt", Body: "not a manifest"},
		entry{Name: "./other/outside.yaml", Body: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside}\n"},
	)
	ea := externalArtifact(t, srcNs, "app")
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns},
		Spec: syncv1alpha1.SyncOperationSpec{Sources: fluxSource("ExternalArtifact", srcNs, "app", "./deploy")}}
	g.Expect(k8s.Create(context.Background(), op)).To(Succeed())
	message := func() string {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		return op.Status.Message
	}
	g.Eventually(message, 15*time.Second, 20*time.Millisecond).Should(Equal(
		"waiting for ExternalArtifact " + srcNs + "/app to be Ready: it has no Ready condition yet"))
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationPending))
	g.Expect(op.Status.BlockedBy).To(ConsistOf(And(HaveField("ResourceRef.Group", "source.toolkit.fluxcd.io"),
		HaveField("ResourceRef.Kind", "ExternalArtifact"), HaveField("Health", syncv1alpha1.HealthProgressing))))

	setArtifact(t, ea, metav1.ConditionFalse, "building artifact: cloning", nil)
	g.Eventually(message, 15*time.Second, 20*time.Millisecond).Should(Equal(
		"waiting for ExternalArtifact "+srcNs+"/app to be Ready: building artifact: cloning (False)"), "woken by the source's watch")
	g.Expect(op.Status.Snapshot).To(BeNil(), "nothing is pinned before the source is Ready")
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "first")).To(BeFalse())

	url := srv.put("/externalartifact/app/v1.tar.gz", data)
	ready := time.Now()
	setArtifact(t, ea, metav1.ConditionTrue, "stored artifact for revision v1", &fluxmeta.Artifact{
		URL: url, Path: "externalartifact/app/v1.tar.gz", Revision: "v1@sha256:1a2b3c", Digest: digestOf(data),
		Size: ptr.To(int64(len(data))), LastUpdateTime: metav1.Now()})
	g.Eventually(func() bool {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		return op.Status.Phase.Terminal()
	}, 30*time.Second, 20*time.Millisecond).Should(BeTrue())
	t.Logf("Ready → %s in %s", op.Status.Phase, time.Since(ready))
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Status.Revisions).To(Equal([]syncv1alpha1.SourceRevision{
		{Source: "ExternalArtifact/" + srcNs + "/app", Revision: "v1@sha256:1a2b3c", Digest: digestOf(data)}}))
	for _, name := range []string{"first", "first-2", "second"} {
		g.Expect(exists(t, &corev1.ConfigMap{}, ns, name)).To(BeTrue(), name)
	}
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "outside")).To(BeFalse(), "only the files under path are read")
	g.Expect(op.Status.Steps).To(HaveLen(2), "a.yaml's objects in wave 0, b.yaml's in wave 1")

	// The plan is pinned: a new revision of the source changes nothing.
	setArtifact(t, ea, metav1.ConditionFalse, "new revision failing", nil)
	g.Consistently(func() []syncv1alpha1.SourceRevision {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		return op.Status.Revisions
	}, time.Second, 100*time.Millisecond).Should(HaveLen(1))
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded))
}

// TestFluxArtifactRejected: an artifact that fails verification or holds
// what an archive must not fails the operation with InvalidManifests,
// naming the source and the problem, and applies nothing.
func TestFluxArtifactRejected(t *testing.T) {
	fluxCRD(t)
	ns := namespace(t)
	srv := serveArtifacts(t)
	good := entry{Name: "deploy/target.yaml", Body: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: target}\n"}
	tests := []struct {
		name   string
		data   []byte
		digest string // default: the data's
		serve  func(w http.ResponseWriter)
		want   string
	}{
		{name: "tampered", data: tarGz(t, good), digest: digestOf([]byte("what the source-controller stored")),
			want: "digest mismatch: the artifact has sha256:"},
		{name: "dot-dot", data: tarGz(t, good, entry{Name: "deploy/../../escape.yaml", Body: "x"}),
			want: `entry "deploy/../../escape.yaml": a ".." element escapes the archive`},
		{name: "symlink", data: tarGz(t, good, entry{Name: "deploy/link.yaml", Type: tar.TypeSymlink, Link: "/etc/passwd"}),
			want: `entry "deploy/link.yaml" is a symbolic link (to "/etc/passwd")`},
		{name: "remote-base", data: tarGz(t, good, entry{Name: "deploy/kustomization.yaml", Body: "resources: [target.yaml, 'github.com/example/app//deploy?ref=v1']\n"}),
			want: `deploy/kustomization.yaml names "github.com/example/app//deploy?ref=v1", which is not a file or directory of the artifact: remote bases and URLs are not fetched`},
		{name: "oversized", data: tarGz(t, good), serve: func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "62914560") // 60 MiB, over the default 50 MiB limit
			w.WriteHeader(http.StatusOK)
		}, want: "the artifact is 62914560 bytes, more than the limit of 52428800 (--max-artifact-size)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			ea := externalArtifact(t, ns, tt.name)
			url := srv.put("/"+tt.name+".tar.gz", tt.data)
			if tt.serve != nil {
				url = srv.handle("/"+tt.name+".tar.gz", tt.serve)
			}
			digest := tt.digest
			if digest == "" {
				digest = digestOf(tt.data)
			}
			setArtifact(t, ea, metav1.ConditionTrue, "stored", &fluxmeta.Artifact{URL: url, Path: tt.name, Revision: "main@sha1:abc", Digest: digest, LastUpdateTime: metav1.Now()})
			op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: tt.name, Namespace: ns},
				Spec: syncv1alpha1.SyncOperationSpec{Sources: fluxSource("ExternalArtifact", "", tt.name, "deploy")}}
			g.Expect(k8s.Create(context.Background(), op)).To(Succeed())
			waitFor(t, op, "fails", func(op *syncv1alpha1.SyncOperation) bool { return op.Status.Phase.Terminal() })
			g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
			g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonInvalidManifests))
			g.Expect(op.Status.Message).To(HavePrefix("spec.sources[0] (ExternalArtifact %s/%s): artifact of revision main@sha1:abc: ", ns, tt.name))
			g.Expect(op.Status.Message).To(ContainSubstring(tt.want))
			g.Expect(op.Status.Snapshot).To(BeNil())
			g.Expect(exists(t, &corev1.ConfigMap{}, ns, "target")).To(BeFalse(), "nothing is applied")
		})
	}
}

// TestFluxKindNotServed: a sourceRef of a Flux kind whose CRD is not
// installed fails at once with a message that says what to install.
func TestFluxKindNotServed(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Sources: fluxSource("GitRepository", "", "app", "")})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonInvalidManifests))
	g.Expect(op.Status.Message).To(Equal("spec.sources[0] (GitRepository " + ns + "/app): source.toolkit.fluxcd.io/v1 GitRepository is not served by this cluster: install Flux's source-controller (or at least its CRDs)"))
}

// TestFluxSourceNeverReadyTimesOut: a source that stays not Ready fails the
// operation at its timeout, saying what it waited for.
func TestFluxSourceNeverReadyTimesOut(t *testing.T) {
	fluxCRD(t)
	g := NewWithT(t)
	ns := namespace(t)
	ea := externalArtifact(t, ns, "stuck")
	setArtifact(t, ea, metav1.ConditionFalse, "upstream unreachable", nil)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Timeout: &metav1.Duration{Duration: 2 * time.Second},
		Sources: fluxSource("ExternalArtifact", "", "stuck", "")})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonInvalidManifests))
	g.Expect(op.Status.Message).To(Equal("waiting for ExternalArtifact " + ns + "/stuck to be Ready: upstream unreachable (False): gave up after the operation's timeout of 2s"))
}

// TestFluxKustomization: a path that holds a kustomization is built, as
// Flux's kustomize-controller builds it (an overlay of a base elsewhere in
// the artifact), and the result is what the operation applies.
func TestFluxKustomization(t *testing.T) {
	fluxCRD(t)
	g := NewWithT(t)
	ns := namespace(t)
	srv := serveArtifacts(t)
	data := tarGz(t,
		entry{Name: "base/kustomization.yaml", Body: "resources: [settings.yaml]\n"},
		entry{Name: "base/settings.yaml", Body: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: dev}\n"},
		entry{Name: "overlays/prod/kustomization.yaml", Body: "namePrefix: prod-\nresources: [../../base]\npatches: [{path: mode.yaml}]\n" +
			"configMapGenerator: [{name: region, literals: [region=eu], options: {disableNameSuffixHash: true, annotations: {argocd.argoproj.io/sync-wave: '1'}}}]\n"},
		entry{Name: "overlays/prod/mode.yaml", Body: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: prod}\n"},
	)
	ea := externalArtifact(t, ns, "repo")
	setArtifact(t, ea, metav1.ConditionTrue, "stored", &fluxmeta.Artifact{URL: srv.put("/repo.tar.gz", data), Path: "repo",
		Revision: "main@sha1:abc", Digest: digestOf(data), LastUpdateTime: metav1.Now()})
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Sources: fluxSource("ExternalArtifact", "", "repo", "./overlays/prod")})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Status.Steps).To(HaveLen(2), "the generated ConfigMap's wave annotation is read")
	settings := &corev1.ConfigMap{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "prod-settings"}, settings)).To(Succeed())
	g.Expect(settings.Data).To(Equal(map[string]string{"mode": "prod"}))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "prod-region")).To(BeTrue())
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "settings")).To(BeFalse(), "the base alone is not applied")
}
