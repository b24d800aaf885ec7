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
	"fmt"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// TestAHookDeletedPastItsFinalizerFails: a running hook whose finalizer
// someone removed, and which was then deleted, can never be observed to
// its end. The step fails at once (HookFailed, saying so) instead of
// waiting for its timeout with "hook object not found yet"; the next step
// is never applied.
func TestAHookDeletedPastItsFinalizerFails(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := namespace(t)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns},
		Spec: syncv1alpha1.SyncOperationSpec{Manifests: objects(t,
			`{apiVersion: batch/v1, kind: Job, metadata: {name: migrate, annotations: {argocd.argoproj.io/hook: PreSync}},
			  spec: {backoffLimit: 0, template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}`,
			`{apiVersion: v1, kind: ConfigMap, metadata: {name: after}}`)}}
	g.Expect(k8s.Create(ctx, op)).To(Succeed())
	// No Job controller runs here: the hook stays running.
	waitFor(t, op, "the hook is seen running", func(op *syncv1alpha1.SyncOperation) bool {
		for _, r := range op.Status.Resources {
			if r.Name == "migrate" && r.HookPhase == syncv1alpha1.HookRunning && r.Health == syncv1alpha1.HealthProgressing {
				return true
			}
		}
		return false
	})

	job := &batchv1.Job{}
	g.Expect(k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "migrate"}, job)).To(Succeed())
	g.Expect(job.Finalizers).To(ContainElement(syncv1alpha1.HookFinalizer))
	g.Expect(k8s.Patch(ctx, job, client.RawPatch(types.JSONPatchType, []byte(`[{"op":"remove","path":"/metadata/finalizers"}]`)))).To(Succeed())
	g.Expect(k8s.Delete(ctx, job, client.PropagationPolicy(metav1.DeletePropagationBackground))).To(Succeed())

	// The delete event wakes the operation. The first watch of Jobs in a
	// fresh API server can start after the Job is gone, and then no event
	// comes: an annotation on the operation makes it look again, as any
	// update of it does.
	g.Eventually(func() bool {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(op), op)).To(Succeed())
		if op.Status.Phase.Terminal() {
			return true
		}
		nudge := fmt.Sprintf(`{"metadata":{"annotations":{"test.syncwave.dev/nudge":%q}}}`, time.Now().Format(time.RFC3339Nano))
		g.Expect(k8s.Patch(ctx, op, client.RawPatch(types.MergePatchType, []byte(nudge)))).To(Succeed())
		return false
	}, 30*time.Second, 500*time.Millisecond).Should(BeTrue(), func() string { return "the operation ends: " + op.Status.Message })
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonHookFailed))
	g.Expect(op.Status.Message).To(ContainSubstring("hook batch/Job/" + ns + "/migrate failed: the hook object was deleted before it finished"))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "after")).To(BeFalse(), "the next step is never applied")
}
