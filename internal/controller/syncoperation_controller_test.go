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
	"context"
	"fmt"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

func TestWavesRunInOrderAndSucceed(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: late, annotations: {argocd.argoproj.io/sync-wave: "5"}}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: early, annotations: {argocd.argoproj.io/sync-wave: "-5"}}}`,
		`{apiVersion: v1, kind: Service, metadata: {name: svc}, spec: {ports: [{port: 80}]}}`,
	)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(meta.IsStatusConditionTrue(op.Status.Conditions, syncv1alpha1.ConditionReady)).To(BeTrue())
	g.Expect(meta.FindStatusCondition(op.Status.Conditions, syncv1alpha1.ConditionReconciling)).To(BeNil())
	g.Expect(op.Status.Summary.Total).To(Equal(int32(3)))
	g.Expect(op.Status.Progress).To(Equal("3/3"))
	var names []string
	for _, r := range op.Status.Resources {
		names = append(names, r.Name)
		g.Expect(r.StartedAt).NotTo(BeNil())
	}
	g.Expect(names).To(Equal([]string{"early", "svc", "late"}))
	// Each step started only after the previous one finished.
	for i := 1; i < len(op.Status.Resources); i++ {
		prev, cur := op.Status.Resources[i-1], op.Status.Resources[i]
		g.Expect(cur.StartedAt.Time).NotTo(BeTemporally("<", prev.FinishedAt.Time))
	}
	cm := &corev1.ConfigMap{}
	g.Expect(exists(t, cm, ns, "late")).To(BeTrue())
	g.Expect(cm.Annotations[syncv1alpha1.AnnotationOperation]).To(Equal(ns + "/op"))
	g.Expect(cm.Labels[syncv1alpha1.LabelManaged]).To(Equal("true"))
	g.Expect(cm.ManagedFields[0].Manager).To(Equal("syncwave"))
}

func TestSpecIsImmutableExceptTerminate(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	// A duration written as "10m" comes back from Go clients as "10m0s":
	// still the same value, so writing the object back is allowed.
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "syncwave.dev/v1alpha1", "kind": "SyncOperation",
		"metadata": map[string]any{"name": "op", "namespace": ns},
		"spec":     map[string]any{"timeout": "10m", "manifests": []any{map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "a"}}}}}}
	g.Expect(k8s.Create(context.Background(), u)).To(Succeed())
	op := &syncv1alpha1.SyncOperation{}
	g.Eventually(func() bool {
		_ = k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "op"}, op)
		return op.Status.Phase.Terminal()
	}, 30*time.Second, 20*time.Millisecond).Should(BeTrue())
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(k8s.Update(context.Background(), op)).To(Succeed(), "an unchanged spec may be written back")
	changed := op.DeepCopy()
	changed.Spec.Timeout = &metav1.Duration{Duration: 20 * time.Minute}
	g.Expect(k8s.Update(context.Background(), changed)).To(MatchError(ContainSubstring("timeout is immutable")))
	changed = op.DeepCopy()
	changed.Spec.TargetNamespace = "elsewhere"
	err := k8s.Update(context.Background(), changed)
	g.Expect(err).To(MatchError(ContainSubstring("immutable")))
	changed = op.DeepCopy()
	changed.Spec.Manifests = objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: b}}`)
	g.Expect(k8s.Update(context.Background(), changed)).To(MatchError(ContainSubstring("manifests is immutable")))
	patch := client.MergeFrom(op.DeepCopy())
	op.Spec.Terminate = true
	g.Expect(k8s.Patch(context.Background(), op, patch)).To(Succeed())
}

