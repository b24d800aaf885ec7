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

package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	. "github.com/onsi/gomega"
	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manifest"
)

func newFakeClient(t *testing.T, objs ...client.Object) client.WithWatch {
	t.Helper()
	s, err := newScheme()
	if err != nil {
		t.Fatal(err)
	}
	return fake.NewClientBuilder().WithScheme(s).WithObjects(objs...).
		WithStatusSubresource(&syncv1alpha1.SyncOperation{}).Build()
}

func sources(docs []document) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.source)
	}
	return out
}

// readDocuments reads the manifests that the flags in args name the way
// create does, and returns the documents it would pack; what -v prints
// goes to stderr.
func readDocuments(t *testing.T, stdin string, args ...string) (docs []document, stderr string, err error) {
	t.Helper()
	cmd := &cobra.Command{}
	m := addManifestFlags(cmd)
	if err := cmd.Flags().Parse(args); err != nil {
		t.Fatal(err)
	}
	var errOut strings.Builder
	set, err := m.parsed(strings.NewReader(stdin), &errOut)
	if err != nil {
		return nil, errOut.String(), err
	}
	docs, err = documents(set.inputs)
	return docs, errOut.String(), err
}

func TestCreateReadsManifests(t *testing.T) {
	g := NewWithT(t)
	dir := filepath.Join("testdata", "create", "app")
	stdin := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
	docs, stderr, err := readDocuments(t, stdin, "-f", dir, "-f", "-", "-v")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cmp.Diff([]string{
		filepath.Join(dir, "10-base.yaml") + "#0",
		filepath.Join(dir, "10-base.yaml") + "#2",
		filepath.Join(dir, "sub", "20-deploy.yml") + "#0",
		filepath.Join(dir, "sub", "30-svc.json") + "#0",
		"<stdin>#0",
	}, sources(docs))).To(BeEmpty())
	g.Expect(string(docs[1].data)).To(ContainSubstring("kind: ConfigMap"))
	g.Expect(string(docs[3].data)).To(HavePrefix("{"))
	g.Expect(stderr).To(Equal("skipped " + filepath.Join(dir, "README.md") + ": not .yaml, .yml or .json\n"))

	// Without -v nothing is said; commas separate paths as in kubectl.
	docs, stderr, err = readDocuments(t, "", "-f", filepath.Join(dir, "10-base.yaml")+","+filepath.Join(dir, "sub"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(docs).To(HaveLen(4))
	g.Expect(stderr).To(BeEmpty())
}

func TestCreatePacksStdinAndKustomization(t *testing.T) {
	g := NewWithT(t)
	stdin := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: piped\n"
	docs, _, err := readDocuments(t, stdin, "-f", "-", "-k", filepath.Join("testdata", "create", "kustomize", "overlay"))
	g.Expect(err).NotTo(HaveOccurred())
	cms, err := packConfigMaps("rel", "prod", docs, maxConfigMapData)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cms).To(HaveLen(1))
	g.Expect(cms[0].Data).To(HaveLen(3))
	g.Expect(cms[0].Data["0000.yaml"]).To(Equal(stdin))
	deploy, cm := cms[0].Data["0001.yaml"], cms[0].Data["0002.yaml"]
	// The overlay's patch and namespace, on the base's resources in order.
	g.Expect(deploy).To(ContainSubstring("kind: Deployment\n"))
	g.Expect(deploy).To(ContainSubstring("namespace: shop\n"))
	g.Expect(deploy).To(ContainSubstring("replicas: 3\n"))
	g.Expect(deploy).To(ContainSubstring("image: registry.example/web:2.0\n"))
	g.Expect(deploy).NotTo(ContainSubstring("web:1.0"))
	g.Expect(cm).To(ContainSubstring("kind: ConfigMap\n"))
	g.Expect(cm).To(ContainSubstring("mode: base\n"))
}

