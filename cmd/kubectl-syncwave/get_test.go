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
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// The -update flag rewrites the golden files in testdata. Other test files
// of this package may define it too, so it is looked up, not owned.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// fixtureNow is the "now" of every rendering test.
var fixtureNow = time.Date(2026, 11, 25, 12, 10, 0, 0, time.UTC)

func at(minutes, seconds int) *metav1.Time {
	t := metav1.NewTime(fixtureNow.Add(time.Duration(minutes)*time.Minute + time.Duration(seconds)*time.Second))
	return &t
}

func microAt(minutes, seconds int) *metav1.MicroTime {
	t := metav1.NewMicroTime(at(minutes, seconds).Time)
	return &t
}

func ref(group, kind, ns, name string) syncv1alpha1.ResourceRef {
	return syncv1alpha1.ResourceRef{Group: group, Version: "v1", Kind: kind, Namespace: ns, Name: name}
}

// runningOperation is in wave 1 of Sync: the migration hook ran, the
// ConfigMap is healthy, the Deployment rolls out.
func runningOperation() *syncv1alpha1.SyncOperation {
	return &syncv1alpha1.SyncOperation{
		TypeMeta: metav1.TypeMeta{APIVersion: "syncwave.dev/v1alpha1", Kind: "SyncOperation"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "suite-42", Namespace: "prod", Generation: 1,
			CreationTimestamp: *at(-4, 0),
			ManagedFields:     []metav1.ManagedFieldsEntry{{Manager: "kubectl-syncwave"}},
		},
		Spec: syncv1alpha1.SyncOperationSpec{
			Sources: []syncv1alpha1.ManifestSource{{ConfigMapRef: &syncv1alpha1.KeyReference{Name: "suite-42-manifests-0"}}},
		},
		Status: syncv1alpha1.SyncOperationStatus{
			ObservedGeneration: 1,
			Phase:              syncv1alpha1.OperationRunning,
			Controller:         "syncwave-7d4b9-x2k4q",
			StartedAt:          at(-3, -30),
			Message:            "Sync wave 1: 0/1 resources healthy",
			Current:            &syncv1alpha1.StepStatus{Phase: syncv1alpha1.SyncPhaseSync, Wave: 1, StartedAt: microAt(-1, 0)},
			Step:               "Sync/1",
			Progress:           "3/5",
			BlockedBy: []syncv1alpha1.BlockedResource{{
				ResourceRef: ref("apps", "Deployment", "shop", "web"),
				Health:      syncv1alpha1.HealthProgressing,
				Message:     "Waiting for rollout to finish: 1 of 3 updated replicas are available...",
				Since:       at(-1, 0),
			}},
			Resources: []syncv1alpha1.ResourceStatus{{
				ResourceRef: ref("batch", "Job", "shop", "migrate"),
				SyncPhase:   syncv1alpha1.SyncPhasePreSync, Wave: 0, HookType: syncv1alpha1.HookTypePreSync,
				Status: syncv1alpha1.ResultSynced, HookPhase: syncv1alpha1.HookSucceeded, Health: syncv1alpha1.HealthHealthy,
				Message: "job completed",
			}, {
				ResourceRef: ref("", "Namespace", "", "shop"),
				SyncPhase:   syncv1alpha1.SyncPhaseSync, Wave: -1,
				Status: syncv1alpha1.ResultSynced, Health: syncv1alpha1.HealthHealthy,
			}, {
				ResourceRef: ref("", "ConfigMap", "shop", "settings"),
				SyncPhase:   syncv1alpha1.SyncPhaseSync, Wave: 0,
				Status: syncv1alpha1.ResultSynced, Health: syncv1alpha1.HealthHealthy,
			}, {
				ResourceRef: ref("apps", "Deployment", "shop", "web"),
				SyncPhase:   syncv1alpha1.SyncPhaseSync, Wave: 1,
				Status: syncv1alpha1.ResultSynced, Health: syncv1alpha1.HealthProgressing,
				Message: "Waiting for rollout to finish: 1 of 3 updated replicas are available...",
			}, {
				ResourceRef: ref("batch", "Job", "shop", "smoke-test"),
				SyncPhase:   syncv1alpha1.SyncPhasePostSync, Wave: 0, HookType: syncv1alpha1.HookTypePostSync,
				Status: syncv1alpha1.ResultPending,
			}},
			Summary: &syncv1alpha1.Summary{Total: 5, Synced: 4, Healthy: 2, HooksSucceeded: 1},
			Conditions: []metav1.Condition{{
				Type: syncv1alpha1.ConditionReady, Status: metav1.ConditionUnknown,
				Reason: syncv1alpha1.ReasonProgressing, Message: "Sync wave 1: 0/1 resources healthy",
				LastTransitionTime: *at(-3, -30),
			}, {
				Type: syncv1alpha1.ConditionReconciling, Status: metav1.ConditionTrue,
				Reason: syncv1alpha1.ReasonWaitingForHealth, Message: "Sync wave 1: 0/1 resources healthy",
				LastTransitionTime: *at(-1, 0),
			}},
		},
	}
}

