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

package hook

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/utils/ptr"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// LabelJobName is the label the Job controller puts on a Job's pods.
const LabelJobName = "batch.kubernetes.io/job-name"

// DefaultOutcomeTimeout bounds the reads of one hook's outcome: a node that
// does not answer for the log must not hold the operation up for long.
const DefaultOutcomeTimeout = 5 * time.Second

// maxLogRead bounds what is read of a log (its last lines), whatever their
// length; only the end of it is kept.
const maxLogRead = 1 << 20

// Outcomes reads the outcome of finished Job and Pod hooks through the core
// API: the hook's pod (a Job's by LabelJobName) and the end of a container's
// log through the pods/log subresource. It implements
// operation.OutcomeReader.
type Outcomes struct {
	// Pods reads pods and their logs, as the operation's identity: the
	// controller's, or the impersonated ServiceAccount's.
	Pods corev1client.PodsGetter
	// User is that identity, for messages ("" for the controller's own).
	User string
	// Timeout bounds the reads of one hook (DefaultOutcomeTimeout if 0).
	Timeout time.Duration
}

// Outcome implements operation.OutcomeReader.
func (o *Outcomes) Outcome(ctx context.Context, _ *syncv1alpha1.SyncOperation, t *plan.Task, name string,
	result syncv1alpha1.HookPhase, limit operation.LogLimit) *syncv1alpha1.HookOutcome {
	gvk := t.Object.GroupVersionKind()
	isPod := gvk.Group == "" && gvk.Kind == "Pod"
	isJob := gvk.Group == "batch" && gvk.Kind == "Job"
	if !isPod && !isJob {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, cmp.Or(o.Timeout, DefaultOutcomeTimeout))
	defer cancel()
	ns := t.ID.Namespace
	var pod *corev1.Pod
	if isPod {
		p, err := o.Pods.Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return &syncv1alpha1.HookOutcome{Pod: name, Message: fmt.Sprintf("cannot read pod %s/%s as %s: %s", ns, name, o.who(), why(err, "get on pods"))}
		}
		pod = p
	} else {
		list, err := o.Pods.Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: LabelJobName + "=" + name})
		if err != nil {
			return &syncv1alpha1.HookOutcome{Message: fmt.Sprintf("cannot list the pods of Job %s/%s as %s: %s", ns, name, o.who(), why(err, "list on pods"))}
		}
		pod = pickPod(list.Items, name, result)
		if pod == nil {
			return &syncv1alpha1.HookOutcome{Message: fmt.Sprintf("no pod of Job %s/%s found", ns, name)}
		}
	}
	out := podOutcome(pod, result)
	if out.Container != "" {
		log, err := o.tail(ctx, pod, out.Container, previous(pod, out.Container), limit)
		if err != nil {
			out.Message = fmt.Sprintf("cannot read the logs of pod %s/%s container %s as %s: %s", ns, pod.Name, out.Container, o.who(), why(err, "get on pods/log"))
		}
		out.Log = log
	}
	return out
}

func (o *Outcomes) who() string {
	if o.User == "" {
		return "the controller"
	}
	return o.User
}

// why says why a read failed, naming the permission it needs when it was
// forbidden.
func why(err error, needs string) string {
	if apierrors.IsForbidden(err) {
		return "forbidden (needs " + needs + ")"
	}
	return err.Error()
}

// pickPod chooses, among the pods of Job name, the newest that ended like
// the hook (Failed or Succeeded), else the newest. Pods of an earlier Job
// of the same name (a hook created anew, whose old pods are still being
// deleted) are left out: the newest pod is the current Job's, and only the
// pods of its owner (by UID) count.
func pickPod(pods []corev1.Pod, name string, result syncv1alpha1.HookPhase) *corev1.Pod {
	var mine []*corev1.Pod
	for i := range pods {
		p := &pods[i]
		if ref := metav1.GetControllerOf(p); ref == nil || (ref.Kind == "Job" && ref.Name == name) {
			mine = append(mine, p)
		}
	}
	if len(mine) == 0 {
		return nil
	}
	slices.SortStableFunc(mine, func(a, b *corev1.Pod) int {
		return cmp.Or(b.CreationTimestamp.Compare(a.CreationTimestamp.Time), cmp.Compare(b.Name, a.Name))
	})
	if owner := metav1.GetControllerOf(mine[0]); owner != nil && owner.UID != "" {
		mine = slices.DeleteFunc(mine, func(p *corev1.Pod) bool {
			ref := metav1.GetControllerOf(p)
			return ref != nil && ref.UID != owner.UID
		})
	}
	want := corev1.PodSucceeded
	if result == syncv1alpha1.HookFailed {
		want = corev1.PodFailed
	}
	for _, p := range mine {
		if p.Status.Phase == want {
			return p
		}
	}
	return mine[0]
}

