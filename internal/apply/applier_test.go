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

package apply_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/apply"
	"github.com/syncwave/syncwave/internal/manager"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
	"github.com/syncwave/syncwave/test/cluster"
)

var (
	env *cluster.Cluster
	k8s client.Client
)

func TestMain(m *testing.M) {
	ctrllog.SetLogger(logr.Discard())
	os.Exit(cluster.RunTests(m, cluster.Options{}, func(c *cluster.Cluster) (func(), error) {
		env = c
		var err error
		k8s, err = c.Client(manager.Scheme())
		return nil, err
	}))
}

func tasks(t *testing.T, ns string, docs ...string) []*plan.Task {
	t.Helper()
	var objs []*unstructured.Unstructured
	for _, d := range docs {
		m := map[string]any{}
		if err := yaml.Unmarshal([]byte(d), &m); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
	p, err := plan.Build(objs, plan.Options{DefaultNamespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	var out []*plan.Task
	for i := range p.Steps {
		for j := range p.Steps[i].Tasks {
			out = append(out, &p.Steps[i].Tasks[j])
		}
	}
	return out
}

func op(ns string) *syncv1alpha1.SyncOperation {
	return &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns}}
}

func TestApplyIsServerSideWithOurFieldManagerAndForce(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := env.NamespaceT(t, "apply-")
	// Another manager owns the field first; the manifests win.
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: ns}, Data: map[string]string{"k": "theirs"}}
	g.Expect(k8s.Create(ctx, cm, client.FieldOwner("someone-else"))).To(Succeed())
	a := &apply.Applier{Client: k8s}
	tk := tasks(t, ns, `{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}, data: {k: ours}}`)[0]
	g.Expect(a.DryRun(ctx, op(ns), tk)).To(Succeed())
	u, err := a.Apply(ctx, op(ns), tk)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(u.GetAnnotations()[syncv1alpha1.AnnotationOperation]).To(Equal(ns + "/op"))
	g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(cm), cm)).To(Succeed())
	g.Expect(cm.Data["k"]).To(Equal("ours"))
	g.Expect(cm.Labels[syncv1alpha1.LabelManaged]).To(Equal("true"))
	var managers []string
	for _, f := range cm.ManagedFields {
		managers = append(managers, f.Manager)
	}
	g.Expect(managers).To(ContainElement(syncv1alpha1.FieldManager))
}

func TestInvalidObjectsAreRejectedNamingTheObject(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := env.NamespaceT(t, "apply-")
	a := &apply.Applier{Client: k8s}
	tk := tasks(t, ns, `{apiVersion: v1, kind: Service, metadata: {name: bad}, spec: {ports: [{port: 99999}]}}`)[0]
	err := a.DryRun(ctx, op(ns), tk)
	g.Expect(err).To(MatchError(ContainSubstring("Service/" + ns + "/bad")))
	g.Expect(operation.IsRejected(err)).To(BeTrue())
	unknown := tasks(t, ns, `{apiVersion: nowhere.example.com/v1, kind: Thing, metadata: {name: x}}`)[0]
	g.Expect(operation.IsRejected(a.DryRun(ctx, op(ns), unknown))).To(BeTrue(), "a kind the server does not know is rejected")
	skip := tasks(t, ns, `{apiVersion: nowhere.example.com/v1, kind: Thing, metadata: {name: x, annotations: {argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true}}}`)[0]
	g.Expect(a.DryRun(ctx, op(ns), skip)).To(Succeed(), "unless SkipDryRunOnMissingResource=true")
	defined := &apply.Applier{Client: k8s, CRDKinds: map[schema.GroupKind]bool{{Group: "nowhere.example.com", Kind: "Thing"}: true}}
	g.Expect(defined.DryRun(ctx, op(ns), unknown)).To(Succeed(), "or a CRD of the same operation defines it")
	_, err = defined.Apply(ctx, op(ns), unknown)
	g.Expect(operation.IsNotReady(err)).To(BeTrue(), "its write waits for the CRD")
}

// TestAnUndeclaredFieldIsRejected: server-side apply refuses a field the
// schema does not declare with an internal error; it is a rejection (no
// retry can help) that says what to do, and Validate=false's dry-run finds
// it as the apply does.
func TestAnUndeclaredFieldIsRejected(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := env.NamespaceT(t, "apply-")
	a := &apply.Applier{Client: k8s}
	tk := tasks(t, ns, `{apiVersion: v1, kind: ConfigMap, metadata: {name: loose, annotations: {argocd.argoproj.io/sync-options: Validate=false}}, bogus: 1}`)[0]
	err := a.DryRun(ctx, op(ns), tk)
	g.Expect(operation.IsRejected(err)).To(BeTrue(), "%v", err)
	g.Expect(err).To(MatchError(ContainSubstring("dry-run ConfigMap/" + ns + "/loose: failed to create typed patch object")))
	_, err = a.Apply(ctx, op(ns), tk)
	g.Expect(operation.IsRejected(err)).To(BeTrue(), "%v", err)
	g.Expect(err).To(MatchError(ContainSubstring("remove or correct the field")))
}

