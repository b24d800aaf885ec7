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

package controller

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// summarize fills the derived fields of status: summary, step, progress.
// The tasks from index skippedFrom on are never applied (Skip hooks, every
// task of a dry run) and are not counted; a task Skipped because the
// operation ended before its step (a failure, a termination) still is,
// so that Progress keeps its total ("3/200", not "3/10"). SyncFail hooks
// count only when they ran.
func summarize(st *syncv1alpha1.SyncOperationStatus, skippedFrom int) {
	s := syncv1alpha1.Summary{}
	done := int32(0)
	for i := range st.Resources {
		r := &st.Resources[i]
		if (r.Status == syncv1alpha1.ResultSkipped && i >= skippedFrom) ||
			(r.SyncPhase == syncv1alpha1.SyncPhaseSyncFail && (r.Status == syncv1alpha1.ResultPending || r.Status == syncv1alpha1.ResultSkipped)) {
			continue // never applied, or SyncFail hooks that did not run
		}
		s.Total++
		if r.Status == syncv1alpha1.ResultSynced {
			s.Synced++
		}
		switch {
		case r.SyncPhase.Deletes():
			if r.Status == syncv1alpha1.ResultPruned {
				s.Pruned++
			}
			if r.FinishedAt != nil && (r.Status == syncv1alpha1.ResultPruned || r.Status == syncv1alpha1.ResultPruneSkipped) {
				done++
			}
		case r.HookType != "" && r.HookPhase == syncv1alpha1.HookSucceeded:
			s.HooksSucceeded++
			done++
		case r.HookType != "" && r.HookPhase == syncv1alpha1.HookFailed:
			s.HooksFailed++
		case r.HookType == "" && r.Health == syncv1alpha1.HealthHealthy:
			s.Healthy++
			done++
		}
	}
	st.Summary = &s
	st.Progress = fmt.Sprintf("%d/%d", done, s.Total)
	if c := st.Current; c != nil {
		st.Step = fmt.Sprintf("%s/%d", c.Phase, c.Wave)
	}
}

// setConditions derives Ready, Reconciling and Stalled from the phase, as
// kstatus expects: Reconciling and Stalled are present only while True.
func setConditions(op *syncv1alpha1.SyncOperation, waitReason string) {
	st := &op.Status
	gen := op.Generation
	set := func(t string, s metav1.ConditionStatus, reason, msg string) {
		if msg == "" {
			msg = reason
		}
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: t, Status: s, Reason: reason,
			Message: truncate(msg, 32768), ObservedGeneration: gen})
	}
	switch st.Phase {
	case syncv1alpha1.OperationSucceeded:
		set(syncv1alpha1.ConditionReady, metav1.ConditionTrue, syncv1alpha1.ReasonSucceeded, st.Message)
		meta.RemoveStatusCondition(&st.Conditions, syncv1alpha1.ConditionReconciling)
		meta.RemoveStatusCondition(&st.Conditions, syncv1alpha1.ConditionStalled)
	case syncv1alpha1.OperationFailed:
		reason := st.Reason
		if reason == "" {
			reason = syncv1alpha1.ReasonApplyFailed
		}
		set(syncv1alpha1.ConditionReady, metav1.ConditionFalse, reason, st.Message)
		set(syncv1alpha1.ConditionStalled, metav1.ConditionTrue, reason, st.Message)
		meta.RemoveStatusCondition(&st.Conditions, syncv1alpha1.ConditionReconciling)
	default:
		reason := waitReason
		if reason == "" {
			reason = syncv1alpha1.ReasonProgressing
			if c := meta.FindStatusCondition(st.Conditions, syncv1alpha1.ConditionReconciling); c != nil {
				reason = c.Reason
			}
		}
		if st.Current != nil && st.Current.Phase == syncv1alpha1.SyncPhaseSyncFail {
			reason = syncv1alpha1.ReasonRunningSyncFailHooks
		}
		msg := st.Message
		if st.Current != nil {
			msg = fmt.Sprintf("%s wave %d: %s resources done; %s", st.Current.Phase, st.Current.Wave, st.Progress, st.Message)
		}
		set(syncv1alpha1.ConditionReady, metav1.ConditionUnknown, syncv1alpha1.ReasonProgressing, msg)
		set(syncv1alpha1.ConditionReconciling, metav1.ConditionTrue, reason, msg)
		meta.RemoveStatusCondition(&st.Conditions, syncv1alpha1.ConditionStalled)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
