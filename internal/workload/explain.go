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

package workload

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
)

// owners are the kinds whose pods explain them.
var owners = map[schema.GroupKind]bool{
	{Group: "apps", Kind: "Deployment"}:  true,
	{Group: "apps", Kind: "StatefulSet"}: true,
	{Group: "apps", Kind: "DaemonSet"}:   true,
	{Group: "apps", Kind: "ReplicaSet"}:  true,
	{Group: "batch", Kind: "Job"}:        true,
}

// Explains reports whether the pods of kind gk explain it.
func Explains(gk schema.GroupKind) bool { return owners[gk] }

// MaxPods bounds the pods listed for one explanation.
const MaxPods = 500

// DefaultTimeout bounds the list of one explanation.
const DefaultTimeout = 5 * time.Second

// Core reads pods and events.
type Core interface {
	corev1client.PodsGetter
	corev1client.EventsGetter
}

// Explainer lists a workload's pods and describes the one that blocks it;
// when none does (none could be created), the workload's latest Warning
// event. It implements operation.Explainer.
type Explainer struct {
	// Core reads as the operation's identity.
	Core Core
	// Timeout bounds the reads (DefaultTimeout if 0).
	Timeout time.Duration
}

// Explain implements operation.Explainer: "" when live is no workload,
// its pods cannot be read, or none of them blocks.
func (x *Explainer) Explain(ctx context.Context, _ *syncv1alpha1.SyncOperation, live *unstructured.Unstructured) string {
	msg, _ := x.Read(ctx, live)
	return msg
}

// Read is Explain with the error of a list of pods that failed, for a
// caller that says so (the CLI). Events that cannot be listed add nothing.
func (x *Explainer) Read(ctx context.Context, live *unstructured.Unstructured) (string, error) {
	if live == nil || !Explains(live.GroupVersionKind().GroupKind()) {
		return "", nil
	}
	sel, ok := Selector(live)
	if !ok {
		return "", nil
	}
	ctx, cancel := context.WithTimeout(ctx, cmp.Or(x.Timeout, DefaultTimeout))
	defer cancel()
	list, err := x.Core.Pods(live.GetNamespace()).List(ctx, metav1.ListOptions{LabelSelector: sel.String(), Limit: MaxPods})
	if err != nil {
		return "", fmt.Errorf("list the pods of %s %s/%s: %w", live.GetKind(), live.GetNamespace(), live.GetName(), err)
	}
	if msg := Describe(live, list.Items); msg != "" {
		return msg, nil
	}
	// No pod says anything: perhaps none could be created (a StatefulSet's
	// or a Job's pods refused by PodSecurity, a quota, a missing
	// ServiceAccount), which only the workload's events tell.
	events, err := x.Core.Events(live.GetNamespace()).List(ctx, metav1.ListOptions{
		FieldSelector: fields.Set{"involvedObject.uid": string(live.GetUID()), "type": corev1.EventTypeWarning}.String(),
		Limit:         MaxEvents})
	if err != nil {
		return "", nil
	}
	return LatestWarning(live, events.Items), nil
}

// MaxEvents bounds the events listed for one explanation.
const MaxEvents = 100

// LatestWarning describes the newest Warning event of workload owner,
// "event REASON: MESSAGE"; "" when it has none. It is a pure function.
func LatestWarning(owner *unstructured.Unstructured, events []corev1.Event) string {
	var latest *corev1.Event
	for i := range events {
		ev := &events[i]
		if ev.Type != corev1.EventTypeWarning || ev.InvolvedObject.UID != owner.GetUID() {
			continue
		}
		if latest == nil || eventTime(ev).After(eventTime(latest)) {
			latest = ev
		}
	}
	if latest == nil {
		return ""
	}
	return "event " + latest.Reason + ": " + strings.TrimSpace(latest.Message)
}

// eventTime is when an event last happened.
func eventTime(ev *corev1.Event) time.Time {
	switch {
	case ev.Series != nil && !ev.Series.LastObservedTime.IsZero():
		return ev.Series.LastObservedTime.Time
	case !ev.LastTimestamp.IsZero():
		return ev.LastTimestamp.Time
	case !ev.EventTime.IsZero():
		return ev.EventTime.Time
	}
	return ev.CreationTimestamp.Time
}

// Selector is the pod selector of workload live (its spec.selector); false
// when it has none, or an empty one, which would select every pod.
func Selector(live *unstructured.Unstructured) (labels.Selector, bool) {
	raw, ok, _ := unstructured.NestedMap(live.Object, "spec", "selector")
	if !ok {
		return nil, false
	}
	ls := &metav1.LabelSelector{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, ls); err != nil {
		return nil, false
	}
	sel, err := metav1.LabelSelectorAsSelector(ls)
	if err != nil || sel.Empty() {
		return nil, false
	}
	return sel, true
}

// Describe chooses, of pods, the one of workload owner that says the most
// about why owner is not ready, and describes it; "" when none is
// blocking. It is a pure function.
func Describe(owner *unstructured.Unstructured, pods []corev1.Pod) string {
	type judged struct {
		pod *corev1.Pod
		r   health.Result
	}
	var blocking []judged
	for i := range pods {
		p := &pods[i]
		if p.DeletionTimestamp != nil || !owns(owner, p) {
			continue
		}
		if r := health.Pod(p); r.Status != health.Healthy {
			blocking = append(blocking, judged{p, r})
		}
	}
	if len(blocking) == 0 {
		return ""
	}
	slices.SortFunc(blocking, func(a, b judged) int {
		return cmp.Or(
			cmp.Compare(rank(a.r.Status), rank(b.r.Status)),
			b.pod.CreationTimestamp.Compare(a.pod.CreationTimestamp.Time),
			strings.Compare(a.pod.Name, b.pod.Name))
	})
	first := blocking[0]
	msg := fmt.Sprintf("pod %s/%s: %s", first.pod.Namespace, first.pod.Name, first.r.Message)
	if n := len(blocking) - 1; n == 1 {
		msg += " (and 1 more pod not ready)"
	} else if n > 1 {
		msg += fmt.Sprintf(" (and %d more pods not ready)", n)
	}
	return msg
}

// rank orders what a pod says: Degraded says the most.
func rank(s health.Status) int {
	switch s {
	case health.Degraded:
		return 0
	case health.Progressing:
		return 1
	default:
		return 2
	}
}

// owns reports whether pod p belongs to workload owner: its controller is
// owner or, for a Deployment, one of its ReplicaSets.
func owns(owner *unstructured.Unstructured, p *corev1.Pod) bool {
	ref := metav1.GetControllerOf(p)
	if ref == nil {
		return false
	}
	if owner.GetKind() == "Deployment" {
		return ref.Kind == "ReplicaSet" && strings.HasPrefix(ref.Name, owner.GetName()+"-")
	}
	if ref.Kind != owner.GetKind() || ref.Name != owner.GetName() {
		return false
	}
	return owner.GetUID() == "" || ref.UID == owner.GetUID()
}
