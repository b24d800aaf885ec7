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

package chart

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/test/cluster"
)

// release is the Helm release name of the install test.
const release = "sw"

// serviceAccount is the controller's ServiceAccount of the release.
const serviceAccount = release + "-syncwave"

// guideDir holds the guide's example, shared with test/e2e.
var guideDir = filepath.Join("..", "e2e", "testdata", "guide")

// TestInstall installs the chart on a simulated cluster: Pod Security
// "restricted" admits the controller's pod; the chart's RBAC, with target
// rules for just the guide's kinds, is enough for the real manager to run
// the guide's example and NOTES.txt's; with targetAccess none the
// controller's ServiceAccount cannot read Secrets of other namespaces.
func TestInstall(t *testing.T) {
	h := newHelm(t)
	managerBin := buildManager(t)
	c := cluster.StartT(t, cluster.Options{Simulated: true})
	h.kubeconfig = c.KubeconfigPath
	s := scheme()
	admin := c.ClientT(t, s)
	ctx := t.Context()

	ns := restrictedNamespace(t, c, admin)
	start := time.Now()
	notes := h.runT(t, "install", release, chartDir, "--namespace", ns, "--wait", "--timeout", "2m",
		"-f", filepath.Join("testdata", "guide-rules.yaml"))
	t.Logf("helm install (CRD, RBAC, Deployment ready) took %v", time.Since(start).Round(time.Millisecond))

	t.Run("pod admitted under Pod Security restricted", func(t *testing.T) {
		expectAdmitted(t, admin, ns)
	})

	saCfg := serviceAccountConfig(t, c, ns)
	sa, err := client.New(saCfg, client.Options{Scheme: s})
	if err != nil {
		t.Fatal(err)
	}
	quiet := c.NamespaceT(t, "quiet-")
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db-password", Namespace: quiet}, StringData: map[string]string{"password": "hunter2"}}
	if err := admin.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}

	t.Run("chart RBAC runs the guide", func(t *testing.T) {
		g := NewWithT(t)
		kubeconfig := writeKubeconfig(t, saCfg)
		guide := c.NamespaceT(t, "guide-")
		createGuideRBAC(t, admin, guide)
		g.Expect(c.ServePodLogs(ctx, guide, "hook done")).To(Succeed())
		ctrl := startManager(t, managerBin, kubeconfig, ns)
		op := &syncv1alpha1.SyncOperation{
			ObjectMeta: metav1.ObjectMeta{Name: "guide", Namespace: guide},
			Spec:       syncv1alpha1.SyncOperationSpec{Manifests: guideManifests(t, guide)},
		}
		g.Expect(admin.Create(ctx, op)).To(Succeed())
		start := time.Now()
		got := &syncv1alpha1.SyncOperation{}
		g.Eventually(func() bool {
			if err := admin.Get(ctx, client.ObjectKeyFromObject(op), got); err != nil {
				return false
			}
			return got.Status.Phase.Terminal()
		}, 2*time.Minute, 100*time.Millisecond).Should(BeTrue(), "the operation did not finish; manager log:\n%s", ctrl.tail())
		g.Expect(got.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), "%s\nmanager log:\n%s", got.Status.Message, ctrl.tail())
		t.Logf("the guide succeeded in %v as %s", time.Since(start).Round(time.Millisecond), serviceAccount)
		hooks := 0
		for _, r := range got.Status.Resources {
			if r.Kind == "Job" && r.HookPhase == syncv1alpha1.HookSucceeded {
				hooks++
				g.Expect(r.Outcome).NotTo(BeNil(), "hook %s", r.Name)
				g.Expect(r.Outcome.Message).To(BeEmpty(), "the chart lets the controller read hook %s's pod and log", r.Name)
				g.Expect(r.Outcome.Log).To(Equal("hook done"))
			}
		}
		g.Expect(hooks).To(Equal(2), "the migration and the smoke test")

		// The first SyncOperation of NOTES.txt works as printed.
		demo := c.NamespaceT(t, "demo-")
		hello := notesExample(t, notes, demo)
		g.Expect(admin.Create(ctx, hello)).To(Succeed())
		g.Eventually(func() bool {
			if err := admin.Get(ctx, client.ObjectKeyFromObject(hello), hello); err != nil {
				return false
			}
			return meta.IsStatusConditionTrue(hello.Status.Conditions, syncv1alpha1.ConditionReady)
		}, time.Minute, 100*time.Millisecond).Should(BeTrue(), "NOTES.txt's example: %+v", hello.Status)

		lease := &coordinationv1.Lease{}
		g.Expect(admin.Get(ctx, client.ObjectKey{Namespace: ns, Name: "syncwave.syncwave.dev"}, lease)).To(Succeed(),
			"the leader election Lease is in the release namespace")
		g.Expect(lease.Spec.HolderIdentity).NotTo(BeNil())
		ctrl.stop()
		g.Expect(ctrl.forbidden()).To(BeEmpty(), "the manager was denied something")

		// With targetAccess rules (or cluster-admin), the controller reads
		// sources in every namespace, so any Secret: the contrast for the
		// next step.
		g.Expect(sa.Get(ctx, client.ObjectKeyFromObject(secret), &corev1.Secret{})).To(Succeed())
	})

	t.Run("targetAccess none denies Secrets", func(t *testing.T) {
		g := NewWithT(t)
		h.runT(t, "upgrade", release, chartDir, "--namespace", ns, "--wait", "--timeout", "2m",
			"--set", "targetAccess=none", "--set", "targetRules=null")

		// RBAC changes reach the authorizer through an informer: eventually.
		g.Eventually(func() error {
			return sa.Get(ctx, client.ObjectKeyFromObject(secret), &corev1.Secret{})
		}, 30*time.Second, 100*time.Millisecond).Should(Satisfy(apierrors.IsForbidden),
			"the controller's ServiceAccount reads a Secret in a namespace no operation uses")
		g.Expect(sa.List(ctx, &corev1.SecretList{}, client.InNamespace(quiet))).To(Satisfy(apierrors.IsForbidden))
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x", Namespace: quiet}}
		g.Expect(sa.Create(ctx, cm)).To(Satisfy(apierrors.IsForbidden), "no writes to target objects")

		ops := &syncv1alpha1.SyncOperationList{}
		g.Expect(sa.List(ctx, ops)).To(Succeed(), "the controller still sees every SyncOperation")
		g.Expect(ops.Items).NotTo(BeEmpty())
		g.Expect(impersonationAllowed(t, saCfg, quiet)).To(BeTrue(), "the controller may still impersonate ServiceAccounts")
		expectAdmitted(t, admin, ns)
	})
}

func scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := syncv1alpha1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}

// buildManager builds cmd/manager into a temporary directory.
func buildManager(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "manager")
	build := exec.Command("go", "build", "-o", bin, "github.com/syncwave/syncwave/cmd/manager")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the manager: %v\n%s", err, out)
	}
	return bin
}

// restrictedNamespace creates a namespace that enforces Pod Security
// "restricted" and waits for its default ServiceAccount.
func restrictedNamespace(t *testing.T, c *cluster.Cluster, cl client.Client) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "syncwave-system-", Labels: map[string]string{
		"pod-security.kubernetes.io/enforce":         "restricted",
		"pod-security.kubernetes.io/enforce-version": "latest",
	}}}
	if err := cl.Create(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitForDefaultServiceAccount(ctx, ns.Name); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

// expectAdmitted checks that the chart's Deployment has a Ready pod, that no
// pod was refused by Pod Security, and that the namespace does enforce it.
func expectAdmitted(t *testing.T, cl client.Client, ns string) {
	t.Helper()
	g := NewWithT(t)
	ctx := t.Context()
	pods := &corev1.PodList{}
	g.Expect(cl.List(ctx, pods, client.InNamespace(ns), client.MatchingLabels{"app.kubernetes.io/instance": release})).To(Succeed())
	g.Expect(pods.Items).NotTo(BeEmpty(), "the Deployment has a pod")
	ready := slices.ContainsFunc(pods.Items, func(p corev1.Pod) bool {
		return slices.ContainsFunc(p.Status.Conditions, func(c corev1.PodCondition) bool {
			return c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue
		})
	})
	g.Expect(ready).To(BeTrue(), "a pod of the Deployment is Ready")

	events := &corev1.EventList{}
	g.Expect(cl.List(ctx, events, client.InNamespace(ns))).To(Succeed())
	for _, e := range events.Items {
		if e.Reason == "FailedCreate" {
			g.Expect(e.Message).NotTo(ContainSubstring("PodSecurity"), "event %s", e.Name)
		}
	}

	// The control: a pod without the restricted fields is refused here.
	bad := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "unrestricted", Namespace: ns},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
	}
	err := cl.Create(ctx, bad, client.DryRunAll)
	g.Expect(err).To(HaveOccurred())
	g.Expect(err.Error()).To(ContainSubstring("violates PodSecurity \"restricted"))
}

