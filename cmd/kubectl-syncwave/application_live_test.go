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
	"context"
	"os"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// TestLiveApplication: create --application --prune, history, delete.
func TestLiveApplication(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)
	gone := func(name string) bool {
		err := live.client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &corev1.ConfigMap{})
		return apierrors.IsNotFound(err)
	}
	v1 := writeManifests(t, map[string]string{"app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: old}\n"})
	v2 := writeManifests(t, map[string]string{"app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep}\n"})

	_, stderr, code := kubectlSyncwave(t, ns, "create", "shop-1", "-f", v1, "--application", "shop", "--wait")
	g.Expect(code).To(Equal(0), stderr)
	// CI runs the same job again: the name is taken, and it says so.
	_, stderr, code = kubectlSyncwave(t, ns, "create", "shop-1", "-f", v2, "--application", "shop")
	g.Expect(code).To(Equal(1))
	g.Expect(stderr).To(ContainSubstring("SyncOperation " + ns + "/shop-1 already exists: an operation runs once; create the next one under a new name"))
	_, stderr, code = kubectlSyncwave(t, ns, "create", "shop-2", "-f", v2, "--prune", "--wait")
	g.Expect(code).To(Equal(1))
	g.Expect(stderr).To(ContainSubstring("--prune needs --application"))
	_, stderr, code = kubectlSyncwave(t, ns, "create", "shop-2", "-f", v2, "--application", "shop", "--prune", "--wait")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(gone("old")).To(BeTrue(), "pruned")
	g.Expect(gone("keep")).To(BeFalse())
	op := getOperation(g, ns, "shop-2")
	g.Expect(op.Spec.Application).To(Equal("shop"))
	g.Expect(op.Spec.Prune).To(BeTrue())

	stdout, stderr, code := kubectlSyncwave(t, ns, "delete", "shop", "--wait")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stdout).To(MatchRegexp(`syncoperation.syncwave.dev/shop-delete-\d{8}-\d{6} created \(Delete of application shop\)`))
	g.Expect(gone("keep")).To(BeTrue(), "torn down")

	stdout, stderr, code = kubectlSyncwave(t, ns, "history", "shop")
	g.Expect(code).To(Equal(0), stderr)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	g.Expect(lines).To(HaveLen(4), stdout)
	g.Expect(lines[0]).To(MatchRegexp(`^NAME\s+ACTION\s+PHASE\s+REASON\s+STARTED\s+DURATION\s+DIGEST$`))
	g.Expect(lines[1]).To(MatchRegexp(`^shop-delete-\S+\s+Delete\s+Succeeded\s+Succeeded\s+\S+Z\s+\S+\s+[0-9a-f]{12}$`))
	g.Expect(lines[2]).To(MatchRegexp(`^shop-2\s+Sync\s+Succeeded\s`))
	g.Expect(lines[3]).To(MatchRegexp(`^shop-1\s+Sync\s+Succeeded\s`))
	t.Logf("history:\n%s", stdout)

	_, stderr, code = kubectlSyncwave(t, ns, "history", "nothing")
	g.Expect(code).To(Equal(1))
	g.Expect(stderr).To(ContainSubstring("no SyncOperation of application nothing"))

	_, stderr, code = kubectlSyncwave(t, ns, "delete", "shopp")
	g.Expect(code).To(Equal(1))
	g.Expect(stderr).To(ContainSubstring("no SyncOperation of application shopp in namespace " + ns + ": nothing to tear down"))
	list := &syncv1alpha1.SyncOperationList{}
	g.Expect(live.client.List(context.Background(), list, client.InNamespace(ns))).To(Succeed())
	g.Expect(list.Items).To(HaveLen(3), "the typo created no operation")
}

