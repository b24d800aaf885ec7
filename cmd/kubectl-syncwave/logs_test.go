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
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// hookedOperation failed in PostSync: the migration succeeded, the smoke
// test failed (both Jobs deleted by their policies), a ConfigMap hook
// succeeded and the SyncFail handler runs.
func hookedOperation() *syncv1alpha1.SyncOperation {
	job := func(name string) syncv1alpha1.ResourceRef { return ref("batch", "Job", "prod", name) }
	return &syncv1alpha1.SyncOperation{
		ObjectMeta: metav1.ObjectMeta{Name: "suite-43", Namespace: "prod"},
		Status: syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning, Resources: []syncv1alpha1.ResourceStatus{
			{ResourceRef: job("prod-db-migration"), SyncPhase: syncv1alpha1.SyncPhasePreSync, Wave: -1, HookType: "PreSync",
				Status: syncv1alpha1.ResultSynced, HookPhase: syncv1alpha1.HookSucceeded, FinishedAt: microAt(-3, 0), Released: true,
				Outcome: &syncv1alpha1.HookOutcome{Pod: "prod-db-migration-x7k2p", Container: "migrate", Reason: "Completed",
					ExitCode: ptr.To[int32](0), Log: "applied 3 migrations\ndone"}},
			{ResourceRef: ref("", "ConfigMap", "prod", "marker"), SyncPhase: syncv1alpha1.SyncPhasePreSync, HookType: "PreSync",
				Status: syncv1alpha1.ResultSynced, HookPhase: syncv1alpha1.HookSucceeded, FinishedAt: microAt(-3, 0)},
			{ResourceRef: job("prod-smoke-test"), SyncPhase: syncv1alpha1.SyncPhasePostSync, HookType: "PostSync",
				Status: syncv1alpha1.ResultSynced, HookPhase: syncv1alpha1.HookFailed, FinishedAt: microAt(-1, -5), Released: true,
				Message: "BackoffLimitExceeded: Job has reached the specified backoff limit",
				Outcome: &syncv1alpha1.HookOutcome{Pod: "prod-smoke-test-9qz4m", Container: "smoke", Reason: "Error", ExitCode: ptr.To[int32](3),
					Log: "GET /products ok\nFAIL: GET /healthz returned 503"}},
			{ResourceRef: job("legacy"), SyncPhase: syncv1alpha1.SyncPhasePostSync, HookType: "PostSync",
				Status: syncv1alpha1.ResultSynced, HookPhase: syncv1alpha1.HookSucceeded, FinishedAt: microAt(-1, -5)},
			{ResourceRef: job("prod-sync-failure-handler"), SyncPhase: syncv1alpha1.SyncPhaseSyncFail, HookType: "SyncFail",
				Status: syncv1alpha1.ResultSynced, HookPhase: syncv1alpha1.HookRunning, Message: "Job is running"},
			{ResourceRef: job("tenant-check"), SyncPhase: syncv1alpha1.SyncPhasePostSync, Wave: 1, HookType: "PostSync",
				Status: syncv1alpha1.ResultSynced, HookPhase: syncv1alpha1.HookFailed, FinishedAt: microAt(-1, 0),
				Outcome: &syncv1alpha1.HookOutcome{Pod: "tenant-check-abcde", Container: "check", Reason: "Error", ExitCode: ptr.To[int32](1),
					Message: "cannot read the logs of pod prod/tenant-check-abcde container check as system:serviceaccount:prod:deployer: forbidden (needs get on pods/log)"}},
		}},
	}
}

func TestLogsOutput(t *testing.T) {
	for name, hook := range map[string]string{"all": "", "one": "job/prod-smoke-test", "by-name": "prod-db-migration"} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			NewWithT(t).Expect(renderHookLogs(&out, hookedOperation(), hook)).To(Succeed())
			expectGolden(t, filepath.Join("logs", name+".txt"), out.Bytes())
		})
	}
}

func TestLogsErrors(t *testing.T) {
	g := NewWithT(t)
	var out bytes.Buffer
	g.Expect(renderHookLogs(&out, hookedOperation(), "nope")).To(MatchError(
		`SyncOperation prod/suite-43 has no hook "nope"; its hooks: Job/prod-db-migration, ConfigMap/marker, Job/prod-smoke-test, Job/legacy, Job/prod-sync-failure-handler, Job/tenant-check`))
	g.Expect(renderHookLogs(&out, runningOperation(), "x")).To(MatchError(ContainSubstring(`has no hook "x"`)))
	none := pendingOperation()
	none.Status.Resources = nil
	g.Expect(renderHookLogs(&out, none, "")).To(Succeed())
	g.Expect(out.String()).To(HaveSuffix("has no hook that ran\n"))
	g.Expect(renderHookLogs(&out, none, "x")).To(MatchError(ContainSubstring("none has run")))
}