func TestCreateRefusesBadManifests(t *testing.T) {
	g := NewWithT(t)
	_, _, err := readDocuments(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nmetadata: {name: [\n", "-f", "-")
	g.Expect(err).To(MatchError("invalid manifests: <stdin>:5, document 1: invalid YAML: did not find expected node content"))

	_, _, err = readDocuments(t, "", "-f", filepath.Join("testdata", "create", "app", "missing.yaml"))
	g.Expect(err).To(MatchError(ContainSubstring("no such file or directory")))
}

// manifestSet returns about size bytes of documents of varied sizes.
func manifestSet(size int) []document {
	var docs []document
	for total, i := 0, 0; total < size; i++ {
		n := 2 << 10
		switch i % 10 {
		case 3:
			n = 300 << 10 // a large CRD
		case 7:
			n = 40 << 10
		}
		body := fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\ndata:\n  pad: %q\n", i, strings.Repeat("x", n))
		docs = append(docs, document{source: fmt.Sprintf("doc-%d", i), data: []byte(body)})
		total += len(body)
	}
	return docs
}

func dataSize(cm *corev1.ConfigMap) int {
	n := 0
	for k, v := range cm.Data {
		n += len(k) + len(v)
	}
	return n
}

func TestPackConfigMapsSplitsUnderTheLimit(t *testing.T) {
	g := NewWithT(t)
	docs := manifestSet(3 << 20)
	cms, err := packConfigMaps("suite", "prod", docs, maxConfigMapData)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(len(cms)).To(BeNumerically(">=", 4), "3 MiB needs at least 4 ConfigMaps of 900 KiB")

	// Reading like the controller does (sources in order, keys sorted)
	// gives the documents back in order.
	var got []string
	for i, cm := range cms {
		g.Expect(cm.Name).To(Equal(fmt.Sprintf("suite-manifests-%d", i)))
		g.Expect(cm.Namespace).To(Equal("prod"))
		g.Expect(dataSize(cm)).To(BeNumerically("<=", maxConfigMapData), cm.Name)
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range cm.Data {
				if !yield(k) {
					return
				}
			}
		}) {
			got = append(got, cm.Data[k])
		}
	}
	var want []string
	for _, d := range docs {
		want = append(want, string(d.data))
	}
	g.Expect(got).To(HaveLen(len(want)))
	g.Expect(got).To(Equal(want))
}

func TestPackConfigMapsKeys(t *testing.T) {
	g := NewWithT(t)
	docs := []document{{data: []byte("kind: A\n")}, {data: []byte(`{"kind":"B"}`)}, {data: []byte("kind: C\n")}}
	cms, err := packConfigMaps("x", "ns", docs, 100)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cms).To(HaveLen(1))
	g.Expect(cms[0].Data).To(Equal(map[string]string{
		"0000.yaml": "kind: A\n", "0001.json": `{"kind":"B"}`, "0002.yaml": "kind: C\n",
	}))

	// The limit counts keys and values: 17, 21 and 17 bytes.
	cms, err = packConfigMaps("x", "ns", docs, 40)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cms).To(HaveLen(2))
	g.Expect(cms[1].Data).To(HaveKey("0002.yaml"))
}

func TestPackConfigMapsErrors(t *testing.T) {
	g := NewWithT(t)
	_, err := packConfigMaps("x", "ns", []document{{source: "big.yaml#0", data: make([]byte, 200)}}, 100)
	g.Expect(err).To(MatchError(ContainSubstring("big.yaml#0")))

	many := make([]document, maxSources+1)
	for i := range many {
		many[i] = document{data: []byte("kind: A\n")}
	}
	_, err = packConfigMaps("x", "ns", many, 20)
	g.Expect(err).To(MatchError(ContainSubstring("at most 100")))
}

func TestCreateOperation(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	c := newFakeClient(t)
	docs := manifestSet(2 << 20)
	o := &createOptions{timeout: 10 * time.Minute, targetNamespace: "shop"}

	op, err := createOperation(ctx, c, "prod", "suite", docs, o)
	g.Expect(err).NotTo(HaveOccurred())

	got := &syncv1alpha1.SyncOperation{}
	g.Expect(c.Get(ctx, types.NamespacedName{Namespace: "prod", Name: "suite"}, got)).To(Succeed())
	g.Expect(got.Spec.TargetNamespace).To(Equal("shop"))
	g.Expect(got.Spec.Timeout).To(Equal(&metav1.Duration{Duration: 10 * time.Minute}))
	g.Expect(got.Spec.WaveTimeout).To(BeNil())
	g.Expect(len(got.Spec.Sources)).To(BeNumerically(">", 1))

	for i, src := range got.Spec.Sources {
		name := fmt.Sprintf("suite-manifests-%d", i)
		g.Expect(src).To(Equal(syncv1alpha1.ManifestSource{ConfigMapRef: &syncv1alpha1.KeyReference{Name: name}}))
		cm := &corev1.ConfigMap{}
		g.Expect(c.Get(ctx, types.NamespacedName{Namespace: "prod", Name: name}, cm)).To(Succeed())
		g.Expect(cm.OwnerReferences).To(Equal([]metav1.OwnerReference{{
			APIVersion: "syncwave.dev/v1alpha1", Kind: "SyncOperation", Name: "suite", UID: op.UID,
		}}))
	}
}