// TestLiveRemoteApplication: for an application on the cluster of a
// kubeconfig Secret (here the same cluster, through the Secret), delete
// creates a teardown of that cluster, and diff --application diffs there,
// reading the kubeconfig from the Secret with the controller's rules.
func TestLiveRemoteApplication(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)
	kc, err := os.ReadFile(live.cluster.KubeconfigPath)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(live.client.Create(context.Background(), &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "far", Namespace: ns},
		Data: map[string][]byte{"value": kc}})).To(Succeed())
	x := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
	_, stderr, code := kubectlSyncwaveStdin(t, ns, x, "create", "far-0", "-f", "-", "--kubeconfig-secret", "Far:value")
	g.Expect(code).To(Equal(1))
	g.Expect(stderr).To(ContainSubstring(`--kubeconfig-secret "Far:value": the Secret's name a lowercase RFC 1123 subdomain must consist of`))
	_, stderr, code = kubectlSyncwaveStdin(t, ns, x, "create", "far-1", "-f", "-", "--application", "far", "--kubeconfig-secret", "far:value", "--wait")
	g.Expect(code).To(Equal(0), stderr)
	remote := &syncv1alpha1.KubeConfigReference{SecretRef: syncv1alpha1.SecretKeyReference{Name: "far", Key: "value"}}
	g.Expect(getOperation(g, ns, "far-1").Spec.KubeConfig).To(Equal(remote))

	// diff --application follows the application to its cluster, through
	// the Secret (here the same cluster), with the controller's rules.
	next := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: next}\n"
	where := "application far is on the cluster of spec.kubeConfig (Secret " + ns + "/far) of SyncOperation " + ns + "/far-1"
	stdout, stderr, code := kubectlSyncwaveStdin(t, ns, next, "diff", "-f", "-", "--application", "far")
	g.Expect(code).To(Equal(1), stderr)
	g.Expect(stderr).To(Equal(where + ": diffing there\n"))
	g.Expect(stdout).To(ContainSubstring("+++ merged/ConfigMap/" + ns + "/next\n"))
	g.Expect(stdout).To(HaveSuffix("- would prune ConfigMap " + ns + "/x\n"))
	sec := &corev1.Secret{}
	g.Expect(live.client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "far"}, sec)).To(Succeed())
	sec.Data["value"] = []byte("apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: https://127.0.0.1:1}}]\n" +
		"users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/false}}}]\n" +
		"contexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n")
	g.Expect(live.client.Update(context.Background(), sec)).To(Succeed())
	_, stderr, code = kubectlSyncwaveStdin(t, ns, next, "diff", "-f", "-", "--application", "far")
	g.Expect(code).To(Equal(2))
	g.Expect(stderr).To(ContainSubstring(where + `: key value: kubeconfig: user "u" runs an exec plugin, which syncwave refuses`))
	sec.Data["value"] = kc
	g.Expect(live.client.Update(context.Background(), sec)).To(Succeed())

	stdout, stderr, code = kubectlSyncwave(t, ns, "delete", "far", "--wait")
	g.Expect(code).To(Equal(0), stderr)
	name := strings.Fields(strings.TrimPrefix(stdout, "syncoperation.syncwave.dev/"))[0]
	down := getOperation(g, ns, name)
	g.Expect(down.Spec.KubeConfig).To(Equal(remote), "the teardown acts where the application is")
	g.Expect(down.Status.Summary.Total).To(BeEquivalentTo(1))
	err = live.client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "x"}, &corev1.ConfigMap{})
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "torn down: %v", err)
}

// TestLiveDiffKeepsTheOperationsNamespace: the Namespace that holds the
// application's operations is not listed for prune, as the controller
// keeps it.
func TestLiveDiffKeepsTheOperationsNamespace(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"
	applyAsController(t, ns, "home", "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+ns+"}\n---\n"+cm+"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: old}\n")
	stdout, stderr, code := kubectlSyncwaveStdin(t, ns, cm, "diff", "-f", "-", "--application", "home")
	g.Expect(code).To(Equal(1), stderr)
	g.Expect(stdout).To(Equal("- would prune ConfigMap " + ns + "/old\n"))
}

// TestLiveDiffKeepsANamespaceThatStillHoldsObjects: the manifests no
// longer hold the Namespace but still deploy into it; the diff does not
// list it as a prune, as the controller keeps it (deleting it would delete
// what is in it), and the objects of it that would be pruned still are.
func TestLiveDiffKeepsANamespaceThatStillHoldsObjects(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)
	app := ns + "-app"
	t.Cleanup(func() {
		_ = live.client.Delete(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: app}})
	})
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: " + app + "}\n"
	applyAsController(t, ns, "moved", "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+app+"}\n---\n"+cm+
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: old, namespace: "+app+"}\n")
	stdout, stderr, code := kubectlSyncwaveStdin(t, ns, cm, "diff", "-f", "-", "--application", "moved")
	g.Expect(code).To(Equal(1), stderr)
	g.Expect(stdout).To(Equal("- would prune ConfigMap " + app + "/old\n"))
}

// TestLiveDiffKeepsACRDThatStillDefinesObjects: v2 no longer holds the
// CustomResourceDefinition (now installed elsewhere) but still applies a
// resource of its kind; the prune keeps the CRD, as the controller does,
// since deleting it would delete that resource.
func TestLiveDiffKeepsACRDThatStillDefinesObjects(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)
	group := ns + ".diff.example.com"
	t.Cleanup(func() {
		crd := &unstructured.Unstructured{}
		crd.SetAPIVersion("apiextensions.k8s.io/v1")
		crd.SetKind("CustomResourceDefinition")
		crd.SetName("gadgets." + group)
		_ = live.client.Delete(context.Background(), crd)
	})
	cr := "apiVersion: " + group + "/v1\nkind: Gadget\nmetadata: {name: g1}\nspec: {size: 1}\n"
	applyAsController(t, ns, "gadgets", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: gadgets."+group+"}\n"+
		"spec: {group: "+group+", scope: Namespaced, names: {plural: gadgets, singular: gadget, kind: Gadget, listKind: GadgetList},\n"+
		"  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]}\n"+
		"---\n"+cr+"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: old}\n")
	stdout, stderr, code := kubectlSyncwaveStdin(t, ns, cr, "diff", "-f", "-", "--application", "gadgets")
	g.Expect(code).To(Equal(1), stderr)
	g.Expect(stdout).To(Equal("- would prune ConfigMap " + ns + "/old\n"))
}
