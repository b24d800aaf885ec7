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
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// guideScript is the guide's health check for MyDatabaseInstance.
const guideScript = `hs = {}
if obj.status ~= nil then
  if obj.status.phase == "Running" then
    hs.status = "Healthy"
    hs.message = "Database is fully synchronized and running."
    return hs
  end
  if obj.status.phase == "Failed" then
    hs.status = "Degraded"
    hs.message = "Database initialization failed: " .. obj.status.reason
    return hs
  end
end
hs.status = "Progressing"
hs.message = "Database is provisioning schema or allocating storage..."
return hs
`

const healthKey = "resource.customizations.health.databases.example.com_MyDatabaseInstance"

const dbCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: mydatabaseinstances.databases.example.com}
spec:
  group: databases.example.com
  scope: Namespaced
  names: {plural: mydatabaseinstances, singular: mydatabaseinstance, kind: MyDatabaseInstance, listKind: MyDatabaseInstanceList}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`

// setHealthConfigMap writes the controller's health ConfigMap.
func setHealthConfigMap(t *testing.T, data map[string]string) {
	t.Helper()
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "syncwave-system"}}
	if err := k8s.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "syncwave-health", Namespace: "syncwave-system"}}
	err := k8s.Get(ctx, client.ObjectKeyFromObject(cm), cm)
	cm.Data = data
	switch {
	case apierrors.IsNotFound(err):
		err = k8s.Create(ctx, cm)
	case err == nil:
		err = k8s.Update(ctx, cm)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func db(ns string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(schema.GroupVersionKind{Group: "databases.example.com", Version: "v1", Kind: "MyDatabaseInstance"})
	u.SetNamespace(ns)
	u.SetName("db1")
	return u
}

func setDBStatus(t *testing.T, ns string, status map[string]any) {
	t.Helper()
	g := NewWithT(t)
	u := db(ns)
	g.Eventually(func() error { return k8s.Get(context.Background(), client.ObjectKeyFromObject(u), u) }, 10*time.Second).Should(Succeed())
	u.Object["status"] = status
	g.Expect(k8s.Status().Update(context.Background(), u)).To(Succeed())
}

func startOp(t *testing.T, ns string, spec syncv1alpha1.SyncOperationSpec) *syncv1alpha1.SyncOperation {
	t.Helper()
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns}, Spec: spec}
	if err := k8s.Create(context.Background(), op); err != nil {
		t.Fatal(err)
	}
	return op
}

func waitBlockedOn(t *testing.T, op *syncv1alpha1.SyncOperation, name, msg string) {
	t.Helper()
	NewWithT(t).Eventually(func() string {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		for _, b := range op.Status.BlockedBy {
			if b.Name == name {
				return b.Message
			}
		}
		return ""
	}, 20*time.Second, 20*time.Millisecond).Should(ContainSubstring(msg))
}

func waitDone(t *testing.T, op *syncv1alpha1.SyncOperation) {
	t.Helper()
	NewWithT(t).Eventually(func() bool {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		return op.Status.Phase.Terminal()
	}, 20*time.Second, 20*time.Millisecond).Should(BeTrue())
}

// TestLuaHealthGatesTheNextWave is the guide's custom-health example: the
// MyDatabaseInstance in wave 1, judged by the guide's script from the health
// ConfigMap, blocks wave 2 until its operator reports Running; Failed fails
// the step and runs SyncFail.
func TestLuaHealthGatesTheNextWave(t *testing.T) {
	setHealthConfigMap(t, map[string]string{healthKey: guideScript})
	manifests := func() syncv1alpha1.SyncOperationSpec {
		return syncv1alpha1.SyncOperationSpec{Manifests: objects(t, dbCRD,
			`{apiVersion: databases.example.com/v1, kind: MyDatabaseInstance, metadata: {name: db1, annotations: {argocd.argoproj.io/sync-wave: "1"}}, spec: {size: 10Gi}}`,
			`{apiVersion: v1, kind: ConfigMap, metadata: {name: after-db, annotations: {argocd.argoproj.io/sync-wave: "2"}}}`,
			`{apiVersion: v1, kind: ConfigMap, metadata: {name: sync-failed, annotations: {argocd.argoproj.io/hook: SyncFail}}}`,
		)}
	}

	t.Run("Running unblocks", func(t *testing.T) {
		g := NewWithT(t)
		ns := namespace(t)
		op := startOp(t, ns, manifests())
		waitBlockedOn(t, op, "db1", "Database is provisioning")
		g.Expect(op.Status.Step).To(Equal("Sync/1"))
		g.Consistently(func() bool { return exists(t, &corev1.ConfigMap{}, ns, "after-db") }, time.Second).Should(BeFalse())
		setDBStatus(t, ns, map[string]any{"phase": "Running"})
		waitDone(t, op)
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
		g.Expect(exists(t, &corev1.ConfigMap{}, ns, "after-db")).To(BeTrue())
		g.Expect(exists(t, &corev1.ConfigMap{}, ns, "sync-failed")).To(BeFalse())
	})

	t.Run("Failed fails the step and runs SyncFail", func(t *testing.T) {
		g := NewWithT(t)
		ns := namespace(t)
		op := startOp(t, ns, manifests())
		waitBlockedOn(t, op, "db1", "Database is provisioning")
		setDBStatus(t, ns, map[string]any{"phase": "Failed", "reason": "disk full"})
		waitDone(t, op)
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
		g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonHealthDegraded))
		g.Expect(op.Status.Message).To(ContainSubstring("Database initialization failed: disk full"))
		g.Expect(exists(t, &corev1.ConfigMap{}, ns, "sync-failed")).To(BeTrue(), "the SyncFail hook ran")
		g.Expect(exists(t, &corev1.ConfigMap{}, ns, "after-db")).To(BeFalse())
	})

	t.Run("a ConfigMap change re-judges a waiting step", func(t *testing.T) {
		g := NewWithT(t)
		setHealthConfigMap(t, map[string]string{healthKey: `return {status = "Progressing", message = "held by the test"}`})
		t.Cleanup(func() { setHealthConfigMap(t, map[string]string{healthKey: guideScript}) })
		ns := namespace(t)
		op := startOp(t, ns, manifests())
		waitBlockedOn(t, op, "db1", "held by the test")
		setDBStatus(t, ns, map[string]any{"phase": "Running"})
		g.Consistently(func() syncv1alpha1.OperationPhase {
			_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
			return op.Status.Phase
		}, time.Second).Should(Equal(syncv1alpha1.OperationRunning))
		setHealthConfigMap(t, map[string]string{healthKey: guideScript})
		waitDone(t, op)
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	})

	t.Run("spec.healthChecks win over the ConfigMap", func(t *testing.T) {
		g := NewWithT(t)
		ns := namespace(t)
		spec := manifests()
		spec.HealthChecks = []syncv1alpha1.HealthCheck{{Group: "databases.example.com", Kind: "MyDatabaseInstance",
			Lua: `return {status = "Healthy", message = "trusted by the operation"}`}}
		op := startOp(t, ns, spec)
		waitDone(t, op)
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
		g.Expect(op.Status.Resources[1].Message).To(Equal("trusted by the operation"))
	})

	t.Run("a script that does not compile is refused", func(t *testing.T) {
		g := NewWithT(t)
		ns := namespace(t)
		spec := manifests()
		spec.HealthChecks = []syncv1alpha1.HealthCheck{{Group: "databases.example.com", Kind: "MyDatabaseInstance", Lua: "return {"}}
		op := run(t, ns, spec)
		g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonInvalidManifests))
		g.Expect(op.Status.Message).To(ContainSubstring("spec.healthChecks[0]"))
	})
}

// TestGenericHealthOfCustomResources: a custom resource with no script and
// no status is Healthy once it exists; one with a Ready condition waits for
// it to be True.
func TestGenericHealthOfCustomResources(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	crd := func(kind string) string {
		lower := strings.ToLower(kind)
		return `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ` + lower + `s.generic.example.com}