// failedOperation failed on the PostSync hook and ran SyncFail.
func failedOperation() *syncv1alpha1.SyncOperation {
	op := runningOperation()
	st := &op.Status
	st.Phase = syncv1alpha1.OperationFailed
	st.FinishedAt = microAt(0, 0)
	st.Reason = syncv1alpha1.ReasonHookFailed
	st.Message = "hook Job/shop/smoke-test failed: BackoffLimitExceeded"
	st.Step, st.Progress, st.Current = "PostSync/0", "5/5", nil
	// The controller keeps what the failed step waited for.
	st.BlockedBy = []syncv1alpha1.BlockedResource{{
		ResourceRef: syncv1alpha1.ResourceRef{Group: "batch", Kind: "Job", Namespace: "shop", Name: "smoke-test"},
		Health:      syncv1alpha1.HealthDegraded, HookPhase: syncv1alpha1.HookFailed,
		Message: "Job has reached the specified backoff limit",
	}}
	st.FailedStep = &syncv1alpha1.StepStatus{
		Phase: syncv1alpha1.SyncPhasePostSync, Wave: 0, StartedAt: microAt(-1, 0),
		Message: "hook Job/shop/smoke-test failed: BackoffLimitExceeded",
	}
	st.Resources[3].Health, st.Resources[3].Message = syncv1alpha1.HealthHealthy, ""
	st.Resources[4].Status = syncv1alpha1.ResultSynced
	st.Resources[4].HookPhase = syncv1alpha1.HookFailed
	st.Resources[4].Health = syncv1alpha1.HealthDegraded
	st.Resources[4].Message = "Job has reached the specified backoff limit"
	st.Summary = &syncv1alpha1.Summary{Total: 5, Synced: 5, Healthy: 3, HooksSucceeded: 1, HooksFailed: 1}
	st.Conditions = []metav1.Condition{{
		Type: syncv1alpha1.ConditionReady, Status: metav1.ConditionFalse,
		Reason: syncv1alpha1.ReasonHookFailed, Message: st.Message, LastTransitionTime: *at(0, 0),
	}, {
		Type: syncv1alpha1.ConditionStalled, Status: metav1.ConditionTrue,
		Reason: syncv1alpha1.ReasonHookFailed, Message: st.Message, LastTransitionTime: *at(0, 0),
	}}
	return op
}

// pendingOperation was just created: no status yet.
func pendingOperation() *syncv1alpha1.SyncOperation {
	op := runningOperation()
	op.Status = syncv1alpha1.SyncOperationStatus{}
	return op
}

func fixtures() map[string]*syncv1alpha1.SyncOperation {
	return map[string]*syncv1alpha1.SyncOperation{
		"running": runningOperation(),
		"failed":  failedOperation(),
		"pending": pendingOperation(),
	}
}