func TestInvalidAnnotationFailsBeforeAnythingIsApplied(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: good}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: bad, annotations: {argocd.argoproj.io/sync-wave: "soon"}}}`,
	)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonInvalidManifests))
	g.Expect(op.Status.Message).To(ContainSubstring("bad"))
	g.Expect(op.Status.Message).To(ContainSubstring("argocd.argoproj.io/sync-wave"))
	stalled := meta.FindStatusCondition(op.Status.Conditions, syncv1alpha1.ConditionStalled)
	g.Expect(stalled).NotTo(BeNil())
	g.Expect(stalled.Reason).To(Equal(syncv1alpha1.ReasonInvalidManifests))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "good")).To(BeFalse())
	events := &corev1.EventList{}
	g.Eventually(func() int {
		_ = k8s.List(context.Background(), events, client.InNamespace(ns))
		return len(events.Items)
	}, 5*time.Second).ShouldNot(BeZero())
}

func TestDryRunRejectionAppliesNothing(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: first, annotations: {argocd.argoproj.io/sync-wave: "-1"}}}`,
		`{apiVersion: v1, kind: Service, metadata: {name: broken}, spec: {ports: [{port: 99999}]}}`,
	)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonApplyFailed))
	g.Expect(op.Status.Message).To(ContainSubstring("Service/" + ns + "/broken"))
	g.Expect(op.Status.Message).To(ContainSubstring("spec.ports[0].port"))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "first")).To(BeFalse(), "nothing is applied when the dry-run rejects an object")
}

// configMapTenant creates the ServiceAccount "tenant" in ns, allowed to
// manage only ConfigMaps there.
func configMapTenant(t *testing.T, ns string) {
	t.Helper()
	g := NewWithT(t)
	ctx := context.Background()
	g.Expect(k8s.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "tenant", Namespace: ns}})).To(Succeed())
	g.Expect(k8s.Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "configmaps", Namespace: ns},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"*"}}}})).To(Succeed())
	g.Expect(k8s.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "tenant", Namespace: ns},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "configmaps"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "tenant", Namespace: ns}}})).To(Succeed())
}

// TestTenantStopsAtAForbiddenObject: an operation that impersonates a
// ServiceAccount allowed to manage only ConfigMaps in its namespace fails at
// the ClusterRole, with a message that names the object, the verb and the
// ServiceAccount; the earlier wave was applied, the later one was not
// (the plan writes an RBAC object, so authorization is left to the write).
func TestTenantStopsAtAForbiddenObject(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	configMapTenant(t, ns)

	op := run(t, ns, syncv1alpha1.SyncOperationSpec{ServiceAccountName: "tenant", Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: first}}`,
		`{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: `+ns+`-escalate, annotations: {argocd.argoproj.io/sync-wave: "1"}}, rules: []}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: last, annotations: {argocd.argoproj.io/sync-wave: "2"}}}`,
	)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonApplyFailed))
	g.Expect(op.Status.Message).To(ContainSubstring("ClusterRole/" + ns + "-escalate"))
	g.Expect(op.Status.Message).To(ContainSubstring("system:serviceaccount:" + ns + ":tenant"))
	g.Expect(op.Status.Message).To(ContainSubstring("cannot patch"))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "first")).To(BeTrue(), "the earlier wave was applied")
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "last")).To(BeFalse(), "nothing after the forbidden object is applied")
	g.Expect(exists(t, &rbacv1.ClusterRole{}, "", ns+"-escalate")).To(BeFalse())
}

// TestTenantForbiddenAtTheStartAppliesNothing: with no RBAC object in the
// plan, nothing the operation writes could grant what authorization
// refuses at the start's dry-run: the operation fails there, nothing
// applied (SPEC §5), naming the object and the ServiceAccount.
func TestTenantForbiddenAtTheStartAppliesNothing(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	configMapTenant(t, ns)

	op := run(t, ns, syncv1alpha1.SyncOperationSpec{ServiceAccountName: "tenant", Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: first}}`,
		`{apiVersion: v1, kind: Secret, metadata: {name: later, annotations: {argocd.argoproj.io/sync-wave: "1"}}}`,
	)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonApplyFailed))
	g.Expect(op.Status.Message).To(ContainSubstring("nothing was applied"))
	g.Expect(op.Status.Message).To(ContainSubstring("Secret/" + ns + "/later as system:serviceaccount:" + ns + ":tenant"))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "first")).To(BeFalse(), "nothing applied")
}