// serviceAccountConfig returns a client config that authenticates as the
// chart's ServiceAccount, with a token from the TokenRequest API.
func serviceAccountConfig(t *testing.T, c *cluster.Cluster, ns string) *rest.Config {
	t.Helper()
	cs := kubernetes.NewForConfigOrDie(c.Config)
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(t.Context(), serviceAccount, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("request a token for %s/%s: %v", ns, serviceAccount, err)
	}
	cfg := rest.AnonymousClientConfig(c.Config)
	cfg.BearerToken = tr.Status.Token
	return cfg
}

// writeKubeconfig writes cfg (server, CA, token) as a kubeconfig file.
func writeKubeconfig(t *testing.T, cfg *rest.Config) string {
	t.Helper()
	kc := clientcmdapi.NewConfig()
	kc.Clusters["cluster"] = &clientcmdapi.Cluster{
		Server:                   cfg.Host,
		CertificateAuthorityData: cfg.CAData,
		CertificateAuthority:     cfg.CAFile,
	}
	kc.AuthInfos["controller"] = &clientcmdapi.AuthInfo{Token: cfg.BearerToken}
	kc.Contexts["controller"] = &clientcmdapi.Context{Cluster: "cluster", AuthInfo: "controller"}
	kc.CurrentContext = "controller"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// impersonationAllowed asks the API server whether cfg's user may
// impersonate the default ServiceAccount of ns.
func impersonationAllowed(t *testing.T, cfg *rest.Config, ns string) bool {
	t.Helper()
	imp := rest.CopyConfig(cfg)
	imp.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + ns + ":default"}
	cl, err := client.New(imp, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The default ServiceAccount may not read Secrets: a Forbidden that
	// names it proves the impersonation itself was allowed.
	err = cl.Get(t.Context(), client.ObjectKey{Namespace: ns, Name: "any"}, &corev1.Secret{})
	return apierrors.IsForbidden(err) && strings.Contains(err.Error(), "system:serviceaccount:"+ns+":default")
}

// notesExample returns the SyncOperation that NOTES.txt (printed by helm
// install) tells to apply, in namespace ns.
func notesExample(t *testing.T, notes, ns string) *syncv1alpha1.SyncOperation {
	t.Helper()
	_, after, ok := strings.Cut(notes, "<<'YAML'\n")
	body, _, ok2 := strings.Cut(after, "\n  YAML\n")
	if !ok || !ok2 {
		t.Fatalf("no <<'YAML' here-document in the NOTES:\n%s", notes)
	}
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "  ")
	}
	doc := strings.ReplaceAll(strings.Join(lines, "\n"), "namespace: syncwave-demo", "namespace: "+ns)
	op := &syncv1alpha1.SyncOperation{}
	if err := yaml.UnmarshalStrict([]byte(doc), op); err != nil {
		t.Fatalf("the NOTES example is no SyncOperation: %v\n%s", err, doc)
	}
	return op
}

// guideManifests reads the guide's example for namespace ns.
func guideManifests(t *testing.T, ns string) []runtime.RawExtension {
	t.Helper()
	var out []runtime.RawExtension
	for _, u := range guideObjects(t, ns) {
		raw, err := json.Marshal(u.Object)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, runtime.RawExtension{Raw: raw})
	}
	return out
}

func guideObjects(t *testing.T, ns string) []*unstructured.Unstructured {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(guideDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no guide manifests in %s: %v", guideDir, err)
	}
	slices.Sort(files)
	var out []*unstructured.Unstructured
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(data), "namespace: production", "namespace: "+ns)
		for _, doc := range strings.Split(text, "\n---") {
			m := map[string]any{}
			if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if len(m) > 0 {
				out = append(out, &unstructured.Unstructured{Object: m})
			}
		}
	}
	return out
}

// createGuideRBAC creates the guide's hook ServiceAccount, Role and
// RoleBinding beforehand, as scenario 1 of test/e2e does.
func createGuideRBAC(t *testing.T, cl client.Client, ns string) {
	t.Helper()
	for _, u := range guideObjects(t, ns) {
		switch u.GetKind() {
		case "ServiceAccount", "Role", "RoleBinding":
			if err := cl.Create(t.Context(), u); err != nil {
				t.Fatal(err)
			}
		}
	}
}
