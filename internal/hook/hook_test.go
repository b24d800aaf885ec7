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

package hook_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/hook"
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

// task plans one ConfigMap hook with the given annotations.
func task(t *testing.T, ns string, meta map[string]any) *plan.Task {
	t.Helper()
	meta["namespace"] = ns
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}}
	p, err := plan.Build([]*unstructured.Unstructured{obj}, plan.Options{DefaultNamespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	return &p.Steps[0].Tasks[0]
}

func op(ns string, uid types.UID) *syncv1alpha1.SyncOperation {
	return &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns, UID: uid}}
}

func TestNameIsDeterministicPerOperationAndPhase(t *testing.T) {
	g := NewWithT(t)
	tk := task(t, "ns", map[string]any{"generateName": "migrate-", "annotations": map[string]any{syncv1alpha1.AnnotationHook: "PreSync,PostSync"}})
	a := hook.Name(op("ns", "uid-a"), tk)
	g.Expect(a).To(MatchRegexp("^migrate-[0-9a-f]{10}$"))
	g.Expect(hook.Name(op("ns", "uid-a"), tk)).To(Equal(a), "the same operation finds the same name again")
	g.Expect(hook.Name(op("ns", "uid-b"), tk)).NotTo(Equal(a), "another operation gets another name")
	post := *tk
	post.Phase = syncv1alpha1.SyncPhasePostSync
	g.Expect(hook.Name(op("ns", "uid-a"), &post)).NotTo(Equal(a), "another phase gets another name")
	long := task(t, "ns", map[string]any{"generateName": strings.Repeat("x", 80), "annotations": map[string]any{syncv1alpha1.AnnotationHook: "PreSync"}})
	g.Expect(len(hook.Name(op("ns", "uid-a"), long))).To(BeNumerically("<=", 63))
	named := task(t, "ns", map[string]any{"name": "fixed", "annotations": map[string]any{syncv1alpha1.AnnotationHook: "PreSync"}})
	g.Expect(hook.Name(op("ns", "uid-a"), named)).To(Equal("fixed"))
}

func TestCreateAdoptsItsOwnHook(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := env.NamespaceT(t, "hook-")
	r := &hook.Runner{Client: k8s, Reader: k8s}
	o := op(ns, "uid-1")
	tk := task(t, ns, map[string]any{"name": "h", "annotations": map[string]any{syncv1alpha1.AnnotationHook: "PreSync"}})
	waiting, err := r.Create(ctx, o, tk, "h")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(waiting).To(BeFalse())
	cm := &corev1.ConfigMap{}
	g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "h"}, cm)).To(Succeed())
	g.Expect(cm.Finalizers).To(ContainElement(syncv1alpha1.HookFinalizer))
	g.Expect(cm.Labels[syncv1alpha1.LabelOperationUID]).To(Equal("uid-1"))
	g.Expect(cm.OwnerReferences).To(HaveLen(1))

	// After a restart, the same operation finds it again: no second object.
	waiting, err = r.Create(ctx, o, tk, "h")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(waiting).To(BeFalse())
	again := &corev1.ConfigMap{}
	g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "h"}, again)).To(Succeed())
	g.Expect(again.UID).To(Equal(cm.UID))

	// Release drops the finalizer; with remove it deletes the hook.
	g.Expect(r.Release(ctx, o, tk, "h", false)).To(Succeed())
	g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "h"}, cm)).To(Succeed())
	g.Expect(cm.Finalizers).To(BeEmpty())
	g.Expect(r.Release(ctx, o, tk, "h", true)).To(Succeed())
	g.Expect(apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "h"}, cm))).To(BeTrue())
	g.Expect(r.Release(ctx, o, tk, "h", true)).To(Succeed(), "releasing a gone hook is done")
}

func TestBeforeHookCreationReplacesAForeignObject(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := env.NamespaceT(t, "hook-")
	old := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "h", Namespace: ns}}
	g.Expect(k8s.Create(ctx, old)).To(Succeed())
	r := &hook.Runner{Client: k8s, Reader: k8s}
	tk := task(t, ns, map[string]any{"name": "h", "annotations": map[string]any{syncv1alpha1.AnnotationHook: "PreSync"}})
	waiting, err := r.Create(ctx, op(ns, "uid-2"), tk, "h")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(waiting).To(BeFalse(), "a ConfigMap is gone at once, so the hook is created in the same call")
	cm := &corev1.ConfigMap{}
	g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "h"}, cm)).To(Succeed())
	g.Expect(cm.UID).NotTo(Equal(old.UID))
	g.Expect(cm.Labels[syncv1alpha1.LabelOperationUID]).To(Equal("uid-2"))
}

func TestWithoutBeforeHookCreationAnExistingObjectIsAnError(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := env.NamespaceT(t, "hook-")
	old := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "h", Namespace: ns}}
	g.Expect(k8s.Create(ctx, old)).To(Succeed())
	r := &hook.Runner{Client: k8s, Reader: k8s}
	tk := task(t, ns, map[string]any{"name": "h", "annotations": map[string]any{
		syncv1alpha1.AnnotationHook: "PreSync", syncv1alpha1.AnnotationHookDeletePolicy: "HookSucceeded"}})
	_, err := r.Create(ctx, op(ns, "uid-3"), tk, "h")
	g.Expect(err).To(MatchError(ContainSubstring("already exists; add BeforeHookCreation")))
	g.Expect(operation.IsRejected(err)).To(BeTrue(), "retrying cannot help")
	still := &corev1.ConfigMap{}
	g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(old), still)).To(Succeed())
	g.Expect(still.UID).To(Equal(old.UID))
}

// TestARetryReplacesTheEarlierAttempt: a named hook without
// BeforeHookCreation, kept after it failed (HookSucceeded policy), is run
// again by the retry of its step: the earlier attempt of the same
// operation is replaced; another operation's object is not.
func TestARetryReplacesTheEarlierAttempt(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := env.NamespaceT(t, "hook-")
	r := &hook.Runner{Client: k8s, Reader: k8s}
	tk := task(t, ns, map[string]any{"name": "migrate", "annotations": map[string]any{
		syncv1alpha1.AnnotationHook: "PreSync", syncv1alpha1.AnnotationHookDeletePolicy: "HookSucceeded"}})
	o := op(ns, "uid-4")
	_, err := r.Create(ctx, o, tk, "migrate")
	g.Expect(err).NotTo(HaveOccurred())
	first := &corev1.ConfigMap{}
	g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "migrate"}, first)).To(Succeed())
	g.Expect(r.Release(ctx, o, tk, "migrate", false)).To(Succeed(), "it failed: released, kept by its policy")

	o.Status.Steps = []syncv1alpha1.StepResult{{Phase: tk.Phase, Wave: tk.Wave, Retries: 1}}
	waiting, err := r.Create(ctx, o, tk, "migrate")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(waiting).To(BeFalse())
	second := &corev1.ConfigMap{}
	g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "migrate"}, second)).To(Succeed())
	g.Expect(second.UID).NotTo(Equal(first.UID), "the retry is a new object")
	g.Expect(second.Annotations[hook.AnnotationHookAttempt]).To(Equal("1"))

	_, err = r.Create(ctx, op(ns, "uid-5"), tk, "migrate")
	g.Expect(err).To(MatchError(ContainSubstring("already exists; add BeforeHookCreation")), "another operation's hook is not replaced")
}