// TestAMissingNamespace: an object in a namespace that does not exist is
// not judged by the dry-run when the operation creates the namespace, and
// refused, naming the namespace, when it does not: its write would fail
// after earlier steps were applied.
func TestAMissingNamespace(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := env.NamespaceT(t, "apply-")
	tk := tasks(t, ns, `{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg, namespace: nowhere-`+ns+`}}`)[0]
	g.Expect((&apply.Applier{Client: k8s}).DryRun(ctx, op(ns), tk)).To(Succeed(), "nil CreatesNamespace: not judged")
	creates := &apply.Applier{Client: k8s, CreatesNamespace: func(n string) bool { return n == "nowhere-"+ns }}
	g.Expect(creates.DryRun(ctx, op(ns), tk)).To(Succeed(), "the operation creates it")
	refuses := &apply.Applier{Client: k8s, CreatesNamespace: func(string) bool { return false }}
	err := refuses.DryRun(ctx, op(ns), tk)
	g.Expect(operation.IsRejected(err)).To(BeTrue())
	g.Expect(err).To(MatchError(ContainSubstring("dry-run ConfigMap/nowhere-" + ns + "/cfg: namespace nowhere-" + ns + " does not exist and the operation does not create it")))
	existing := tasks(t, ns, `{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}}`)[0]
	g.Expect(refuses.DryRun(ctx, op(ns), existing)).To(Succeed(), "an existing namespace")
}

// impersonated is a client of the test cluster that acts as user.
func impersonated(t *testing.T, user string) client.Client {
	t.Helper()
	cfg := rest.CopyConfig(env.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	c, err := client.New(cfg, client.Options{Scheme: manager.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestForbiddenDryRunIsLeftToTheRealWrite(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := env.NamespaceT(t, "apply-")
	user := "system:serviceaccount:" + ns + ":nobody"
	a := &apply.Applier{Client: impersonated(t, user), User: user}
	tk := tasks(t, ns, `{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}}`)[0]
	g.Expect(a.DryRun(ctx, op(ns), tk)).To(Succeed(), "an earlier step may grant the permission")
	_, err := a.Apply(ctx, op(ns), tk)
	g.Expect(operation.IsRejected(err)).To(BeTrue())
	g.Expect(err).To(MatchError(ContainSubstring("ConfigMap/" + ns + "/cfg as " + user)))
	g.Expect(err).To(MatchError(ContainSubstring("cannot patch")))

	// Granted by "an earlier step": now the write goes through.
	g.Expect(k8s.Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "cm", Namespace: ns},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"*"}}}})).To(Succeed())
	g.Expect(k8s.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "cm", Namespace: ns},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "cm"},
		Subjects: []rbacv1.Subject{{Kind: "User", Name: user}}})).To(Succeed())
	g.Eventually(func() error { _, err := a.Apply(ctx, op(ns), tk); return err }).Should(Succeed())
}

// TestAnAdmissionRefusalFailsTheDryRun: PodSecurity's refusal is a
// Forbidden too, but no step can grant it: the dry-run refuses the
// object, even when authorization refusals are left to the real write.
func TestAnAdmissionRefusalFailsTheDryRun(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := env.NamespaceT(t, "apply-")
	live := &corev1.Namespace{}
	g.Expect(k8s.Get(ctx, client.ObjectKey{Name: ns}, live)).To(Succeed())
	patch := client.MergeFrom(live.DeepCopy())
	live.Labels["pod-security.kubernetes.io/enforce"] = "restricted"
	g.Expect(k8s.Patch(ctx, live, patch)).To(Succeed())
	a := &apply.Applier{Client: k8s}
	tk := tasks(t, ns, `{apiVersion: v1, kind: Pod, metadata: {name: root}, spec: {containers: [{name: c, image: busybox}]}}`)[0]
	err := a.DryRun(ctx, op(ns), tk)
	g.Expect(operation.IsRejected(err)).To(BeTrue(), "%v", err)
	g.Expect(err).To(MatchError(ContainSubstring("violates PodSecurity")))
}

func TestReplaceCreatesThenReplaces(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := env.NamespaceT(t, "apply-")
	a := &apply.Applier{Client: k8s}
	first := tasks(t, ns, `{apiVersion: v1, kind: ConfigMap, metadata: {name: r, annotations: {argocd.argoproj.io/sync-options: Replace=true}}, data: {a: "1"}}`)[0]
	_, err := a.Apply(ctx, op(ns), first)
	g.Expect(err).NotTo(HaveOccurred())
	second := tasks(t, ns, `{apiVersion: v1, kind: ConfigMap, metadata: {name: r, annotations: {argocd.argoproj.io/sync-options: Replace=true}}, data: {b: "2"}}`)[0]
	g.Expect(a.DryRun(ctx, op(ns), second)).To(Succeed(), "an existing object is fine for a replace")
	_, err = a.Apply(ctx, op(ns), second)
	g.Expect(err).NotTo(HaveOccurred())
	cm := &corev1.ConfigMap{}
	g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "r"}, cm)).To(Succeed())
	g.Expect(cm.Data).To(Equal(map[string]string{"b": "2"}))
}

