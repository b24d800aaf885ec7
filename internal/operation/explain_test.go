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

package operation_test

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	clocktesting "k8s.io/utils/clock/testing"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/operation"
)

// stuckRollout is a world whose Deployment never becomes ready, and whose
// Explainer says what its pods report.
type stuckRollout struct {
	*world
	// degraded: the Deployment is Degraded (its progress deadline passed).
	degraded bool
	// smokeRuns: the PostSync smoke test never ends (its pod is never
	// scheduled); the Deployment is then Healthy.
	smokeRuns bool
	asked     []string
}

func (s *stuckRollout) HookPhase(u *unstructured.Unstructured) (syncv1alpha1.HookPhase, string) {
	if s.smokeRuns && u.GetName() == "smoke-fixed" {
		return syncv1alpha1.HookRunning, "job is running: 0 of 1 completions succeeded, 1 active, 0 failed"
	}
	return s.world.HookPhase(u)
}

const unschedulable = "pod prod/api-6d8-a: pod is not scheduled: Unschedulable: 0/3 nodes are available"

func (s *stuckRollout) Health(u *unstructured.Unstructured) health.Result {
	if u.GetKind() == "Deployment" && s.degraded {
		return health.Result{Status: health.Degraded, Message: "ProgressDeadlineExceeded: ReplicaSet \"api-6d8\" has timed out progressing."}
	}
	if u.GetKind() == "Deployment" && !s.smokeRuns {
		return health.Result{Status: health.Progressing, Message: "waiting for rollout to finish: 0 of 3 updated replicas are available"}
	}
	return s.world.Health(u)
}

func (s *stuckRollout) Explain(_ context.Context, _ *syncv1alpha1.SyncOperation, live *unstructured.Unstructured) string {
	s.asked = append(s.asked, live.GetKind()+"/"+live.GetName())
	return unschedulable
}

// TestAFailedStepSaysWhatItsPodsReport: a step that times out on a
// Deployment says, in status.message, the failed step and blockedBy, what
// the Deployment's pods report; the Explainer is asked once, at the
// failure, not while the step waits.
func TestAFailedStepSaysWhatItsPodsReport(t *testing.T) {
	g := NewWithT(t)
	l := buildLayout(t, guideYAML)
	w := &stuckRollout{world: newWorld("")}
	clk := clocktesting.NewFakeClock(t0)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"}}
	op, events := runToEnd(t, l, w, op, clk, operation.Timing{Timeout: time.Hour, WaveTimeout: 5 * time.Second}, 100)

	g.Expect(events).NotTo(ContainElement(HavePrefix("error:")))
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTimeout))
	g.Expect(op.Status.Message).To(HavePrefix("step Sync/0 exceeded its timeout of 5s; waiting for healthy state of apps/Deployment prod/api: waiting for rollout"))
	g.Expect(op.Status.Message).To(HaveSuffix("; " + unschedulable))
	g.Expect(op.Status.FailedStep.Message).To(ContainSubstring(unschedulable))
	g.Expect(op.Status.BlockedBy).NotTo(BeEmpty())
	g.Expect(op.Status.BlockedBy[0].Message).To(ContainSubstring(unschedulable))
	g.Expect(w.asked).To(Equal([]string{"Deployment/api"}), "asked once, at the failure")

	g = NewWithT(t)
	w = &stuckRollout{world: newWorld(""), degraded: true}
	op = &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-2"}}
	op, _ = runToEnd(t, l, w, op, clk, operation.Timing{Timeout: time.Hour}, 100)
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonHealthDegraded))
	g.Expect(op.Status.Message).To(ContainSubstring("ProgressDeadlineExceeded"))
	g.Expect(op.Status.Message).To(HaveSuffix("; " + unschedulable))
	g.Expect(w.asked).To(Equal([]string{"Deployment/api"}))

	// A hook still running at the timeout is explained by its pods too
	// (one that ended has its outcome).
	g = NewWithT(t)
	w = &stuckRollout{world: newWorld(""), smokeRuns: true}
	op = &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-3"}}
	op, _ = runToEnd(t, l, w, op, clk, operation.Timing{Timeout: time.Hour, WaveTimeout: 5 * time.Second}, 100)
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTimeout))
	g.Expect(op.Status.Message).To(ContainSubstring("waiting for completion of hook batch/Job prod/smoke-fixed: job is running"))
	g.Expect(op.Status.Message).To(HaveSuffix("; " + unschedulable))
	g.Expect(w.asked).To(Equal([]string{"Job/smoke-fixed"}))
}
