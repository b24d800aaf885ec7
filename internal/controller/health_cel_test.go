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
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/controller"
	"github.com/syncwave/syncwave/internal/health/cel"
)

// guideExprs is the SPEC's healthCheckExprs example for MyDatabaseInstance.
var guideExprs = []syncv1alpha1.HealthCheckExpr{{
	APIVersion: "databases.example.com/v1",
	Kind:       "MyDatabaseInstance",
	Current:    "status.phase == 'Running'",
	Failed:     "status.phase == 'Failed'",
}}

func dbManifests(t *testing.T) syncv1alpha1.SyncOperationSpec {
	t.Helper()
	return syncv1alpha1.SyncOperationSpec{Manifests: objects(t, dbCRD,
		`{apiVersion: databases.example.com/v1, kind: MyDatabaseInstance, metadata: {name: db1, annotations: {argocd.argoproj.io/sync-wave: "1"}}, spec: {size: 10Gi}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: after-db, annotations: {argocd.argoproj.io/sync-wave: "2"}}}`,
	)}
}

// TestHealthCheckExprsDecideAStep: spec.healthCheckExprs judge the
// MyDatabaseInstance of wave 1, in Flux's meaning: before its operator
// writes a status the expressions cannot be evaluated (Unknown, the step
// waits), Running unblocks wave 2, Failed fails the step.
func TestHealthCheckExprsDecideAStep(t *testing.T) {
	setHealthConfigMap(t, map[string]string{})

	t.Run("Running unblocks", func(t *testing.T) {
		g := NewWithT(t)
		ns := namespace(t)
		spec := dbManifests(t)
		spec.HealthCheckExprs = guideExprs
		op := startOp(t, ns, spec)
		waitBlockedOn(t, op, "db1", "spec.healthCheckExprs[0]: failed")
		g.Expect(op.Status.BlockedBy[0].Health).To(Equal(syncv1alpha1.HealthUnknown))
		setDBStatus(t, ns, map[string]any{"phase": "Provisioning"})
		waitBlockedOn(t, op, "db1", "waiting for current to be true: status.phase == 'Running'")
		g.Expect(exists(t, &corev1.ConfigMap{}, ns, "after-db")).To(BeFalse())
		setDBStatus(t, ns, map[string]any{"phase": "Running"})
		waitDone(t, op)
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
		g.Expect(exists(t, &corev1.ConfigMap{}, ns, "after-db")).To(BeTrue())
	})

	t.Run("Failed fails the step", func(t *testing.T) {
		g := NewWithT(t)
		ns := namespace(t)
		spec := dbManifests(t)
		spec.HealthCheckExprs = guideExprs
		op := startOp(t, ns, spec)
		waitBlockedOn(t, op, "db1", "spec.healthCheckExprs[0]")
		setDBStatus(t, ns, map[string]any{"phase": "Failed"})
		waitDone(t, op)
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
		g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonHealthDegraded))
		g.Expect(op.Status.Message).To(ContainSubstring("failed is true: status.phase == 'Failed'"))
		g.Expect(exists(t, &corev1.ConfigMap{}, ns, "after-db")).To(BeFalse())
	})

	t.Run("the ConfigMap's health.cel key decides, and spec Lua wins over it", func(t *testing.T) {
		g := NewWithT(t)
		setHealthConfigMap(t, map[string]string{
			"health.cel.databases.example.com_MyDatabaseInstance": "- apiVersion: databases.example.com/v1\n  kind: MyDatabaseInstance\n  current: \"true\"\n",
		})
		t.Cleanup(func() { setHealthConfigMap(t, map[string]string{}) })
		ns := namespace(t)
		op := startOp(t, ns, dbManifests(t))
		waitDone(t, op)
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
		g.Expect(resourceMessage(op, "db1")).To(Equal("current is true: true"))

		ns = namespace(t)
		spec := dbManifests(t)
		spec.HealthChecks = []syncv1alpha1.HealthCheck{{Group: "databases.example.com", Kind: "MyDatabaseInstance",
			Lua: `return {status = "Progressing", message = "held by spec Lua"}`}}
		op = startOp(t, ns, spec)
		waitBlockedOn(t, op, "db1", "held by spec Lua")
	})

	t.Run("spec Lua wins over spec CEL for the same kind", func(t *testing.T) {
		ns := namespace(t)
		spec := dbManifests(t)
		spec.HealthCheckExprs = []syncv1alpha1.HealthCheckExpr{{APIVersion: "databases.example.com/v1", Kind: "MyDatabaseInstance", Current: "true"}}
		spec.HealthChecks = []syncv1alpha1.HealthCheck{{Group: "databases.example.com", Kind: "MyDatabaseInstance",
			Lua: `return {status = "Progressing", message = "Lua first"}`}}
		op := startOp(t, ns, spec)
		waitBlockedOn(t, op, "db1", "Lua first")
	})
}

