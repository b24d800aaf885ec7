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
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manifest"
)

// The diff tests sync manifests with a SyncOperation of an application
// (the controller applies them and pins them as the application's
// inventory), then diff other manifests against them.

const diffAppV1 = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: blue
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: legacy
data:
  old: "true"
---
apiVersion: v1
kind: Secret
metadata:
  name: credentials
stringData:
  password: hunter2
  user: admin
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: registry.example/web:1.0
`

// diffAppV2: the Deployment's image and the Secret's password change, the
// ConfigMap legacy is gone, the ConfigMap flags is new.
var diffAppV2 = strings.NewReplacer(
	"registry.example/web:1.0", "registry.example/web:2.0",
	"password: hunter2", "password: hunter3",
	"  name: legacy\ndata:\n  old: \"true\"", "  name: flags\ndata:\n  beta: \"on\"",
).Replace(diffAppV1)

// applyAsController syncs the manifests into ns with a SyncOperation of
// the application run by the controller, so that they are its inventory.
// No controller makes a Deployment available here: a health check of the
// operation says it is.
func applyAsController(t *testing.T, ns, application, manifests string) {
	t.Helper()
	objs, err := manifest.Parse("manifests", []byte(manifests))
	if err != nil {
		t.Fatal(err)
	}
	var raw []runtime.RawExtension
	for _, u := range manifest.Unstructured(objs) {
		b, err := u.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, runtime.RawExtension{Raw: b})
	}
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "release-1"},
		Spec: syncv1alpha1.SyncOperationSpec{Application: application, Manifests: raw,
			HealthChecks: []syncv1alpha1.HealthCheck{{Group: "apps", Kind: "Deployment", Lua: `return {status = "Healthy"}`}}}}
	g := NewWithT(t)
	g.Expect(live.client.Create(context.Background(), op)).To(Succeed())
	g.Eventually(func() syncv1alpha1.OperationPhase {
		_ = live.client.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		return op.Status.Phase
	}, 30*time.Second, 50*time.Millisecond).Should(Equal(syncv1alpha1.OperationSucceeded), func() string { return op.Status.Message })
}

// stable replaces the test's namespace, which is random, by NS.
func stable(s, ns string) string { return strings.ReplaceAll(s, ns, "NS") }

func checkDiffGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "diff", name)
	if updateGolden() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/kubectl-syncwave -run TestLiveDiff -update)", err)
	}
	NewWithT(t).Expect(got).To(Equal(string(want)), path)
}

func TestLiveDiff(t *testing.T) {
	ns := liveNamespace(t)
	applyAsController(t, ns, "shop", diffAppV1)
	v1 := writeManifests(t, map[string]string{"app.yaml": diffAppV1})
	v2 := writeManifests(t, map[string]string{"app.yaml": diffAppV2})

	t.Run("no change", func(t *testing.T) {
		g := NewWithT(t)
		stdout, stderr, code := kubectlSyncwave(t, ns, "diff", "-f", v1, "--application", "shop")
		g.Expect(code).To(Equal(0), stderr)
		g.Expect(stdout).To(BeEmpty())
		g.Expect(stderr).To(BeEmpty())
	})

	t.Run("changes and prune", func(t *testing.T) {
		g := NewWithT(t)
		stdout, stderr, code := kubectlSyncwave(t, ns, "diff", "-f", v2, "--application", "shop")
		g.Expect(code).To(Equal(1), stderr)
		g.Expect(stderr).To(BeEmpty())
		checkDiffGolden(t, "changes.diff", stable(stdout, ns))
		g.Expect(stdout).To(ContainSubstring("-      - image: registry.example/web:1.0\n+      - image: registry.example/web:2.0\n"))
		g.Expect(stdout).To(HaveSuffix("- would prune ConfigMap " + ns + "/legacy\n"))
		// The Secret: the key that changed shows as changed, no value shows.
		g.Expect(stdout).To(ContainSubstring("-  password: '*** (before)'\n+  password: '*** (after)'\n"))
		g.Expect(stdout).To(ContainSubstring("   user: '***'\n"))
		for _, secret := range []string{"hunter", "aHVudGVy", "YWRtaW4"} {
			g.Expect(stdout).NotTo(ContainSubstring(secret))
		}
		// Nothing was written.
		cm := &corev1.ConfigMap{}
		g.Expect(live.client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "flags"}, cm)).NotTo(Succeed())
	})

	t.Run("without the application, nothing to prune", func(t *testing.T) {
		g := NewWithT(t)
		stdout, _, code := kubectlSyncwave(t, ns, "diff", "-f", v2)
		g.Expect(code).To(Equal(1))
		g.Expect(stdout).NotTo(ContainSubstring("would prune"))
	})

	t.Run("prune is decided from the inventory as the controller decides", func(t *testing.T) {
		g := NewWithT(t)
		// Labelled with the application, but in no inventory: never pruned.
		outsider := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "outsider", Namespace: ns,
			Labels:      map[string]string{syncv1alpha1.LabelApplication: "shop"},
			Annotations: map[string]string{syncv1alpha1.AnnotationOperation: ns + "/release-0"}}}
		g.Expect(live.client.Create(context.Background(), outsider)).To(Succeed())
		// Without any Secret in the manifests, the one of the inventory is
		// still pruned.
		noSecret := writeManifests(t, map[string]string{"app.yaml": strings.Replace(diffAppV2,
			"apiVersion: v1\nkind: Secret\nmetadata:\n  name: credentials\nstringData:\n  password: hunter3\n  user: admin\n---\n", "", 1)})
		stdout, stderr, code := kubectlSyncwave(t, ns, "diff", "-f", noSecret, "--application", "shop")
		g.Expect(code).To(Equal(1), stderr)
		g.Expect(stdout).To(HaveSuffix("- would prune ConfigMap " + ns + "/legacy\n- would prune Secret " + ns + "/credentials\n"))
		g.Expect(stdout).NotTo(ContainSubstring("outsider"))
	})

	t.Run("another application's objects are not pruned", func(t *testing.T) {
		g := NewWithT(t)
		stdout, _, code := kubectlSyncwave(t, ns, "diff", "-f", v1, "--application", "other")
		g.Expect(code).To(Equal(1), "the application label would change")
		g.Expect(stdout).NotTo(ContainSubstring("would prune"))
		g.Expect(stdout).To(ContainSubstring("-    syncwave.dev/application: shop\n+    syncwave.dev/application: other\n"))
	})
}

func TestLiveDiffExternalProgram(t *testing.T) {
	ns := liveNamespace(t)
	applyAsController(t, ns, "shop", diffAppV1)
	v2 := writeManifests(t, map[string]string{"app.yaml": diffAppV2})
	g := NewWithT(t)

	// The program records its arguments and what each directory holds.
	record := filepath.Join(t.TempDir(), "record")
	script := filepath.Join(t.TempDir(), "record-diff")
	g.Expect(os.WriteFile(script, []byte(`#!/bin/sh