// TestTenantReadsSourcesAsItself: a source the ServiceAccount may not read
// is not read for it.
func TestTenantReadsSourcesAsItself(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	src := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "bundle", Namespace: ns},
		StringData: map[string]string{"a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-secret}\n"}}
	g.Expect(k8s.Create(context.Background(), src)).To(Succeed())
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{ServiceAccountName: "nobody",
		Sources: []syncv1alpha1.ManifestSource{{SecretRef: &syncv1alpha1.KeyReference{Name: "bundle"}}}})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Message).To(ContainSubstring("forbidden"))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "from-secret")).To(BeFalse())
}

func TestCRDAndItsCustomResourceInOneStep(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t,
		`{apiVersion: example.com/v1, kind: Widget, metadata: {name: w1}, spec: {size: 3}}`,
		`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	w := &unstructured.Unstructured{}
	w.SetGroupVersionKind(schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Widget"})
	g.Expect(exists(t, w, ns, "w1")).To(BeTrue())
}

func TestManifestsFromConfigMapSource(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	src := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "bundle", Namespace: ns}, Data: map[string]string{
		"a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-a2}\n",
		"b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-b, annotations: {argocd.argoproj.io/sync-wave: '1'}}\n",
	}}
	g.Expect(k8s.Create(context.Background(), src)).To(Succeed())
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Sources: []syncv1alpha1.ManifestSource{{ConfigMapRef: &syncv1alpha1.KeyReference{Name: "bundle"}}}})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Status.PlanDigest).To(HavePrefix("sha256:"))
	for _, n := range []string{"from-a", "from-a2", "from-b"} {
		g.Expect(exists(t, &corev1.ConfigMap{}, ns, n)).To(BeTrue(), n)
	}
}

// TestMissingSourceTimesOut: a source that never appears fails the
// operation at its timeout, naming the source; nothing is applied.
func TestMissingSourceTimesOut(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Timeout: &metav1.Duration{Duration: 2 * time.Second},
		Sources: []syncv1alpha1.ManifestSource{{ConfigMapRef: &syncv1alpha1.KeyReference{Name: "nope"}}}})
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonInvalidManifests))
	g.Expect(op.Status.Message).To(ContainSubstring("ConfigMap " + ns + "/nope (spec.sources[0])"))
	g.Expect(op.Status.Message).To(ContainSubstring("gave up after the operation's timeout of 2s"))
}

// TestOperationWaitsForItsSource: an operation created a moment before its
// source ConfigMap (one kubectl apply -f dir/) waits Pending, saying for
// what, and starts as soon as the ConfigMap is created.
func TestOperationWaitsForItsSource(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns},
		Spec: syncv1alpha1.SyncOperationSpec{Sources: []syncv1alpha1.ManifestSource{{ConfigMapRef: &syncv1alpha1.KeyReference{Name: "later"}}}}}
	g.Expect(k8s.Create(context.Background(), op)).To(Succeed())
	g.Eventually(func() string {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		return op.Status.Message
	}, 10*time.Second, 20*time.Millisecond).Should(Equal("waiting for the source ConfigMap " + ns + "/later (spec.sources[0]) to exist"))
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationPending))
	g.Expect(op.Status.BlockedBy).To(ConsistOf(HaveField("ResourceRef.Name", "later")))
	g.Expect(op.Status.Snapshot).To(BeNil(), "nothing is pinned or applied before every source is readable")

	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "later", Namespace: ns},
		Data: map[string]string{"app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\n"}}
	created := time.Now()
	g.Expect(k8s.Create(context.Background(), cm)).To(Succeed())
	g.Eventually(func() bool {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		return op.Status.Phase.Terminal()
	}, 10*time.Second, 10*time.Millisecond).Should(BeTrue())
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(time.Since(created)).To(BeNumerically("<", 5*time.Second), "woken by the ConfigMap's watch event, not a timer")
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "app")).To(BeTrue())
}

func TestCreateNamespaceOption(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	target := ns + "-target"
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{TargetNamespace: target, SyncOptions: []string{"CreateNamespace=true"},
		Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}`)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(exists(t, &corev1.ConfigMap{}, target, "a")).To(BeTrue())
}