// expectGolden compares got with testdata/<path>, rewriting it with -update.
func expectGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	g := NewWithT(t)
	path = filepath.Join("testdata", path)
	if updateGolden() {
		g.Expect(os.MkdirAll(filepath.Dir(path), 0o755)).To(Succeed())
		g.Expect(os.WriteFile(path, got, 0o644)).To(Succeed())
	}
	want, err := os.ReadFile(path)
	g.Expect(err).NotTo(HaveOccurred(), "run go test -update to create it")
	g.Expect(string(got)).To(Equal(string(want)), "differs from %s; run go test -update to accept", path)
}

func TestGetTable(t *testing.T) {
	for name, op := range fixtures() {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			var pods []string
			if name == "running" {
				pods = []string{"Deployment.apps/shop/web: pod shop/web-6d8-a: pod is not scheduled: Unschedulable: 0/3 nodes are available"}
			}
			NewWithT(t).Expect(renderOperation(&out, op, pods, fixtureNow)).To(Succeed())
			expectGolden(t, filepath.Join("get", name+".txt"), out.Bytes())
		})
	}
}

func TestGetJSON(t *testing.T) {
	for name, op := range fixtures() {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			var out bytes.Buffer
			g.Expect(renderJSON(&out, op)).To(Succeed())
			g.Expect(out.String()).NotTo(ContainSubstring("managedFields"))
			g.Expect(op.ManagedFields).NotTo(BeEmpty(), "the input must not be modified")
			expectGolden(t, filepath.Join("get", name+".json"), out.Bytes())
		})
	}
}

func TestHookCell(t *testing.T) {
	g := NewWithT(t)
	hook := func(status syncv1alpha1.ResultStatus, phase syncv1alpha1.HookPhase) syncv1alpha1.ResourceStatus {
		return syncv1alpha1.ResourceStatus{HookType: syncv1alpha1.HookTypeSyncFail, Status: status, HookPhase: phase}
	}
	g.Expect(hookCell(syncv1alpha1.ResourceStatus{Status: syncv1alpha1.ResultSynced})).To(BeEmpty(), "not a hook")
	g.Expect(hookCell(hook(syncv1alpha1.ResultPending, ""))).To(Equal("Pending"), "not reached yet")
	g.Expect(hookCell(hook(syncv1alpha1.ResultSynced, syncv1alpha1.HookRunning))).To(Equal("Running"))
	g.Expect(hookCell(hook(syncv1alpha1.ResultSkipped, ""))).To(BeEmpty(), "a SyncFail hook of an operation that did not fail never runs")
}

func TestTruncate(t *testing.T) {
	g := NewWithT(t)
	g.Expect(truncate("a\n  b")).To(Equal("a b"))
	long := truncate(string(bytes.Repeat([]byte("x"), 300)))
	g.Expect([]rune(long)).To(HaveLen(maxMessage))
	g.Expect(long).To(HaveSuffix("…"))
}

func TestMessageCellOfADryRun(t *testing.T) {
	g := NewWithT(t)
	g.Expect(messageCell(syncv1alpha1.ResourceStatus{Change: syncv1alpha1.ChangeUpdate, ChangedFields: []string{"spec.replicas", "data.k"}})).
		To(Equal("would update: spec.replicas, data.k"))
	g.Expect(messageCell(syncv1alpha1.ResourceStatus{Change: syncv1alpha1.ChangeUnchanged})).To(Equal("unchanged"))
	g.Expect(messageCell(syncv1alpha1.ResourceStatus{Change: syncv1alpha1.ChangeCreate, Message: "rejected"})).To(Equal("rejected"))
	g.Expect(messageCell(syncv1alpha1.ResourceStatus{Message: "running"})).To(Equal("running"))
}

func TestGetSummaryCountsPrunes(t *testing.T) {
	g := NewWithT(t)
	op := failedOperation()
	op.Status.Summary = &syncv1alpha1.Summary{Total: 4, Synced: 1, Healthy: 1, Pruned: 2, HooksSucceeded: 1}
	var out bytes.Buffer
	g.Expect(renderOperation(&out, op, nil, fixtureNow)).To(Succeed())
	g.Expect(out.String()).To(MatchRegexp(`(?m)^Summary:\s+4 total, 1 synced, 1 healthy, 2 pruned; hooks: 1 succeeded, 0 failed$`))
}
