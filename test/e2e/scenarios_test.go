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

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/test/cluster"
)

const (
	migration = "prod-db-migration"
	smokeTest = "prod-smoke-test"
	onFailure = "prod-sync-failure-handler"
	api       = "product-api"
)

func gone(e *env, ns, name string) func() bool {
	return func() bool {
		err := e.cl.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &batchv1.Job{})
		return apierrors.IsNotFound(err)
	}
}

// TestScenarios runs the guide's example and its failure modes on one
// simulated cluster, each scenario in its own namespace with its own
// controller process.
func TestScenarios(t *testing.T) {
	e := newEnv(t)

	t.Run("1 guide succeeds in order", func(t *testing.T) {
		g := NewWithT(t)
		ns := e.c.NamespaceT(t, "guide-")
		e.createRBAC(t, ns)
		ctrl := e.startController(t)
		w := e.record(t, ns)
		op := e.createOp(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: manifests(t, ns, nil)})
		op = e.waitDone(t, op, 90*time.Second)

		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
		g.Expect(meta.IsStatusConditionTrue(op.Status.Conditions, syncv1alpha1.ConditionReady)).To(BeTrue())
		w.order(t,
			[]string{"Job/" + migration},
			[]string{"ServiceAccount/argocd-hook-executor", "Role/argocd-hook-executor-role", "RoleBinding/argocd-hook-executor-binding"},
			[]string{"Deployment/" + api},
			[]string{"Job/" + smokeTest})
		dep := &appsv1.Deployment{}
		g.Expect(e.cl.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: api}, dep)).To(Succeed())
		g.Expect(dep.Status.AvailableReplicas).To(Equal(int32(3)))
		g.Eventually(gone(e, ns, migration), 10*time.Second).Should(BeTrue(), "HookSucceeded deletes the migration Job")
		g.Eventually(gone(e, ns, smokeTest), 10*time.Second).Should(BeTrue(), "HookSucceeded deletes the smoke test Job")
		g.Expect(w.added("Job", onFailure)).To(BeZero(), "no SyncFail hook on success")

		m := ctrl.scrape(t)
		g.Expect(m).To(ContainSubstring(`syncwave_operations_total{namespace="` + ns + `",reason="Succeeded",result="Succeeded"} 1`))
		g.Expect(m).To(ContainSubstring(`syncwave_hook_runs_total{phase="PreSync",result="Succeeded"} 1`))
		g.Expect(m).To(ContainSubstring(`syncwave_hook_runs_total{phase="PostSync",result="Succeeded"} 1`))
		for _, phase := range []string{"PreSync", "Sync", "PostSync"} {
			g.Expect(m).To(ContainSubstring(`syncwave_step_duration_seconds_count{phase="` + phase + `"`))
		}
		g.Expect(m).To(MatchRegexp(`syncwave_step_transition_seconds_count [1-9]`))
		// The queue time is counted from when the controller first saw the
		// operation, to the step's start as it happened, never below zero
		// (the status keeps startedAt to the second only).
		g.Expect(m).To(ContainSubstring(`syncwave_operation_queue_seconds_count{namespace="` + ns + `"} 1` + "\n"))
		g.Expect(m).To(MatchRegexp(`syncwave_operation_queue_seconds_sum\{namespace="` + ns + `"\} [0-9]`))
		t.Logf("metrics after the guide:\n%s", grepLines(m, "syncwave_operations_total", "syncwave_hook_runs_total", "syncwave_step_transition_seconds_count", "syncwave_step_duration_seconds_count", "syncwave_operation_queue_seconds_sum"))
	})

	t.Run("2 guide as written deadlocks and times out", func(t *testing.T) {
		g := NewWithT(t)
		ns := e.c.NamespaceT(t, "deadlock-")
		e.startController(t)
		w := e.record(t, ns)
		op := e.createOp(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: manifests(t, ns, nil),
			WaveTimeout: &metav1.Duration{Duration: 4 * time.Second}})
		op = e.waitDone(t, op, 60*time.Second)

		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
		g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTimeout))
		g.Expect(w.added("Job", onFailure)).To(Equal(1), "the SyncFail handler runs")
		g.Expect(w.first("Deployment", api)).To(BeZero(), "nothing after the failed step is applied")
		g.Expect(op.Status.BlockedBy).NotTo(BeEmpty())
		b := op.Status.BlockedBy[0]
		g.Expect(b.Kind).To(Equal("Job"))
		g.Expect(b.Name).To(Equal(migration))
		g.Expect(b.Message).To(ContainSubstring("argocd-hook-executor"))
		pods := &corev1.PodList{}
		g.Expect(e.cl.List(context.Background(), pods, client.InNamespace(ns))).To(Succeed())
		g.Expect(pods.Items).To(BeEmpty(), "no pod can be created without its ServiceAccount")
		// No pod to describe: the Job's Warning event says why.
		g.Expect(b.Message).To(MatchRegexp(`event FailedCreate: .*serviceaccount "argocd-hook-executor" not found`))
		t.Logf("message: %s; blockedBy: %s", op.Status.Message, b.Message)
	})

	t.Run("3 smoke test fails and SyncFail runs", func(t *testing.T) {
		g := NewWithT(t)
		ns := e.c.NamespaceT(t, "smokefail-")
		e.createRBAC(t, ns)
		e.startController(t)
		w := e.record(t, ns)
		op := e.createOp(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: manifests(t, ns, map[string]func(*unstructured.Unstructured){
			smokeTest: both(podAnnotation(cluster.AnnotationFate, cluster.FateFail), field(int64(0), "spec", "backoffLimit")),
		})})
		op = e.waitDone(t, op, 90*time.Second)

		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
		g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonHookFailed))
		g.Expect(op.Status.Message).To(ContainSubstring(smokeTest))
		w.order(t, []string{"Job/" + smokeTest}, []string{"Job/" + onFailure})
		g.Consistently(gone(e, ns, smokeTest), 2*time.Second).Should(BeFalse(), "a failed hook without HookFailed is kept")
		c := meta.FindStatusCondition(op.Status.Conditions, syncv1alpha1.ConditionStalled)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.Reason).To(Equal(syncv1alpha1.ReasonHookFailed))
	})

	t.Run("4 a Deployment that never becomes ready blocks the next wave", func(t *testing.T) {
		g := NewWithT(t)
		ns := e.c.NamespaceT(t, "neverready-")
		e.createRBAC(t, ns)
		e.startController(t)
		w := e.record(t, ns)
		ms := manifests(t, ns, map[string]func(*unstructured.Unstructured){api: podAnnotation(cluster.AnnotationFate, cluster.FateNeverReady)})
		ms = append(ms, rawConfigMap(t, ns, "after-api", "1"))
		op := e.createOp(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: ms, WaveTimeout: &metav1.Duration{Duration: 4 * time.Second}})
		op = e.waitDone(t, op, 60*time.Second)

		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
		g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTimeout))
		g.Expect(op.Status.FailedStep).NotTo(BeNil())
		g.Expect(op.Status.FailedStep.Phase).To(Equal(syncv1alpha1.SyncPhaseSync))
		g.Expect(op.Status.FailedStep.Wave).To(Equal(int32(0)))
		g.Expect(w.first("ConfigMap", "after-api")).To(BeZero(), "wave 1 never starts")
		g.Expect(w.first("Job", smokeTest)).To(BeZero(), "PostSync never starts")
		g.Expect(op.Status.BlockedBy).NotTo(BeEmpty())
		g.Expect(op.Status.BlockedBy[0].Name).To(Equal(api))
		g.Expect(op.Status.BlockedBy[0].Health).To(Equal(syncv1alpha1.HealthProgressing))
		// The Deployment only counts replicas; its pods say what blocks.
		g.Expect(op.Status.Message).To(MatchRegexp(`; pod %s/%s-[a-z0-9]+-[a-z0-9]+: pod is running; waiting for it to be ready: `, ns, api))
		g.Expect(op.Status.BlockedBy[0].Message).To(ContainSubstring("pod " + ns + "/" + api + "-"))
		t.Logf("message: %s", op.Status.Message)
	})

	t.Run("5 terminate mid-step", func(t *testing.T) {
		g := NewWithT(t)
		ns := e.c.NamespaceT(t, "terminate-")
		e.createRBAC(t, ns)
		e.startController(t)
		w := e.record(t, ns)
		op := e.createOp(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: manifests(t, ns, map[string]func(*unstructured.Unstructured){
			migration: podAnnotation(cluster.AnnotationRunDuration, "60s"),
		})})
		e.waitFirstHookRunning(t, op)
		patch := client.MergeFrom(op.DeepCopy())
		op.Spec.Terminate = true
		g.Expect(e.cl.Patch(context.Background(), op, patch)).To(Succeed())
		op = e.waitDone(t, op, 30*time.Second)

		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
		g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTerminated))
		g.Eventually(gone(e, ns, migration), 10*time.Second).Should(BeTrue(), "the running hook is deleted")
		g.Expect(w.added("Job", onFailure)).To(BeZero(), "no SyncFail on terminate")
		g.Expect(w.first("Deployment", api)).To(BeZero())
	})

	t.Run("6 an existing named hook without BeforeHookCreation", func(t *testing.T) {
		g := NewWithT(t)
		ns := e.c.NamespaceT(t, "exists-")
		e.createRBAC(t, ns)
		old := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: migration, Namespace: ns}, Spec: batchv1.JobSpec{
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
				Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}}}
		g.Expect(e.cl.Create(context.Background(), old)).To(Succeed())
		e.startController(t)
		op := e.createOp(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: manifests(t, ns, map[string]func(*unstructured.Unstructured){
			migration: func(u *unstructured.Unstructured) {
				ann := u.GetAnnotations()
				ann[syncv1alpha1.AnnotationHookDeletePolicy] = "HookSucceeded"
				u.SetAnnotations(ann)
			},
		})})
		op = e.waitDone(t, op, 60*time.Second)

		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
		g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonHookFailed))
		g.Expect(op.Status.Message).To(ContainSubstring("already exists; add BeforeHookCreation"))
		still := &batchv1.Job{}
		g.Expect(e.cl.Get(context.Background(), client.ObjectKeyFromObject(old), still)).To(Succeed())
		g.Expect(still.UID).To(Equal(old.UID), "the existing Job is left alone")
	})

	t.Run("7 controller killed and restarted mid-operation", func(t *testing.T) {
		g := NewWithT(t)
		ns := e.c.NamespaceT(t, "restart-")
		e.createRBAC(t, ns)
		first := e.startController(t)
		w := e.record(t, ns)
		op := e.createOp(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: manifests(t, ns, map[string]func(*unstructured.Unstructured){
			migration: podAnnotation(cluster.AnnotationRunDuration, "2s"),
			smokeTest: podAnnotation(cluster.AnnotationRunDuration, "2s"),
		})})
		g.Eventually(func() int64 { return w.first("Job", migration) }, 30*time.Second, 20*time.Millisecond).ShouldNot(BeZero())
		first.kill()
		e.startController(t)
		g.Eventually(func() int64 { return w.first("Job", smokeTest) }, 60*time.Second, 20*time.Millisecond).ShouldNot(BeZero())
		// Kill again while the PostSync hook runs.
		e.startController(t).kill()
		e.startController(t)
		op = e.waitDone(t, op, 90*time.Second)

		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
		g.Expect(w.added("Job", migration)).To(Equal(1), "the migration hook is created once")
		g.Expect(w.added("Job", smokeTest)).To(Equal(1), "the smoke test hook is created once")
		w.order(t,
			[]string{"Job/" + migration},
			[]string{"ServiceAccount/argocd-hook-executor", "Role/argocd-hook-executor-role", "RoleBinding/argocd-hook-executor-binding"},
			[]string{"Deployment/" + api},
			[]string{"Job/" + smokeTest})
	})

	// The Job controller stops at a Job's deletionTimestamp: its pods may
	// finish, its conditions never come. The step fails at once instead
	// of at its timeout (an hour here), and the Job goes.
	t.Run("8 a running migration Job deleted by hand fails its step at once", func(t *testing.T) {
		g := NewWithT(t)
		ns := e.c.NamespaceT(t, "deleted-")
		e.createRBAC(t, ns)
		e.startController(t)
		w := e.record(t, ns)
		op := e.createOp(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: manifests(t, ns, map[string]func(*unstructured.Unstructured){
			migration: podAnnotation(cluster.AnnotationRunDuration, "10m"),
		})})
		e.waitFirstHookRunning(t, op)
		job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: migration}}
		g.Expect(e.cl.Delete(context.Background(), job, client.PropagationPolicy(metav1.DeletePropagationBackground))).To(Succeed())
		op = e.waitDone(t, op, 30*time.Second)

		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
		g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonHookFailed))
		g.Expect(op.Status.Message).To(HavePrefix("hook batch/Job/" + ns + "/" + migration + " failed: job was deleted before it finished"))
		g.Eventually(gone(e, ns, migration), 10*time.Second).Should(BeTrue(), "its finalizer is released")
		g.Eventually(func() int { return w.added("Job", onFailure) }, 10*time.Second).Should(Equal(1), "SyncFail runs")
		g.Expect(w.first("Deployment", api)).To(BeZero())
	})
}

// waitFirstHookRunning waits until the first task of op, a hook, runs,
// and leaves op as last read.
func (e *env) waitFirstHookRunning(t *testing.T, op *syncv1alpha1.SyncOperation) {
	t.Helper()
	NewWithT(t).Eventually(func() syncv1alpha1.HookPhase {
		_ = e.cl.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		if len(op.Status.Resources) == 0 {
			return ""
		}
		return op.Status.Resources[0].HookPhase
	}, 30*time.Second, 50*time.Millisecond).Should(Equal(syncv1alpha1.HookRunning))
}

func rawConfigMap(t *testing.T, ns, name, wave string) runtimeRaw {
	t.Helper()
	return toRaw(t, map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name, "namespace": ns, "annotations": map[string]any{syncv1alpha1.AnnotationSyncWave: wave}},
		"data":     map[string]any{"k": "v"}})
}

func grepLines(text string, prefixes ...string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				out = append(out, l)
			}
		}
	}
	return strings.Join(out, "\n")
}