// TestHealthCheckExprsAreImmutable: like every spec field but terminate.
func TestHealthCheckExprsAreImmutable(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := namespace(t)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "immutable", Namespace: ns},
		Spec: syncv1alpha1.SyncOperationSpec{Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}`),
			HealthCheckExprs: guideExprs, Terminate: true}}
	g.Expect(k8s.Create(ctx, op)).To(Succeed())
	// update applies change to the latest version: the controller writes
	// the operation (its finalizer, its status) meanwhile.
	update := func(change func(*syncv1alpha1.SyncOperation)) error {
		for {
			latest := &syncv1alpha1.SyncOperation{}
			if err := k8s.Get(ctx, client.ObjectKeyFromObject(op), latest); err != nil {
				return err
			}
			change(latest)
			if err := k8s.Update(ctx, latest); !apierrors.IsConflict(err) {
				return err
			}
		}
	}
	g.Expect(update(func(o *syncv1alpha1.SyncOperation) { o.Spec.HealthCheckExprs[0].Current = "true" })).
		To(MatchError(ContainSubstring("healthCheckExprs is immutable")))
	g.Expect(update(func(o *syncv1alpha1.SyncOperation) { o.Spec.HealthCheckExprs = nil })).
		To(MatchError(ContainSubstring("spec is immutable")))

	bad := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "bad", Namespace: ns},
		Spec: syncv1alpha1.SyncOperationSpec{Manifests: op.Spec.Manifests,
			HealthCheckExprs: []syncv1alpha1.HealthCheckExpr{{APIVersion: "example.com/v1", Kind: "Thing"}}}}
	g.Expect(k8s.Create(ctx, bad)).To(MatchError(ContainSubstring("spec.healthCheckExprs[0].current")))
}

// TestHealthCheckExprsThatDoNotCompileAreRefused: the operation ends
// Failed/InvalidManifests before it applies anything, and the message names
// the entry, its kind, the field and the expression.
func TestHealthCheckExprsThatDoNotCompileAreRefused(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	spec := dbManifests(t)
	spec.HealthCheckExprs = []syncv1alpha1.HealthCheckExpr{{APIVersion: "databases.example.com/v1", Kind: "MyDatabaseInstance",
		Current: "status.phase == 'Running'", Failed: "status.phase ==="}}
	op := run(t, ns, spec)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonInvalidManifests))
	g.Expect(op.Status.Message).To(ContainSubstring("spec.healthCheckExprs[0] (MyDatabaseInstance.databases.example.com): failed"))
	g.Expect(op.Status.Message).To(ContainSubstring(`"status.phase ==="`))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "after-db")).To(BeFalse())
}

// TestCompileExprs: what the operation's start refuses.
func TestCompileExprs(t *testing.T) {
	g := NewWithT(t)
	h := &controller.HealthConfig{CEL: cel.NewEngine(cel.DefaultOptions())}
	op := &syncv1alpha1.SyncOperation{}
	g.Expect(h.CompileExprs(op)).To(Succeed())
	op.Spec.HealthCheckExprs = guideExprs
	g.Expect(h.CompileExprs(op)).To(Succeed())
	op.Spec.HealthCheckExprs = []syncv1alpha1.HealthCheckExpr{guideExprs[0], {APIVersion: "databases.example.com/v1", Kind: "MyDatabaseInstance2",
		Current: "status.phase == 'Running'", InProgress: "status.phase in ['Pending'"}}
	err := h.CompileExprs(op)
	g.Expect(err).To(MatchError(ContainSubstring("spec.healthCheckExprs[1] (MyDatabaseInstance2.databases.example.com): inProgress")))
	g.Expect(err).To(MatchError(ContainSubstring(`"status.phase in ['Pending'"`)))
	var none *controller.HealthConfig
	g.Expect(none.CompileExprs(op)).To(MatchError(ContainSubstring("CEL health checks are disabled")))
}
