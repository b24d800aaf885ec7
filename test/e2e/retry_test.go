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

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/test/cluster"
)

// TestRetry: the PostSync smoke test Job fails on its first run (the test
// deletes its pod, which a Job with backoffLimit 0 counts as its failure)
// and succeeds on the second; with retry.limit 2 the operation succeeds
// after one retry, the earlier steps are not started again, and the
// controller, killed while the retry waits for its backoff, resumes it.
func TestRetry(t *testing.T) {
	e := newEnv(t)
	g := NewWithT(t)
	ctx := context.Background()
	ns := e.c.NamespaceT(t, "retry-")
	e.createRBAC(t, ns)
	first := e.startController(t)
	w := e.record(t, ns)
	spec := syncv1alpha1.SyncOperationSpec{
		Retry: &syncv1alpha1.RetryStrategy{Limit: 2, Backoff: &syncv1alpha1.Backoff{Duration: &metav1.Duration{Duration: 3 * time.Second}}},
		Manifests: manifests(t, ns, map[string]func(*unstructured.Unstructured){
			smokeTest: both(podAnnotation(cluster.AnnotationRunDuration, "4s"), field(int64(0), "spec", "backoffLimit")),
		})}
	op := e.createOp(t, ns, spec)

	// Fail the first smoke test: delete its pod while it runs.
	var firstJob string
	g.Eventually(func() bool {
		pods := &corev1.PodList{}
		_ = e.cl.List(ctx, pods, client.InNamespace(ns), client.MatchingLabels{"batch.kubernetes.io/job-name": smokeTest})
		for i := range pods.Items {
			p := &pods.Items[i]
			firstJob = p.Labels["batch.kubernetes.io/controller-uid"]
			_ = e.cl.Delete(ctx, p)
			return true
		}
		return false
	}, 60*time.Second, 20*time.Millisecond).Should(BeTrue(), "the first smoke test pod runs")

	// The failure is recorded and the retry waits for its backoff: kill the
	// controller then, and start another.
	g.Eventually(func() bool {
		_ = e.cl.Get(ctx, client.ObjectKeyFromObject(op), op)
		return op.Status.RetryAt != nil
	}, 30*time.Second, 20*time.Millisecond).Should(BeTrue(), "a retry is scheduled: %s", op.Status.Message)
	g.Expect(op.Status.Message).To(ContainSubstring("retry 1 of 2"))
	first.kill()
	time.Sleep(500 * time.Millisecond)
	e.startController(t)
	op = e.waitDone(t, op, 90*time.Second)

	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Status.RetryCount).To(Equal(int32(1)))
	g.Expect(w.added("Job", smokeTest)).To(Equal(2), "the smoke test ran twice")
	g.Expect(w.added("Job", migration)).To(Equal(1), "the PreSync hook ran once")
	g.Expect(w.added("Job", onFailure)).To(BeZero(), "no SyncFail for a failure the retry fixed")
	g.Expect(firstJob).NotTo(BeEmpty())

	// The Normal Retrying event comes from the controller that restarted
	// the step (events are sent asynchronously: a killed controller may
	// lose its last ones, such as the Warning Retrying event that
	// scheduled the retry, so no other event is counted).
	g.Eventually(func() int {
		n := 0
		evs := &eventsv1.EventList{}
		_ = e.cl.List(ctx, evs, client.InNamespace(ns))
		for _, ev := range evs.Items {
			if ev.Regarding.Name == op.Name && ev.Reason == "Retrying" && ev.Type == "Normal" {
				if ev.Series != nil {
					n += int(ev.Series.Count)
				} else {
					n++
				}
			}
		}
		return n
	}, 10*time.Second, 100*time.Millisecond).Should(Equal(1), "one event per retry")
	for _, s := range op.Status.Steps {
		want := int32(0)
		if s.Phase == syncv1alpha1.SyncPhasePostSync {
			want = 1
		}
		g.Expect(s.Retries).To(Equal(want), "step %s/%d", s.Phase, s.Wave)
	}
	// The earlier steps were not applied again: their objects were written
	// once (RBAC objects change only when syncwave writes them).
	for _, ref := range []string{"Role/argocd-hook-executor-role", "RoleBinding/argocd-hook-executor-binding"} {
		kind, name, _ := strings.Cut(ref, "/")
		g.Expect(w.writes(kind, name)).To(Equal(1), "%s written once", ref)
	}
}
