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
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"
)

var t0 = time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)

func deployment(name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": name, "namespace": "shop", "uid": "d-uid"},
		"spec":     map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"app": name}}},
	}}
	return u
}

// pod is a pod of controller kind/name, created age ago.
func pod(name, kind, owner string, age time.Duration, st corev1.PodStatus) corev1.Pod {
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", Labels: map[string]string{"app": "web"},
			CreationTimestamp: metav1.NewTime(t0.Add(-age)),
			OwnerReferences:   []metav1.OwnerReference{{Kind: kind, Name: owner, Controller: ptr.To(true)}}},
		Spec:   corev1.PodSpec{RestartPolicy: corev1.RestartPolicyAlways},
		Status: st,
	}
}

var (
	ready = corev1.PodStatus{Phase: corev1.PodRunning,
		Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}
	unschedulable = corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
		Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable",
		Message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."}}}
	imagePull = corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{Name: "web",
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff",
			Message: `Back-off pulling image "nginx:1.99"`}}}}}
	notReady = corev1.PodStatus{Phase: corev1.PodRunning,
		Conditions:        []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "ContainersNotReady"}},
		ContainerStatuses: []corev1.ContainerStatus{{Name: "web", Ready: false}}}
)

func TestDescribe(t *testing.T) {
	web := deployment("web")
	for _, tc := range []struct {
		name string
		pods []corev1.Pod
		want string
	}{
		{name: "no pod", want: ""},
		{name: "every pod ready", pods: []corev1.Pod{pod("web-6d8-a", "ReplicaSet", "web-6d8", time.Minute, ready)}, want: ""},
		{name: "unschedulable",
			pods: []corev1.Pod{pod("web-6d8-a", "ReplicaSet", "web-6d8", time.Minute, unschedulable)},
			want: "pod shop/web-6d8-a: pod is not scheduled: Unschedulable: 0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."},
		{name: "a Degraded pod says more than a Progressing one",
			pods: []corev1.Pod{
				pod("web-6d8-a", "ReplicaSet", "web-6d8", time.Second, notReady),
				pod("web-6d8-b", "ReplicaSet", "web-6d8", time.Minute, imagePull),
				pod("web-5c1-c", "ReplicaSet", "web-5c1", time.Hour, ready),
			},
			want: `pod shop/web-6d8-b: container "web": ImagePullBackOff: Back-off pulling image "nginx:1.99" (and 1 more pod not ready)`},
		{name: "the newest first",
			pods: []corev1.Pod{
				pod("web-5c1-old", "ReplicaSet", "web-5c1", time.Hour, notReady),
				pod("web-6d8-new", "ReplicaSet", "web-6d8", time.Second, notReady),
				pod("web-6d8-mid", "ReplicaSet", "web-6d8", time.Minute, notReady),
			},
			want: "pod shop/web-6d8-new: pod is running; waiting for it to be ready: containers not ready: web (and 2 more pods not ready)"},
		{name: "pods of another workload with the same labels, or being deleted, are left out",
			pods: []corev1.Pod{
				pod("webhook-1-a", "ReplicaSet", "webhook-1", time.Second, imagePull),
				pod("web-x", "StatefulSet", "web", time.Second, imagePull),
				func() corev1.Pod {
					p := pod("web-6d8-gone", "ReplicaSet", "web-6d8", time.Second, imagePull)
					p.DeletionTimestamp = ptr.To(metav1.NewTime(t0))
					return p
				}(),
			},
			want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Describe(web, tc.pods); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestDescribeOwnedDirectly(t *testing.T) {
	sts := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "kind": "StatefulSet",
		"metadata": map[string]any{"name": "db", "namespace": "shop", "uid": "s-uid"}}}
	mine := pod("db-0", "StatefulSet", "db", time.Minute, unschedulable)
	mine.OwnerReferences[0].UID = "s-uid"
	earlier := pod("db-1", "StatefulSet", "db", time.Minute, imagePull)
	earlier.OwnerReferences[0].UID = "an-earlier-db"
	got := Describe(sts, []corev1.Pod{mine, earlier})
	want := "pod shop/db-0: pod is not scheduled: Unschedulable: 0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestExplainer(t *testing.T) {
	blocked := pod("web-6d8-a", "ReplicaSet", "web-6d8", time.Minute, unschedulable)
	elsewhere := pod("web-6d8-b", "ReplicaSet", "web-6d8", time.Minute, imagePull)
	elsewhere.Namespace = "other"
	unlabelled := pod("web-6d8-c", "ReplicaSet", "web-6d8", time.Minute, imagePull)
	unlabelled.Labels = nil
	cs := fake.NewClientset(&blocked, &elsewhere, &unlabelled)
	x := &Explainer{Core: cs.CoreV1()}
	ctx := context.Background()

	want := "pod shop/web-6d8-a: pod is not scheduled: Unschedulable: 0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."
	if got := x.Explain(ctx, nil, deployment("web")); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "web", "namespace": "shop"}}}
	if got := x.Explain(ctx, nil, cm); got != "" {
		t.Errorf("a ConfigMap is explained: %q", got)
	}
	noSelector := deployment("web")
	unstructured.RemoveNestedField(noSelector.Object, "spec", "selector")
	if got := x.Explain(ctx, nil, noSelector); got != "" {
		t.Errorf("a workload without a selector lists every pod: %q", got)
	}
}

func event(name, uid, typ, reason, msg string, at time.Duration) *corev1.Event {
	return &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"},
		InvolvedObject: corev1.ObjectReference{Kind: "StatefulSet", Namespace: "shop", Name: "db", UID: types.UID(uid)},
		Type:           typ, Reason: reason, Message: msg, LastTimestamp: metav1.NewTime(t0.Add(at))}
}

// TestExplainerFallsBackToEvents: a StatefulSet whose pods the API server
// refuses has no pod to describe; its newest Warning event says why.
func TestExplainerFallsBackToEvents(t *testing.T) {
	sts := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "kind": "StatefulSet",
		"metadata": map[string]any{"name": "db", "namespace": "shop", "uid": "s-uid"},
		"spec":     map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"app": "db"}}}}}
	forbidden := `create Pod db-0 in StatefulSet db failed error: pods "db-0" is forbidden: violates PodSecurity "restricted:latest"`
	cs := fake.NewClientset(
		event("e1", "s-uid", corev1.EventTypeWarning, "FailedCreate", "an older failure", -time.Minute),
		event("e2", "s-uid", corev1.EventTypeWarning, "FailedCreate", forbidden+"\n", 0),
		event("e3", "s-uid", corev1.EventTypeNormal, "SuccessfulDelete", "a newer normal event", time.Minute),
		event("e4", "an-earlier-db", corev1.EventTypeWarning, "FailedCreate", "of an earlier StatefulSet db", time.Minute),
	)
	x := &Explainer{Core: cs.CoreV1()}
	if got, want := x.Explain(context.Background(), nil, sts), "event FailedCreate: "+forbidden; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := LatestWarning(sts, nil); got != "" {
		t.Errorf("no event: %q", got)
	}
}
