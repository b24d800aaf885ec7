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
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// widgetCRD declares a status subresource and has no health check anywhere:
// only the generic conditions judge its objects.
const widgetCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.grace.example.com}
spec:
  group: grace.example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`

func widget(annotations string) string {
	return `{apiVersion: grace.example.com/v1, kind: Widget, metadata: {name: w1, annotations: {` + annotations + `}}, spec: {size: 1}}`
}

const afterWidget = `{apiVersion: v1, kind: ConfigMap, metadata: {name: after-widget, annotations: {argocd.argoproj.io/sync-wave: "1"}}}`

// resourceMessage is the message of the status entry of the named resource.
func resourceMessage(op *syncv1alpha1.SyncOperation, name string) string {
	for _, r := range op.Status.Resources {
		if r.Name == name {
			return r.Message
		}
	}
	return ""
}

// TestStatusGrace: a custom resource whose CRD declares a status
// subresource is not Healthy before its controller speaks (SPEC §7).
func TestStatusGrace(t *testing.T) {
	t.Run("the next wave waits for the first status write", func(t *testing.T) {
		g := NewWithT(t)
		ns := namespace(t)
		// A long grace, so that only the status write can end the wait.
		op := startOp(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t, widgetCRD,
			widget(`syncwave.dev/status-grace: 5m`), afterWidget)})
		waitBlockedOn(t, op, "w1", "waiting for its controller to write status")
		g.Expect(op.Status.Step).To(Equal("Sync/0"))
		g.Consistently(func() bool { return exists(t, &corev1.ConfigMap{}, ns, "after-widget") }, 2*time.Second).Should(BeFalse())

		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(schema.GroupVersionKind{Group: "grace.example.com", Version: "v1", Kind: "Widget"})
		g.Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "w1"}, u)).To(Succeed())
		u.Object["status"] = map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "True", "reason": "Built"}}}
		g.Expect(k8s.Status().Update(context.Background(), u)).To(Succeed())
		waitDone(t, op)
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
		g.Expect(exists(t, &corev1.ConfigMap{}, ns, "after-widget")).To(BeTrue())
	})

	t.Run("without a status write the wave goes on after the grace, saying why", func(t *testing.T) {
		g := NewWithT(t)
		ns := namespace(t)
		start := time.Now()
		op := startOp(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t, widgetCRD,
			widget(`syncwave.dev/status-grace: 2s`), afterWidget)})
		waitBlockedOn(t, op, "w1", "at most 2s")
		waitDone(t, op)
		elapsed := time.Since(start)
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
		g.Expect(exists(t, &corev1.ConfigMap{}, ns, "after-widget")).To(BeTrue())
		// creationTimestamp has whole seconds, so the grace may end up to a
		// second early; the default grace (10s) is not waited for, and no
		// watch event is needed to go on.
		g.Expect(elapsed).To(BeNumerically(">=", time.Second))
		g.Expect(elapsed).To(BeNumerically("<", 9*time.Second))
		g.Expect(resourceMessage(op, "w1")).To(ContainSubstring("its controller wrote no status within 2s"))
	})

	t.Run("syncwave.dev/health: exists is Healthy at once", func(t *testing.T) {
		g := NewWithT(t)
		ns := namespace(t)
		start := time.Now()
		op := startOp(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t, widgetCRD,
			widget(`syncwave.dev/status-grace: 5m, syncwave.dev/health: exists`), afterWidget)})
		waitDone(t, op)
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
		g.Expect(time.Since(start)).To(BeNumerically("<", time.Minute))
		g.Expect(resourceMessage(op, "w1")).To(ContainSubstring("syncwave.dev/health: exists"))
	})
}