// TestReplaceForceRecreates: Replace=true,Force=true deletes a live
// object that another operation wrote and creates it again once it is
// gone; one that this operation wrote is replaced in place, so a retry or
// a restart does not delete what it created.
func TestReplaceForceRecreates(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := env.NamespaceT(t, "apply-")
	old := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "f", Namespace: ns}, Data: map[string]string{"old": "1"}}
	g.Expect(k8s.Create(ctx, old)).To(Succeed())
	a := &apply.Applier{Client: k8s}
	forced := tasks(t, ns, `{apiVersion: v1, kind: ConfigMap, metadata: {name: f, annotations: {argocd.argoproj.io/sync-options: "Replace=true,Force=true"}}, data: {new: "2"}}`)[0]
	_, err := a.Apply(ctx, op(ns), forced)
	g.Expect(operation.IsNotReady(err)).To(BeTrue(), "%v", err)
	g.Eventually(func() error { _, err := a.Apply(ctx, op(ns), forced); return err }, 10*time.Second, 50*time.Millisecond).Should(Succeed())
	cm := &corev1.ConfigMap{}
	g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "f"}, cm)).To(Succeed())
	g.Expect(cm.UID).NotTo(Equal(old.UID), "created again")
	g.Expect(cm.Data).To(Equal(map[string]string{"new": "2"}))

	_, err = a.Apply(ctx, op(ns), forced) // the same operation again: a replace, not a second deletion
	g.Expect(err).NotTo(HaveOccurred())
	again := &corev1.ConfigMap{}
	g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "f"}, again)).To(Succeed())
	g.Expect(again.UID).To(Equal(cm.UID))
}

func TestEnsureNamespace(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := env.NamespaceT(t, "apply-")
	a := &apply.Applier{Client: k8s}
	g.Expect(a.EnsureNamespace(ctx, op(ns), ns+"-new")).To(Succeed())
	g.Expect(a.EnsureNamespace(ctx, op(ns), ns+"-new")).To(Succeed(), "an existing namespace is fine")
	got := &corev1.Namespace{}
	g.Expect(k8s.Get(ctx, client.ObjectKey{Name: ns + "-new"}, got)).To(Succeed())

	// An identity that may not create namespaces is refused, for good,
	// naming the namespace; once it may read the namespace, an existing
	// one is fine.
	user := "system:serviceaccount:" + ns + ":deployer"
	limited := &apply.Applier{Client: impersonated(t, user), User: user}
	err := limited.EnsureNamespace(ctx, op(ns), ns)
	g.Expect(operation.IsRejected(err)).To(BeTrue(), "%v", err)
	g.Expect(err).To(MatchError(ContainSubstring("Namespace/" + ns)))
	g.Expect(k8s.Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: ns + "-read-ns"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: []string{"get"}}}})).To(Succeed())
	g.Expect(k8s.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: ns + "-read-ns"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: ns + "-read-ns"},
		Subjects: []rbacv1.Subject{{Kind: "User", Name: user}}})).To(Succeed())
	t.Cleanup(func() {
		_ = k8s.Delete(context.Background(), &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: ns + "-read-ns"}})
		_ = k8s.Delete(context.Background(), &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: ns + "-read-ns"}})
	})
	g.Eventually(func() error { return limited.EnsureNamespace(ctx, op(ns), ns) }).Should(Succeed(), "the namespace exists")
	g.Expect(operation.IsRejected(limited.EnsureNamespace(ctx, op(ns), ns+"-missing"))).To(BeTrue(), "a missing one is still refused")
}

// TestDryRunOfANewObjectIsACreate: an object the cache says is absent is
// dry-run as a create with strict field validation, refused for what an
// apply refuses; one that exists after all (not managed, so not cached) is
// dry-run as an apply.
func TestDryRunOfANewObjectIsACreate(t *testing.T) {
	g := NewWithT(t)
	ns := env.NamespaceT(t, "apply-")
	absent := &apply.Applier{Client: k8s, Live: func(*plan.Task) (*unstructured.Unstructured, bool) { return nil, true }}
	ts := tasks(t, ns,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: typo}, datta: {a: "1"}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: fine}, data: {a: "1"}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: exists}, data: {a: "2"}}`)
	g.Expect(k8s.Create(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "exists", Namespace: ns}})).To(Succeed())
	byName := map[string]*plan.Task{}
	for _, tk := range ts {
		byName[tk.ID.Name] = tk
	}
	err := absent.DryRun(context.Background(), op(ns), byName["typo"])
	g.Expect(err).To(MatchError(ContainSubstring("datta")))
	g.Expect(operation.IsRejected(err)).To(BeTrue())
	g.Expect(absent.DryRun(context.Background(), op(ns), byName["fine"])).To(Succeed())
	g.Expect(absent.DryRun(context.Background(), op(ns), byName["exists"])).To(Succeed())
	g.Expect(exists(t, ns, "fine")).To(BeFalse(), "a dry-run writes nothing")
}

func exists(t *testing.T, ns, name string) bool {
	t.Helper()
	err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &corev1.ConfigMap{})
	return err == nil
}