// podOutcome reads how pod ended: the container that failed (init
// containers first) or, for a hook that succeeded, the first container
// that ended.
func podOutcome(pod *corev1.Pod, result syncv1alpha1.HookPhase) *syncv1alpha1.HookOutcome {
	out := &syncv1alpha1.HookOutcome{Pod: pod.Name}
	failed := result == syncv1alpha1.HookFailed
	// An init container that failed stopped the pod; one that completed
	// says less than the containers that ran after it. A sidecar (an init
	// container that restarts always) is stopped, non-zero, when the
	// others end: it comes last.
	inits, sidecars := splitSidecars(pod)
	statuses := slices.Concat(pod.Status.ContainerStatuses, inits, sidecars)
	if failed {
		statuses = slices.Concat(inits, pod.Status.ContainerStatuses, sidecars)
	}
	cs, term := pickContainer(statuses, failed)
	if cs == nil {
		out.Reason = pod.Status.Reason
		if len(pod.Spec.Containers) > 0 {
			out.Container = pod.Spec.Containers[0].Name
		}
		return out
	}
	out.Container, out.Reason = cs.Name, term.Reason
	if out.Reason == "" {
		out.Reason = pod.Status.Reason
	}
	out.ExitCode = ptr.To(term.ExitCode)
	return out
}

// splitSidecars divides the init containers' statuses of pod into those
// that ran to completion before the others and the sidecars.
func splitSidecars(pod *corev1.Pod) (inits, sidecars []corev1.ContainerStatus) {
	always := map[string]bool{}
	for _, c := range pod.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			always[c.Name] = true
		}
	}
	for _, cs := range pod.Status.InitContainerStatuses {
		if always[cs.Name] {
			sidecars = append(sidecars, cs)
		} else {
			inits = append(inits, cs)
		}
	}
	return inits, sidecars
}

// pickContainer finds the container that failed (its current or, after a
// restart, its last termination) or, when none did or failed is false, the
// first that ended.
func pickContainer(statuses []corev1.ContainerStatus, failed bool) (*corev1.ContainerStatus, *corev1.ContainerStateTerminated) {
	if failed {
		for i := range statuses {
			if t := statuses[i].State.Terminated; t != nil && t.ExitCode != 0 {
				return &statuses[i], t
			}
		}
		for i := range statuses {
			if t := statuses[i].LastTerminationState.Terminated; t != nil && t.ExitCode != 0 {
				return &statuses[i], t
			}
		}
	}
	for i := range statuses {
		if t := statuses[i].State.Terminated; t != nil {
			return &statuses[i], t
		}
	}
	return nil, nil
}

// previous reports whether the log to read is the one of the container's
// last run: it was restarted after it failed and runs (or waits) again.
func previous(pod *corev1.Pod, container string) bool {
	for _, cs := range append(slices.Clone(pod.Status.InitContainerStatuses), pod.Status.ContainerStatuses...) {
		if cs.Name == container {
			return cs.State.Terminated == nil && cs.LastTerminationState.Terminated != nil
		}
	}
	return false
}

// tail reads the last lines of a container's log through pods/log.
func (o *Outcomes) tail(ctx context.Context, pod *corev1.Pod, container string, prev bool, limit operation.LogLimit) (string, error) {
	opts := &corev1.PodLogOptions{Container: container, Previous: prev, LimitBytes: ptr.To(int64(maxLogRead))}
	if limit.Lines > 0 {
		opts.TailLines = ptr.To(int64(limit.Lines))
	}
	rc, err := o.Pods.Pods(pod.Namespace).GetLogs(pod.Name, opts).Stream(ctx)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxLogRead))
	if err != nil {
		return operation.TailLog(string(data), limit), err
	}
	return operation.TailLog(string(data), limit), nil
}