spec:
  group: generic.example.com
  scope: Namespaced
  names: {plural: ` + lower + `s, singular: ` + lower + `, kind: ` + kind + `}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
`
	}
	op := startOp(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t, crd("Plain"), crd("Gated"),
		`{apiVersion: generic.example.com/v1, kind: Plain, metadata: {name: p1}}`,
		`{apiVersion: generic.example.com/v1, kind: Gated, metadata: {name: g1}, status: {conditions: [{type: Ready, status: "False", reason: Waiting}]}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: after, annotations: {argocd.argoproj.io/sync-wave: "1"}}}`,
	)})
	g.Eventually(func() []syncv1alpha1.BlockedResource {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		if op.Status.Step != "Sync/0" {
			return nil
		}
		return op.Status.BlockedBy
	}, 20*time.Second, 20*time.Millisecond).Should(HaveLen(1), "only the gated resource is waited for")
	g.Expect(op.Status.BlockedBy[0].Name).To(Equal("g1"))
	g.Expect(op.Status.BlockedBy[0].Health).To(Equal(syncv1alpha1.HealthProgressing))
	g.Consistently(func() bool { return exists(t, &corev1.ConfigMap{}, ns, "after") }, time.Second).Should(BeFalse())

	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(schema.GroupVersionKind{Group: "generic.example.com", Version: "v1", Kind: "Gated"})
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "g1"}, u)).To(Succeed())
	u.Object["status"] = map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "True", "reason": "Done"}}}
	g.Expect(k8s.Update(context.Background(), u)).To(Succeed())
	waitDone(t, op)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
}