echo "$#" "$1" > `+record+`
ls "$2" >> `+record+`
echo -- >> `+record+`
ls "$3" >> `+record+`
cat "$2"/v1.Secret.*.credentials "$3"/v1.Secret.*.credentials >> `+record+`
echo "external diff ran"
exit 1
`), 0o700)).To(Succeed())
	t.Setenv("KUBECTL_EXTERNAL_DIFF", script+" -u $(ignored)")

	stdout, stderr, code := kubectlSyncwave(t, ns, "diff", "-f", v2, "--application", "shop")
	g.Expect(code).To(Equal(1), stderr)
	g.Expect(stdout).To(Equal("external diff ran\n- would prune ConfigMap " + ns + "/legacy\n"))
	b, err := os.ReadFile(record)
	g.Expect(err).NotTo(HaveOccurred())
	got := stable(string(b), ns)
	g.Expect(got).To(HavePrefix("3 -u\n"), "the allowed argument, then the two directories")
	g.Expect(got).To(ContainSubstring(`apps.v1.Deployment.NS.web
v1.ConfigMap.NS.legacy
v1.Secret.NS.credentials
--
apps.v1.Deployment.NS.web
v1.ConfigMap.NS.flags
v1.Secret.NS.credentials
`))
	g.Expect(got).To(ContainSubstring("password: '*** (before)'"))
	g.Expect(got).To(ContainSubstring("password: '*** (after)'"))
	g.Expect(got).NotTo(ContainSubstring("aHVudGVy"))

	// A status above 1 is the program's failure, and the command's status.
	g.Expect(os.WriteFile(script, []byte("#!/bin/sh\necho broken >&2\nexit 3\n"), 0o700)).To(Succeed())
	_, stderr, code = kubectlSyncwave(t, ns, "diff", "-f", v2)
	g.Expect(code).To(Equal(3))
	g.Expect(stderr).To(ContainSubstring("broken\n"))
	g.Expect(stderr).To(HaveSuffix("exited with status 3\n"))

	// No change: the program is not run at all.
	v1 := writeManifests(t, map[string]string{"app.yaml": diffAppV1})
	_, stderr, code = kubectlSyncwave(t, ns, "diff", "-f", v1, "--application", "shop")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stderr).To(BeEmpty())
}

func TestLiveDiffErrorsAndNewNamespaces(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)

	// A new namespace and what goes into it: shown as written.
	fresh := ns + "-new"
	manifests := "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + fresh + "}\n---\n" +
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inside, namespace: " + fresh + "}\ndata: {k: v}\n"
	stdout, stderr, code := kubectlSyncwaveStdin(t, ns, manifests, "diff", "-f", "-")
	g.Expect(code).To(Equal(1), stderr)
	g.Expect(stderr).To(Equal("ConfigMap/" + fresh + "/inside: shown as written: namespace " + fresh + " does not exist yet\n"))
	g.Expect(stdout).To(ContainSubstring("+++ merged/Namespace/" + fresh + "\n"))
	g.Expect(stdout).To(ContainSubstring("+++ merged/ConfigMap/" + fresh + "/inside\n"))

	// --target-namespace puts the objects that name none there, as create;
	// a namespace that neither exists nor is in the manifests is an error,
	// as at the controller's start (the sync would fail).
	other := ns + "-target"
	_, stderr, code = kubectlSyncwaveStdin(t, ns, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: moved}\n",
		"diff", "-f", "-", "--target-namespace", other)
	g.Expect(code).To(Equal(2), stderr)
	g.Expect(stderr).To(HavePrefix("Error: dry-run apply ConfigMap/" + other + "/moved: namespace " + other + " does not exist and the manifests do not create it: "))
	g.Expect(live.client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: other}})).To(Succeed())
	stdout, stderr, code = kubectlSyncwaveStdin(t, ns, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: moved}\n",
		"diff", "-f", "-", "--target-namespace", other)
	g.Expect(code).To(Equal(1), stderr)
	g.Expect(stdout).To(ContainSubstring("+++ merged/ConfigMap/" + other + "/moved\n"))

	// An object the API server rejects is an error naming it; the others
	// are still shown.
	bad := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\ndata: {k: v}\n---\n" +
		"apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 70000}]\n"
	stdout, stderr, code = kubectlSyncwaveStdin(t, ns, bad, "diff", "-f", "-")
	g.Expect(code).To(Equal(2))
	g.Expect(stdout).To(ContainSubstring("+++ merged/ConfigMap/" + ns + "/fine\n"))
	g.Expect(stderr).To(HavePrefix("Error: dry-run apply Service/" + ns + "/web: "))

	// A kind the server does not serve.
	unknown := "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
	_, stderr, code = kubectlSyncwaveStdin(t, ns, unknown, "diff", "-f", "-")
	g.Expect(code).To(Equal(2))
	g.Expect(stderr).To(HavePrefix("Error: read live example.com/Widget/" + ns + "/w: "))
	// ... unless it says to skip its dry-run then: shown as written, as
	// the controller would apply it.
	skipped := "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n" +
		"  annotations: {argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true}\n"
	stdout, stderr, code = kubectlSyncwaveStdin(t, ns, skipped, "diff", "-f", "-")
	g.Expect(code).To(Equal(1), stderr)
	g.Expect(stderr).To(Equal("example.com/Widget/" + ns + "/w: shown as written: Widget.example.com is not served, and the object says SkipDryRunOnMissingResource=true\n"))
	g.Expect(stdout).To(ContainSubstring("+++ merged/example.com/Widget/" + ns + "/w\n"))

	// Replace=true replaces the live object whole: a key that another
	// field manager wrote is gone after the sync, so the diff shows it
	// removed (a server-side apply would have kept it).
	edited := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "replaced", Namespace: ns}, Data: map[string]string{"kept": "1", "byhand": "2"}}
	g.Expect(live.client.Create(context.Background(), edited)).To(Succeed())
	replaced := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: replaced\n" +
		"  annotations: {argocd.argoproj.io/sync-options: Replace=true}\ndata: {kept: \"1\"}\n"
	stdout, stderr, code = kubectlSyncwaveStdin(t, ns, replaced, "diff", "-f", "-")
	g.Expect(code).To(Equal(1), stderr)
	g.Expect(stdout).To(ContainSubstring("-  byhand: \"2\"\n"))
	g.Expect(stdout).To(ContainSubstring("   kept: \"1\"\n"))
	withApply := strings.Replace(replaced, "Replace=true", "Validate=true", 1)
	stdout, _, _ = kubectlSyncwaveStdin(t, ns, withApply, "diff", "-f", "-")
	g.Expect(stdout).NotTo(ContainSubstring("-  byhand"), "an apply keeps another manager's key")

	// Hooks are not diffed.
	hook := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: h\n  annotations: {argocd.argoproj.io/hook: PreSync}\n"
	stdout, stderr, code = kubectlSyncwaveStdin(t, ns, hook, "diff", "-f", "-", "-v")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stdout).To(BeEmpty())
	g.Expect(stderr).To(Equal("skipped hook ConfigMap/" + ns + "/h: each sync creates it anew\n"))
}

func TestLiveCreateFromStdinAndKustomization(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)
	ctx := context.Background()

	stdin := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: piped}\ndata: {k: v}\n"
	stdout, stderr, code := kubectlSyncwaveStdin(t, ns, stdin, "create", "piped", "-f", "-")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stdout).To(Equal("syncoperation.syncwave.dev/piped created (1 manifest in 1 ConfigMap)\n"))
	cm := &corev1.ConfigMap{}
	g.Expect(live.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "piped-manifests-0"}, cm)).To(Succeed())
	g.Expect(cm.Data).To(Equal(map[string]string{"0000.yaml": stdin}))

	stdout, stderr, code = kubectlSyncwave(t, ns, "create", "kust", "-k", filepath.Join("testdata", "create", "kustomize", "overlay"))
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stdout).To(Equal("syncoperation.syncwave.dev/kust created (2 manifests in 1 ConfigMap)\n"))
	g.Expect(live.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "kust-manifests-0"}, cm)).To(Succeed())
	g.Expect(cm.Data).To(HaveLen(2))
	g.Expect(cm.Data["0000.yaml"]).To(ContainSubstring("image: registry.example/web:2.0\n"), "the overlay's patch")
	g.Expect(cm.Data["0000.yaml"]).To(ContainSubstring("namespace: shop\n"))
}

// TestLiveCreateDryRun: create --dry-run makes a dry-run operation that
// reports the change and applies nothing.
func TestLiveCreateDryRun(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)
	ctx := context.Background()
	stdin := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: would-be}\ndata: {k: v}\n"
	_, stderr, code := kubectlSyncwaveStdin(t, ns, stdin, "create", "try", "-f", "-", "--dry-run", "--wait")
	g.Expect(code).To(Equal(0), stderr)
	op := getOperation(g, ns, "try")
	g.Expect(op.Spec.DryRun).To(BeTrue())
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded))
	g.Expect(op.Status.Message).To(Equal("dry run: 1 to create, 0 to update, 0 unchanged, 0 to delete; nothing was changed"))
	err := live.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "would-be"}, &corev1.ConfigMap{})
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "nothing applied: %v", err)
}