func TestCreateOperationCleansUpWhenTheOperationExists(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	existing := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: "prod", Name: "suite"}}
	c := newFakeClient(t, existing)

	_, err := createOperation(ctx, c, "prod", "suite", manifestSet(10), &createOptions{})
	g.Expect(apierrors.IsAlreadyExists(err)).To(BeTrue(), "%v", err)
	g.Expect(err.Error()).To(HavePrefix("SyncOperation prod/suite already exists: an operation runs once"))
	cms := &corev1.ConfigMapList{}
	g.Expect(c.List(ctx, cms, client.InNamespace("prod"))).To(Succeed())
	g.Expect(cms.Items).To(BeEmpty(), "nothing packed")

	// Created by someone else between the check and the create: the
	// packed ConfigMaps are deleted again.
	racing := interceptor.NewClient(c, interceptor.Funcs{Get: func(ctx context.Context, cl client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
		if _, ok := obj.(*syncv1alpha1.SyncOperation); ok {
			return apierrors.NewNotFound(syncv1alpha1.GroupVersion.WithResource("syncoperations").GroupResource(), key.Name)
		}
		return cl.Get(ctx, key, obj, opts...)
	}})
	_, err = createOperation(ctx, racing, "prod", "suite", manifestSet(10), &createOptions{})
	g.Expect(apierrors.IsAlreadyExists(err)).To(BeTrue(), "%v", err)
	g.Expect(err.Error()).To(HavePrefix("create SyncOperation prod/suite: "))
	g.Expect(c.List(ctx, cms, client.InNamespace("prod"))).To(Succeed())
	g.Expect(cms.Items).To(BeEmpty(), "the packed ConfigMaps are cleaned up")
}

// Secrets go into the ConfigMaps as SPEC §11 says; the plugin warns that
// their values become readable with ConfigMaps, naming them.
func TestCreateWarnsOfSecrets(t *testing.T) {
	g := NewWithT(t)
	parse := func(doc string) []manifest.Object {
		objs, err := manifest.Parse("test", []byte(doc))
		g.Expect(err).NotTo(HaveOccurred())
		return objs
	}
	var stderr bytes.Buffer
	warnSecrets(&stderr, parse("apiVersion: v1\nkind: Secret\nmetadata: {name: db}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"+
		"---\napiVersion: example.com/v1\nkind: Secret\nmetadata: {name: not-core}\n"))
	g.Expect(stderr.String()).To(HavePrefix("warning: 1 Secret manifest(s) (db) are packed into ConfigMaps: "))
	stderr.Reset()
	warnSecrets(&stderr, parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"))
	g.Expect(stderr.String()).To(BeEmpty())
}

// TestCreateReplacesTheLeftoversOfAnEarlierOperation: the manifests
// ConfigMaps of a deleted operation of the same name that the garbage
// collector has not removed yet are replaced; a ConfigMap of that name
// that no such operation owns is not.
func TestCreateReplacesTheLeftoversOfAnEarlierOperation(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	leftover := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "suite-manifests-0", Namespace: "prod",
		OwnerReferences: []metav1.OwnerReference{{APIVersion: syncv1alpha1.GroupVersion.String(), Kind: "SyncOperation", Name: "suite", UID: "gone"}}},
		Data: map[string]string{"old.yaml": "stale"}}
	c := newFakeClient(t, leftover)
	op, err := createOperation(ctx, c, "prod", "suite", manifestSet(10), &createOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	cm := &corev1.ConfigMap{}
	g.Expect(c.Get(ctx, client.ObjectKeyFromObject(leftover), cm)).To(Succeed())
	g.Expect(cm.Data).NotTo(HaveKey("old.yaml"))
	g.Expect(cm.OwnerReferences).To(ConsistOf(HaveField("UID", op.UID)))

	theirs := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "other-manifests-0", Namespace: "prod"}, Data: map[string]string{"k": "v"}}
	c = newFakeClient(t, theirs)
	_, err = createOperation(ctx, c, "prod", "other", manifestSet(10), &createOptions{})
	g.Expect(apierrors.IsAlreadyExists(err)).To(BeTrue(), "%v", err)
	g.Expect(c.Get(ctx, client.ObjectKeyFromObject(theirs), cm)).To(Succeed())
	g.Expect(cm.Data).To(Equal(map[string]string{"k": "v"}), "someone else's ConfigMap is left alone")
}
