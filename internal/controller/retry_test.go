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
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// TestRetryCoversTheStartsDryRun: an operation whose objects go into a
// namespace that another application is still creating is refused at the
// start's dry-run; with spec.retry it stays Pending with nothing applied
// and starts again after the backoff, once the namespace exists.
func TestRetryCoversTheStartsDryRun(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := namespace(t)
	later := ns + "-later"
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns}, Spec: syncv1alpha1.SyncOperationSpec{
		Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: early}}`,
			fmt.Sprintf(`{apiVersion: v1, kind: ConfigMap, metadata: {name: app, namespace: %s}}`, later)),
		Retry: &syncv1alpha1.RetryStrategy{Limit: 2, Backoff: &syncv1alpha1.Backoff{Duration: &metav1.Duration{Duration: 2 * time.Second}}}}}
	g.Expect(k8s.Create(ctx, op)).To(Succeed())
	g.Eventually(func() string { return get(t, op).Status.Message }, 10*time.Second, 20*time.Millisecond).
		Should(ContainSubstring("namespace " + later + " does not exist and the operation does not create it"))
	got := get(t, op)
	g.Expect(got.Status.Phase).To(Equal(syncv1alpha1.OperationPending), got.Status.Message)
	g.Expect(got.Status.Message).To(HaveSuffix("; retry 1 of 2 in 2s"))
	g.Expect(got.Status.RetryAt).NotTo(BeNil())
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "early")).To(BeFalse(), "nothing applied while the retry waits")

	g.Expect(k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: later}})).To(Succeed())
	t.Cleanup(func() {
		_ = k8s.Delete(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: later}})
	})
	g.Eventually(func() syncv1alpha1.OperationPhase { return get(t, op).Status.Phase }, 20*time.Second, 50*time.Millisecond).
		Should(Equal(syncv1alpha1.OperationSucceeded))
	got = get(t, op)
	g.Expect(got.Status.RetryCount).To(Equal(int32(1)))
	g.Expect(got.Status.Message).To(ContainSubstring("(after 1 retry)"))
	g.Expect(exists(t, &corev1.ConfigMap{}, later, "app")).To(BeTrue())
	// Events are sent asynchronously: the last one may arrive after the
	// status that the test read.
	var reasons []string
	g.Eventually(func() []string {
		events := &corev1.EventList{}
		g.Expect(k8s.List(ctx, events)).To(Succeed())
		reasons = nil
		for _, e := range events.Items {
			if e.InvolvedObject.UID == got.UID {
				reasons = append(reasons, e.Reason)
			}
		}
		return reasons
	}, 5*time.Second, 50*time.Millisecond).Should(ContainElements("Retrying", "OperationSucceeded"))
	g.Expect(reasons).NotTo(ContainElement("OperationFailed"), "the operation did not fail: a retry was coming")
}
