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

package health

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// podHealth judges a Pod by its phase and its containers:
//
//   - Succeeded is Healthy and Failed is Degraded; both are final.
//   - A container waiting for a reason that will not go away by itself
//     (CrashLoopBackOff, ImagePullBackOff, ErrImagePull,
//     CreateContainerConfigError, ...) is Degraded.
//   - Running is Healthy when the pod restarts its containers forever
//     (restartPolicy Always) and is Ready. A pod with restartPolicy Never or
//     OnFailure is meant to finish, so while it runs it is Progressing: it
//     becomes Healthy only when it has Succeeded (as in Argo CD).
//   - Pending is Progressing; Unknown (the node stopped reporting) is Unknown.
//
// When the kubelet reports status.observedGeneration, a status older than the
// pod's generation is Progressing, whatever its containers wait for: a pod
// stuck on a bad image and then applied with a good one is not Degraded by
// what the kubelet said of the old image.
func podHealth(obj *unstructured.Unstructured) (Result, error) {
	var p corev1.Pod
	if err := fromUnstructured(obj, &p); err != nil {
		return Result{}, err
	}
	return podResult(&p), nil
}

// Pod judges a typed pod with the built-in check (podHealth).
func Pod(p *corev1.Pod) Result {
	r := podResult(p)
	r.Source = SourceBuiltin
	return r
}

func podResult(p *corev1.Pod) Result {
	switch p.Status.Phase {
	case corev1.PodSucceeded:
		return healthy("%s", describe("", p.Status.Message, "pod completed successfully"))
	case corev1.PodFailed:
		return degraded("%s", podFailure(p))
	case corev1.PodUnknown:
		return result(Unknown, "%s", describe(p.Status.Reason, p.Status.Message, "pod state is unknown"))
	}
	if og := p.Status.ObservedGeneration; og > 0 {
		if r, stale := staleStatus("kubelet", p.Generation, og); stale {
			return r // e.g. a stuck image the new spec has replaced
		}
	}
	if msg, bad := podStuckContainer(p); bad {
		return degraded("%s", msg)
	}
	if p.Status.Phase != corev1.PodRunning {
		if c, ok := podCondition(p, corev1.PodScheduled); ok && c.Status == corev1.ConditionFalse {
			return progressing("pod is not scheduled: %s", describe(c.Reason, c.Message, "waiting for a node"))
		}
		if msg, ok := podWaitingContainer(p); ok {
			return progressing("pod is pending: %s", msg)
		}
		return progressing("pod is pending%s", reasonSuffix(p.Status.Reason, p.Status.Message))
	}
	if p.Spec.RestartPolicy != "" && p.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		return progressing("pod is running to completion (restartPolicy %s)", p.Spec.RestartPolicy)
	}
	if c, ok := podCondition(p, corev1.PodReady); ok && c.Status == corev1.ConditionTrue {
		return healthy("pod is running and ready")
	}
	return progressing("pod is running; waiting for it to be ready: %s", podNotReady(p))
}

// podCondition returns the pod's condition of type t.
func podCondition(p *corev1.Pod, t corev1.PodConditionType) (corev1.PodCondition, bool) {
	for _, c := range p.Status.Conditions {
		if c.Type == t {
			return c, true
		}
	}
	return corev1.PodCondition{}, false
}

// stuckWaitingReasons are waiting reasons that mean a container cannot start
// without a change to the pod, its image or its configuration. Other reasons
// that start with "Err" or end in "Error" or "BackOff" are treated the same.
var stuckWaitingReasons = map[string]bool{
	"CrashLoopBackOff":           true,
	"ImagePullBackOff":           true,
	"ErrImagePull":               true,
	"ErrImageNeverPull":          true,
	"InvalidImageName":           true,
	"CreateContainerConfigError": true,
	"CreateContainerError":       true,
	"RunContainerError":          true,
	"PreStartHookError":          true,
	"PostStartHookError":         true,
}

func isStuckWaitingReason(reason string) bool {
	return stuckWaitingReasons[reason] || strings.HasPrefix(reason, "Err") ||
		strings.HasSuffix(reason, "Error") || strings.HasSuffix(reason, "BackOff")
}

// podStuckContainer finds an init or regular container that waits for a
// reason that will not resolve by itself.
func podStuckContainer(p *corev1.Pod) (string, bool) {
	for _, cs := range podContainerStatuses(p) {
		if w := cs.State.Waiting; w != nil && isStuckWaitingReason(w.Reason) {
			return fmt.Sprintf("container %q: %s", cs.Name, describe(w.Reason, w.Message, "")), true
		}
	}
	return "", false
}

// podWaitingContainer describes the first init or regular container that is
// waiting, e.g. for ContainerCreating.
func podWaitingContainer(p *corev1.Pod) (string, bool) {
	for _, cs := range podContainerStatuses(p) {
		if w := cs.State.Waiting; w != nil && w.Reason != "" {
			return fmt.Sprintf("container %q: %s", cs.Name, describe(w.Reason, w.Message, "")), true
		}
	}
	return "", false
}

// podContainerStatuses returns the statuses of the init containers, then
// those of the regular containers.
func podContainerStatuses(p *corev1.Pod) []corev1.ContainerStatus {
	statuses := make([]corev1.ContainerStatus, 0, len(p.Status.InitContainerStatuses)+len(p.Status.ContainerStatuses))
	statuses = append(statuses, p.Status.InitContainerStatuses...)
	return append(statuses, p.Status.ContainerStatuses...)
}

// podFailure explains why a pod failed: the pod's own reason (e.g. Evicted),
// else the first container that terminated with an error.
func podFailure(p *corev1.Pod) string {
	if p.Status.Reason != "" || p.Status.Message != "" {
		return describe(p.Status.Reason, p.Status.Message, "")
	}
	for _, cs := range podContainerStatuses(p) {
		if t := cs.State.Terminated; t != nil && t.ExitCode != 0 {
			return fmt.Sprintf("container %q terminated: %s (exit code %d)", cs.Name, describe(t.Reason, t.Message, "error"), t.ExitCode)
		}
	}
	return "pod failed"
}

// podNotReady names the containers that are not ready yet.
func podNotReady(p *corev1.Pod) string {
	var names []string
	for _, cs := range p.Status.ContainerStatuses {
		if !cs.Ready {
			names = append(names, cs.Name)
		}
	}
	if len(names) > 0 {
		return "containers not ready: " + strings.Join(names, ", ")
	}
	if c, ok := podCondition(p, corev1.PodReady); ok {
		return describe(c.Reason, c.Message, "Ready condition is "+string(c.Status))
	}
	return "no Ready condition yet"
}

// reasonSuffix is ": Reason: message", or nothing when both are empty.
func reasonSuffix(reason, message string) string {
	if d := describe(reason, message, ""); d != "" {
		return ": " + d
	}
	return ""
}