// TestAMissingNamespaceAppliesNothing: an object of a later wave in a
// namespace that neither exists nor is created by the operation fails the
// start (ApplyFailed, nothing applied), where its write would have failed
// after the first wave; a Namespace of the plan, in any wave, makes it fine.
func TestAMissingNamespaceAppliesNothing(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	missing := ns + "-missing"
	late := fmt.Sprintf(`{apiVersion: v1, kind: ConfigMap, metadata: {name: late, namespace: %s, annotations: {argocd.argoproj.io/sync-wave: "1"}}}`, missing)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: early}}`, late)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonApplyFailed))
	g.Expect(op.Status.Message).To(ContainSubstring("nothing was applied"))
	g.Expect(op.Status.Message).To(ContainSubstring("namespace " + missing + " does not exist and the operation does not create it"))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "early")).To(BeFalse(), "nothing applied")

	created := run(t, namespace(t), syncv1alpha1.SyncOperationSpec{Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: early}}`, late,
		fmt.Sprintf(`{apiVersion: v1, kind: Namespace, metadata: {name: %s, annotations: {argocd.argoproj.io/sync-wave: "1"}}}`, missing))})
	g.Expect(created.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), created.Status.Message)
	g.Expect(exists(t, &corev1.ConfigMap{}, missing, "late")).To(BeTrue())
}

func TestReplaceOption(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	old := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: ns}, Data: map[string]string{"old": "1"}}
	g.Expect(k8s.Create(context.Background(), old)).To(Succeed())
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: r, annotations: {argocd.argoproj.io/sync-options: Replace=true}}, data: {new: "2"}}`)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	cm := &corev1.ConfigMap{}
	g.Expect(exists(t, cm, ns, "r")).To(BeTrue())
	g.Expect(cm.Data).To(Equal(map[string]string{"new": "2"}), "replace drops fields the manifest does not have")
}

func TestGenerateNameHookGetsADeterministicName(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {generateName: marker-, annotations: {argocd.argoproj.io/hook: PreSync}}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: app}}`)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	hook := op.Status.Resources[0]
	g.Expect(hook.HookType).To(Equal(syncv1alpha1.HookTypePreSync))
	g.Expect(hook.HookPhase).To(Equal(syncv1alpha1.HookSucceeded))
	g.Expect(hook.Name).To(MatchRegexp("^marker-[0-9a-f]{10}$"))
	cm := &corev1.ConfigMap{}
	g.Expect(exists(t, cm, ns, hook.Name)).To(BeTrue())
	g.Expect(cm.OwnerReferences).To(HaveLen(1))
	g.Expect(cm.OwnerReferences[0].UID).To(Equal(op.UID))
	g.Eventually(func() []string {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(cm), cm)
		return cm.Finalizers
	}, 5*time.Second).Should(BeEmpty(), "the hook finalizer goes once the result is recorded")
}

// TestDeletingAnOperationRemovesItsHooksEverywhere: a hook in the
// operation's namespace goes with its owner reference; a hook in another
// namespace is removed by the controller through the operation's finalizer.
func TestDeletingAnOperationRemovesItsHooksEverywhere(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	other := namespace(t)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: here, annotations: {argocd.argoproj.io/hook: PreSync}}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: there, namespace: `+other+`, annotations: {argocd.argoproj.io/hook: PreSync}}}`,
	)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Finalizers).To(ContainElement(syncv1alpha1.OperationFinalizer))
	here := &corev1.ConfigMap{}
	g.Expect(exists(t, here, ns, "here")).To(BeTrue())
	g.Expect(here.OwnerReferences).To(HaveLen(1))
	there := &corev1.ConfigMap{}
	g.Expect(exists(t, there, other, "there")).To(BeTrue())
	g.Expect(there.OwnerReferences).To(BeEmpty(), "owner references cannot cross namespaces")

	g.Expect(k8s.Delete(context.Background(), op)).To(Succeed())
	g.Eventually(func() bool { return exists(t, &corev1.ConfigMap{}, other, "there") }, 10*time.Second).Should(BeFalse())
	g.Eventually(func() bool { return exists(t, &syncv1alpha1.SyncOperation{}, ns, "op") }, 10*time.Second).Should(BeFalse())
}
