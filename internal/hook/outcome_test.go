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
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/hook"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// hookTask plans one hook of the given kind ("batch/v1 Job", "v1 Pod").
func hookTask(t *testing.T, ns, apiVersion, kind, name string) *plan.Task {
	t.Helper()
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind,
		"metadata": map[string]any{"name": name, "namespace": ns,
			"annotations": map[string]any{syncv1alpha1.AnnotationHook: "PostSync"}}}}
	p, err := plan.Build([]*unstructured.Unstructured{obj}, plan.Options{DefaultNamespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	return &p.Steps[0].Tasks[0]
}

// jobPod is a pod of Job job, created at minute min, whose container main
// ended with code.
func jobPod(ns, job, name string, minute int, phase corev1.PodPhase, code int32) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{hook.LabelJobName: job},
			CreationTimestamp: metav1.NewTime(time.Date(2026, 11, 25, 12, minute, 0, 0, time.UTC)),
			OwnerReferences:   []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: job, UID: "u", Controller: ptr.To(true)}}},
		Spec: corev1.PodSpec{InitContainers: []corev1.Container{{Name: "setup"}}, Containers: []corev1.Container{{Name: "main"}, {Name: "sidecar"}}},
		Status: corev1.PodStatus{Phase: phase,
			InitContainerStatuses: []corev1.ContainerStatus{{Name: "setup", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}}},
			ContainerStatuses: []corev1.ContainerStatus{
				{Name: "main", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: code}}},
				{Name: "sidecar", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}},
			}},
	}
}

// logReactor answers pods/log with lines lines, and records the options.
func logReactor(lines int, got *[]*corev1.PodLogOptions) k8stesting.ReactionFunc {
	return func(a k8stesting.Action) (bool, runtime.Object, error) {
		opts, _ := a.(k8stesting.GenericAction).GetValue().(*corev1.PodLogOptions)
		*got = append(*got, opts)
		var b strings.Builder
		for i := range lines {
			fmt.Fprintf(&b, "%s line %d\n", opts.Container, i)
		}
		return true, &runtime.Unknown{Raw: []byte(b.String())}, nil
	}
}

func TestOutcomeOfAFailedJobIsItsNewestFailedPod(t *testing.T) {
	g := NewWithT(t)
	cs := fake.NewClientset(
		jobPod("ns", "migrate", "migrate-old", 1, corev1.PodFailed, 1),
		jobPod("ns", "migrate", "migrate-new", 2, corev1.PodFailed, 2),
		jobPod("ns", "other", "other-newest", 3, corev1.PodFailed, 9),
	)
	var opts []*corev1.PodLogOptions
	cs.PrependReactor("get", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != "log" {
			return false, nil, nil
		}
		return logReactor(50, &opts)(a)
	})
	r := &hook.Outcomes{Pods: cs.CoreV1()}
	o := r.Outcome(t.Context(), nil, hookTask(t, "ns", "batch/v1", "Job", "migrate"), "migrate", syncv1alpha1.HookFailed, operation.FailedHookLog)

	g.Expect(o).NotTo(BeNil())
	g.Expect(o.Pod).To(Equal("migrate-new"))
	g.Expect(o.Container).To(Equal("main"), "the container that failed, not the init container that completed")
	g.Expect(o.Reason).To(Equal("Error"))
	g.Expect(o.ExitCode).To(Equal(ptr.To[int32](2)))
	g.Expect(o.Message).To(BeEmpty())
	g.Expect(opts).To(HaveLen(1))
	g.Expect(opts[0].Container).To(Equal("main"))
	g.Expect(opts[0].TailLines).To(Equal(ptr.To[int64](20)), "the server sends only the last lines")
	g.Expect(opts[0].Previous).To(BeFalse())
	g.Expect(strings.Split(o.Log, "\n")).To(HaveLen(20))
	g.Expect(o.Log).To(HaveSuffix("main line 49"))
}

func TestOutcomeOfARestartedContainerReadsItsPreviousLog(t *testing.T) {
	g := NewWithT(t)
	p := jobPod("ns", "migrate", "migrate-x", 1, corev1.PodRunning, 0)
	p.Status.ContainerStatuses[0] = corev1.ContainerStatus{Name: "main",
		State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
		LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "OOMKilled", ExitCode: 137}}}
	cs := fake.NewClientset(p)
	var opts []*corev1.PodLogOptions
	cs.PrependReactor("get", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != "log" {
			return false, nil, nil
		}
		return logReactor(3, &opts)(a)
	})
	o := (&hook.Outcomes{Pods: cs.CoreV1()}).Outcome(t.Context(), nil, hookTask(t, "ns", "batch/v1", "Job", "migrate"), "migrate",
		syncv1alpha1.HookFailed, operation.FailedHookLog)
	g.Expect(o.Reason).To(Equal("OOMKilled"))
	g.Expect(o.ExitCode).To(Equal(ptr.To[int32](137)))
	g.Expect(opts).To(HaveLen(1))
	g.Expect(opts[0].Previous).To(BeTrue(), "the log of the run that failed")
}

