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
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manifest"
	pinned "github.com/syncwave/syncwave/internal/snapshot"
	"github.com/syncwave/syncwave/internal/source/files"
)

// bigObject is one ConfigMap of the large manifest set.
type bigObject struct {
	name string
	wave int
}

// largeManifestSet returns n ConfigMaps of about 10 KiB each, spread over
// waves -2..2, written in an order that is neither by wave nor by name,
// as YAML documents split over files documents each.
func largeManifestSet(t *testing.T, n, files int) ([]bigObject, map[string]string) {
	t.Helper()
	objs := make([]bigObject, n)
	contents := make([]strings.Builder, files)
	line := strings.Repeat("0123456789abcdef", 8) // 128 bytes
	for i := range objs {
		// 7919 is prime, so i -> 7919*i mod n is a permutation of the names.
		objs[i] = bigObject{name: fmt.Sprintf("big-%03d", (7919*i)%n), wave: (3*i)%5 - 2}
		cm := map[string]any{
			"apiVersion": "v1",
			"kind":       "ConfigMap",
			"metadata": map[string]any{
				"name":        objs[i].name,
				"annotations": map[string]any{"argocd.argoproj.io/sync-wave": fmt.Sprint(objs[i].wave)},
			},
			"data": map[string]any{
				"index":   fmt.Sprint(i),
				"payload": strings.Repeat(line, 80), // 10 KiB
			},
		}
		b, err := yaml.Marshal(cm)
		if err != nil {
			t.Fatal(err)
		}
		f := &contents[i*files/n]
		fmt.Fprintf(f, "# document of object %d\n---\n%s", i, b)
	}
	out := map[string]string{}
	for i := range contents {
		out[fmt.Sprintf("part-%d.yaml", i)] = contents[i].String()
	}
	return objs, out
}

// expectedDigest is the planDigest of the manifests of dir read in the
// order create packs them: files in lexical order, documents in order.
func expectedDigest(t *testing.T, dir string) string {
	t.Helper()
	inputs, err := files.Read(files.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	docs, err := documents(inputs)
	if err != nil {
		t.Fatal(err)
	}
	var objs []manifest.Object
	for _, d := range docs {
		o, err := manifest.Parse(d.source, d.data)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o...)
	}
	return manifest.Digest(objs)
}

