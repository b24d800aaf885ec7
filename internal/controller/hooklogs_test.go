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
	"time"

	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/hook"
)

const failingHook = `{apiVersion: batch/v1, kind: Job, metadata: {name: migrate, annotations: {argocd.argoproj.io/hook: PreSync,
  argocd.argoproj.io/hook-delete-policy: HookFailed}},
  spec: {backoffLimit: 0, template: {spec: {restartPolicy: Never, containers: [{name: main, image: busybox}]}}}}`

// failJob plays the Job controller and the kubelet, which envtest has not:
// the hook Job gets a pod whose container main exited 7, and then fails.
func failJob(t *testing.T, ns string) {
	t.Helper()
	g := NewWithT(t)
	ctx := context.Background()
	job := &batchv1.Job{}
	g.Eventually(func() error { return k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "migrate"}, job) }, 20*time.Second, 20*time.Millisecond).
		Should(Succeed(), "the controller creates the hook")
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "migrate-x7k2p", Labels: map[string]string{hook.LabelJobName: "migrate"},
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: "migrate", UID: job.UID, Controller: ptr.To(true)}}},
		Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{Name: "main", Image: "busybox"}}}}
	g.Expect(k8s.Create(ctx, pod)).To(Succeed())
	pod.Status = corev1.PodStatus{Phase: corev1.PodFailed, ContainerStatuses: []corev1.ContainerStatus{{Name: "main", Image: "busybox",
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 7}}}}}
	g.Expect(k8s.Status().Update(ctx, pod)).To(Succeed())
	now := metav1.Now()
	job.Status = batchv1.JobStatus{StartTime: &now, Failed: 1, Conditions: []batchv1.JobCondition{
		{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", LastTransitionTime: now},
		{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded",
			Message: "Job has reached the specified backoff limit", LastTransitionTime: now}}}
	g.Expect(k8s.Status().Update(ctx, job)).To(Succeed())
}

// waitOutcome waits for op to end and returns its hook entry.
func waitOutcome(t *testing.T, op *syncv1alpha1.SyncOperation) syncv1alpha1.ResourceStatus {
	t.Helper()
	g := NewWithT(t)
	g.Eventually(func() bool {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		return op.Status.Phase.Terminal()
	}, 30*time.Second, 20*time.Millisecond).Should(BeTrue())
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonHookFailed))
	for _, r := range op.Status.Resources {
		if r.Kind == "Job" && r.Name == "migrate" {
			return r
		}
	}
	t.Fatalf("no status entry for the hook: %+v", op.Status.Resources)
	return syncv1alpha1.ResourceStatus{}
}

// TestHookOutcomeReadAsTheTenant: an impersonated operation reads the
// hook's pods as its ServiceAccount, and a log it may not read is said so
// in status; the exit code is kept after HookFailed deleted the Job.
func TestHookOutcomeReadAsTheTenant(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	ctx := context.Background()
	g.Expect(k8s.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "tenant", Namespace: ns}})).To(Succeed())
	g.Expect(k8s.Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "hooks", Namespace: ns}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{"batch"}, Resources: []string{"jobs"}, Verbs: []string{"*"}},
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}},
	}})).To(Succeed())
	g.Expect(k8s.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "tenant", Namespace: ns},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "hooks"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "tenant", Namespace: ns}}})).To(Succeed())

	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns},
		Spec: syncv1alpha1.SyncOperationSpec{ServiceAccountName: "tenant", Manifests: objects(t, failingHook)}}
	g.Expect(k8s.Create(ctx, op)).To(Succeed())
	failJob(t, ns)
	r := waitOutcome(t, op)

	g.Expect(r.Outcome).NotTo(BeNil())
	g.Expect(r.Outcome.Pod).To(Equal("migrate-x7k2p"))
	g.Expect(r.Outcome.Container).To(Equal("main"))
	g.Expect(r.Outcome.Reason).To(Equal("Error"))
	g.Expect(r.Outcome.ExitCode).To(Equal(ptr.To[int32](7)))
	g.Expect(r.Outcome.Message).To(Equal("cannot read the logs of pod " + ns + "/migrate-x7k2p container main as system:serviceaccount:" +
		ns + ":tenant: forbidden (needs get on pods/log)"))
	g.Eventually(func() bool { return exists(t, &batchv1.Job{}, ns, "migrate") }, 10*time.Second, 20*time.Millisecond).
		Should(BeFalse(), "HookFailed deletes the Job after the outcome is recorded")
}

// TestHookOutcomeReadAsTheController: without a ServiceAccount the
// controller reads as itself, pods/log included (the API server answers an
// empty log for a pod without a node, as here: envtest has none), and the
// step's failure stays the hook's.
func TestHookOutcomeReadAsTheController(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns},
		Spec: syncv1alpha1.SyncOperationSpec{Manifests: objects(t, failingHook)}}
	g.Expect(k8s.Create(context.Background(), op)).To(Succeed())
	failJob(t, ns)
	r := waitOutcome(t, op)

	g.Expect(r.Outcome).NotTo(BeNil())
	g.Expect(r.Outcome.ExitCode).To(Equal(ptr.To[int32](7)))
	g.Expect(r.Outcome.Pod).To(Equal("migrate-x7k2p"))
	g.Expect(r.Outcome.Message).To(BeEmpty(), "the controller may read pods and their logs")
	g.Expect(r.Outcome.Log).To(BeEmpty())
	g.Expect(op.Status.Message).To(ContainSubstring("BackoffLimitExceeded"))
}