func TestOutcomeSaysWhatItCannotRead(t *testing.T) {
	g := NewWithT(t)
	cs := fake.NewClientset(jobPod("ns", "migrate", "migrate-x", 1, corev1.PodSucceeded, 0))
	cs.PrependReactor("get", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != "log" {
			return false, nil, nil
		}
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods/log"}, "migrate-x", fmt.Errorf("RBAC says no"))
	})
	user := "system:serviceaccount:ns:deployer"
	o := (&hook.Outcomes{Pods: cs.CoreV1(), User: user}).Outcome(t.Context(), nil, hookTask(t, "ns", "batch/v1", "Job", "migrate"), "migrate",
		syncv1alpha1.HookSucceeded, operation.SucceededHookLog)
	g.Expect(o.ExitCode).To(Equal(ptr.To[int32](0)), "what was read is kept")
	g.Expect(o.Message).To(Equal("cannot read the logs of pod ns/migrate-x container main as " + user + ": forbidden (needs get on pods/log)"))

	cs.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", fmt.Errorf("RBAC says no"))
	})
	o = (&hook.Outcomes{Pods: cs.CoreV1(), User: user}).Outcome(t.Context(), nil, hookTask(t, "ns", "batch/v1", "Job", "migrate"), "migrate",
		syncv1alpha1.HookFailed, operation.FailedHookLog)
	g.Expect(o.Message).To(Equal("cannot list the pods of Job ns/migrate as " + user + ": forbidden (needs list on pods)"))

	o = (&hook.Outcomes{Pods: fake.NewClientset().CoreV1()}).Outcome(t.Context(), nil, hookTask(t, "ns", "batch/v1", "Job", "gone"), "gone",
		syncv1alpha1.HookFailed, operation.FailedHookLog)
	g.Expect(o.Message).To(Equal("no pod of Job ns/gone found"))
}

func TestOutcomeOfAPodHookAndOfOtherKinds(t *testing.T) {
	g := NewWithT(t)
	p := jobPod("ns", "x", "check", 1, corev1.PodFailed, 4)
	p.Labels, p.OwnerReferences = nil, nil
	cs := fake.NewClientset(p)
	r := &hook.Outcomes{Pods: cs.CoreV1()}
	o := r.Outcome(t.Context(), nil, hookTask(t, "ns", "v1", "Pod", "check"), "check", syncv1alpha1.HookFailed, operation.FailedHookLog)
	g.Expect(o.Pod).To(Equal("check"))
	g.Expect(o.ExitCode).To(Equal(ptr.To[int32](4)))
	g.Expect(o.Log).To(Equal("fake logs"), "the fake clientset's pods/log")
	g.Expect(r.Outcome(t.Context(), nil, hookTask(t, "ns", "v1", "ConfigMap", "c"), "c", syncv1alpha1.HookFailed, operation.FailedHookLog)).
		To(BeNil(), "a kind that runs no pod has no outcome")
}

// A native sidecar (an init container that restarts always) is stopped
// with a non-zero code when the Job's container fails: the container that
// failed is named, not the sidecar that was listed first.
func TestOutcomeDoesNotBlameANativeSidecar(t *testing.T) {
	g := NewWithT(t)
	p := jobPod("ns", "migrate", "migrate-x", 1, corev1.PodFailed, 3)
	p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: "proxy", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways)})
	p.Status.InitContainerStatuses = append(p.Status.InitContainerStatuses, corev1.ContainerStatus{Name: "proxy",
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 143}}})
	cs := fake.NewClientset(p)
	var opts []*corev1.PodLogOptions
	cs.PrependReactor("get", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != "log" {
			return false, nil, nil
		}
		return logReactor(1, &opts)(a)
	})
	o := (&hook.Outcomes{Pods: cs.CoreV1()}).Outcome(t.Context(), nil, hookTask(t, "ns", "batch/v1", "Job", "migrate"), "migrate",
		syncv1alpha1.HookFailed, operation.FailedHookLog)
	g.Expect(o.Container).To(Equal("main"))
	g.Expect(o.ExitCode).To(Equal(ptr.To[int32](3)))

	// Only the sidecar failed: it is the one named.
	p.Status.ContainerStatuses[0].State.Terminated.ExitCode = 0
	cs = fake.NewClientset(p)
	o = (&hook.Outcomes{Pods: cs.CoreV1()}).Outcome(t.Context(), nil, hookTask(t, "ns", "batch/v1", "Job", "migrate"), "migrate",
		syncv1alpha1.HookFailed, operation.FailedHookLog)
	g.Expect(o.Container).To(Equal("proxy"))
	g.Expect(o.ExitCode).To(Equal(ptr.To[int32](143)))
}

// A hook Job created anew (BeforeHookCreation) whose old pods are still
// being deleted: the outcome is the current Job's (the owner of the newest
// pod), even when only the old Job had a pod that failed.
func TestOutcomeIgnoresThePodsOfAnEarlierJob(t *testing.T) {
	g := NewWithT(t)
	old := jobPod("ns", "migrate", "migrate-old", 1, corev1.PodFailed, 1)
	old.OwnerReferences[0].UID = "old-job"
	current := jobPod("ns", "migrate", "migrate-now", 2, corev1.PodRunning, 0)
	current.OwnerReferences[0].UID = "new-job"
	current.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CreateContainerConfigError"}}
	cs := fake.NewClientset(old, current)
	o := (&hook.Outcomes{Pods: cs.CoreV1()}).Outcome(t.Context(), nil, hookTask(t, "ns", "batch/v1", "Job", "migrate"), "migrate",
		syncv1alpha1.HookFailed, operation.FailedHookLog)
	g.Expect(o.Pod).To(Equal("migrate-now"), "not the failed pod of the earlier Job")
}