func TestLiveCreateSplitsLargeManifestSet(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)
	ctx := context.Background()

	const n = 320
	objs, files := largeManifestSet(t, n, 4)
	dir := writeManifests(t, files)
	total := 0
	for _, f := range files {
		total += len(f)
	}
	g.Expect(total).To(BeNumerically(">", 3<<20), "the manifest set is over 3 MiB")

	stdout, stderr, code := kubectlSyncwave(t, ns, "create", "big", "-f", dir, "--wait")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stderr).To(BeEmpty())
	g.Expect(stdout).To(MatchRegexp(`syncoperation\.syncwave\.dev/big created \(%d manifests in \d+ ConfigMaps\)`, n))
	g.Expect(stdout).To(ContainSubstring("Succeeded"))

	op := getOperation(g, ns, "big")
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonSucceeded))

	// Several ConfigMaps, each under the object limit and owned by the
	// operation, referenced in order.
	var cms corev1.ConfigMapList
	g.Expect(live.client.List(ctx, &cms, client.InNamespace(ns),
		client.MatchingLabels{"app.kubernetes.io/managed-by": "kubectl-syncwave"})).To(Succeed())
	g.Expect(len(cms.Items)).To(BeNumerically(">=", 3))
	g.Expect(op.Spec.Sources).To(HaveLen(len(cms.Items)))
	byName := map[string]corev1.ConfigMap{}
	for _, cm := range cms.Items {
		byName[cm.Name] = cm
	}
	var keys []string // every data key, ConfigMap after ConfigMap
	for i, src := range op.Spec.Sources {
		name := fmt.Sprintf("big-manifests-%d", i)
		g.Expect(src.ConfigMapRef).NotTo(BeNil())
		g.Expect(src.ConfigMapRef.Name).To(Equal(name))
		g.Expect(src.ConfigMapRef.Key).To(BeEmpty())
		cm, ok := byName[name]
		g.Expect(ok).To(BeTrue(), "ConfigMap %s exists", name)
		raw, err := json.Marshal(cm)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(len(raw)).To(BeNumerically("<", 1<<20), "ConfigMap %s is under 1 MiB", name)
		g.Expect(cm.OwnerReferences).To(ContainElement(SatisfyAll(
			HaveField("APIVersion", syncv1alpha1.GroupVersion.String()),
			HaveField("Kind", "SyncOperation"),
			HaveField("Name", "big"),
			HaveField("UID", op.UID),
		)), "ConfigMap %s is owned by the operation", name)
		keys = append(keys, slices.Sorted(maps.Keys(cm.Data))...)
	}
	g.Expect(keys).To(HaveLen(n))
	g.Expect(slices.IsSorted(keys)).To(BeTrue(), "the documents are spread over the ConfigMaps in order")

	// The controller read every document back in the order written: the
	// plan digest covers the objects in input order.
	g.Expect(op.Status.PlanDigest).To(Equal(expectedDigest(t, dir)))

	// status.resources: every object, in plan order (wave, then name).
	want := slices.Clone(objs)
	slices.SortFunc(want, func(a, b bigObject) int {
		return cmp.Or(cmp.Compare(a.wave, b.wave), strings.Compare(a.name, b.name))
	})
	rows, err := pinned.Resources(context.Background(), live.client, op)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(rows).To(HaveLen(n))
	for i, r := range rows {
		g.Expect(r.Kind).To(Equal("ConfigMap"))
		g.Expect(r.Namespace).To(Equal(ns))
		g.Expect(r.Name).To(Equal(want[i].name), "resource %d", i)
		g.Expect(r.Wave).To(BeEquivalentTo(want[i].wave), "resource %d (%s)", i, r.Name)
		g.Expect(r.SyncPhase).To(Equal(syncv1alpha1.SyncPhaseSync))
		g.Expect(r.Status).To(Equal(syncv1alpha1.ResultSynced))
		g.Expect(r.Health).To(Equal(syncv1alpha1.HealthHealthy))
	}
	// get -o json has every row too, as the table does.
	stdout, stderr, code = kubectlSyncwave(t, ns, "get", "big", "-o", "json")
	g.Expect(code).To(Equal(0), stderr)
	var printed syncv1alpha1.SyncOperation
	g.Expect(json.Unmarshal([]byte(stdout), &printed)).To(Succeed())
	g.Expect(printed.Status.Resources).To(HaveLen(n))
	g.Expect(len(op.Status.Resources)).To(BeNumerically("<", n), "status itself lists only those worth a look")
	g.Expect(op.Status.Summary).NotTo(BeNil())
	g.Expect(op.Status.Summary.Total).To(BeEquivalentTo(n))
	g.Expect(op.Status.Summary.Healthy).To(BeEquivalentTo(n))

	// Every object exists in the cluster, with its data.
	for i, o := range objs {
		cm := &corev1.ConfigMap{}
		g.Expect(live.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: o.name}, cm)).To(Succeed())
		g.Expect(cm.Data).To(HaveKeyWithValue("index", fmt.Sprint(i)))
		g.Expect(cm.Data["payload"]).To(HaveLen(10 << 10))
	}
}

// TestLiveCreateSecretPacksIntoSecrets: with --secret, manifests that hold
// a Secret go into a Secret the operation owns and reads (secretRef), not
// into a ConfigMap, and create does not warn.
func TestLiveCreateSecretPacksIntoSecrets(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)
	ctx := context.Background()
	dir := writeManifests(t, map[string]string{"app.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: db-password}\nstringData: {password: hunter2}\n" +
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"})

	_, stderr, code := kubectlSyncwave(t, ns, "create", "plain", "-f", dir)
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stderr).To(ContainSubstring("warning: 1 Secret manifest(s) (db-password) are packed into ConfigMaps"))
	g.Expect(stderr).To(ContainSubstring("pack them into Secrets with --secret"))

	stdout, stderr, code := kubectlSyncwave(t, ns, "create", "sealed", "--secret", "-f", dir, "--wait")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stderr).To(BeEmpty())
	g.Expect(stdout).To(ContainSubstring("syncoperation.syncwave.dev/sealed created (2 manifests in 1 Secret)"))
	op := getOperation(g, ns, "sealed")
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Spec.Sources).To(Equal([]syncv1alpha1.ManifestSource{{SecretRef: &syncv1alpha1.KeyReference{Name: "sealed-manifests-0"}}}))
	held := &corev1.Secret{}
	g.Expect(live.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "sealed-manifests-0"}, held)).To(Succeed())
	g.Expect(held.Data).To(HaveLen(2))
	g.Expect(string(held.Data["0000.yaml"])).To(ContainSubstring("hunter2"))
	g.Expect(held.OwnerReferences).To(ConsistOf(HaveField("UID", op.UID)))
	g.Expect(live.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "sealed-manifests-0"}, &corev1.ConfigMap{})).
		To(MatchError(ContainSubstring("not found")), "no ConfigMap holds the Secret's value")
	g.Expect(op.Status.Snapshot).NotTo(BeNil())
	g.Expect(op.Status.Snapshot.Kind).To(Equal("Secret"), "the pinned plan of a plan with Secrets is a Secret too")
	password := &corev1.Secret{}
	g.Expect(live.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "db-password"}, password)).To(Succeed())
	g.Expect(string(password.Data["password"])).To(Equal("hunter2"))
}
