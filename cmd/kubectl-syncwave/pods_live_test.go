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

package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

const stuckDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {pool: big}
      containers: [{name: web, image: nginx}]
`

// TestLiveGetSaysWhatThePodsReport: while a step waits for a Deployment,
// get shows what its pod that blocks reports. This control plane runs no
// Deployment controller or scheduler: the pod (owned by a ReplicaSet of
// the Deployment) and its status are written by the test.
func TestLiveGetSaysWhatThePodsReport(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)
	ctx := context.Background()
	dir := writeManifests(t, map[string]string{"app.yaml": stuckDeployment})
	_, stderr, code := kubectlSyncwave(t, ns, "create", "web", "-f", dir)
	g.Expect(code).To(Equal(0), stderr)
	g.Eventually(func(g Gomega) {
		stdout, stderr, code := kubectlSyncwave(t, ns, "get", "web", "-o", "json")
		g.Expect(code).To(Equal(0), stderr)
		var op syncv1alpha1.SyncOperation
		g.Expect(json.Unmarshal([]byte(stdout), &op)).To(Succeed())
		g.Expect(op.Status.BlockedBy).To(ContainElement(HaveField("Name", "web")))
	}, time.Minute, 200*time.Millisecond).Should(Succeed())

	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-6d8-a", Namespace: ns, Labels: map[string]string{"app": "web"},
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-6d8", UID: "rs-uid", Controller: ptr.To(true)}}},
		Spec: corev1.PodSpec{NodeSelector: map[string]string{"pool": "big"}, Containers: []corev1.Container{{Name: "web", Image: "nginx"}}}}
	g.Expect(live.client.Create(ctx, pod)).To(Succeed())
	pod.Status = corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled,
		Status: corev1.ConditionFalse, Reason: "Unschedulable", LastTransitionTime: metav1.Now(),
		Message: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."}}}
	g.Expect(live.client.Status().Update(ctx, pod)).To(Succeed())

	stdout, stderr, code := kubectlSyncwave(t, ns, "get", "web")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stdout).To(ContainSubstring("\nWhy:\n  Deployment.apps/" + ns + "/web: pod " + ns +
		"/web-6d8-a: pod is not scheduled: Unschedulable: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.\n"))

	// No pod at all (none could be created): the latest Warning event.
	g.Expect(live.client.Delete(ctx, pod)).To(Succeed())
	dep := &unstructured.Unstructured{}
	dep.SetGroupVersionKind(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"})
	g.Expect(live.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, dep)).To(Succeed())
	forbidden := `pods "web-6d8-b" is forbidden: violates PodSecurity "restricted:latest"`
	g.Expect(live.client.Create(ctx, &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "web.1", Namespace: ns},
		InvolvedObject: corev1.ObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Namespace: ns, Name: "web", UID: dep.GetUID()},
		Type:           corev1.EventTypeWarning, Reason: "FailedCreate", Message: forbidden, LastTimestamp: metav1.Now(),
		Source: corev1.EventSource{Component: "test"}})).To(Succeed())
	g.Eventually(func(g Gomega) {
		stdout, stderr, code := kubectlSyncwave(t, ns, "get", "web")
		g.Expect(code).To(Equal(0), stderr)
		g.Expect(stdout).To(ContainSubstring("\nWhy:\n  Deployment.apps/" + ns + "/web: event FailedCreate: " + forbidden + "\n"))
	}, 30*time.Second, 200*time.Millisecond).Should(Succeed())

	_, _, code = kubectlSyncwave(t, ns, "terminate", "web")
	g.Expect(code).To(Equal(0))
}
