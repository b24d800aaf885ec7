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

package v1alpha1

// Condition types, following the kstatus conventions so that
// "kubectl wait --for=condition=Ready", Flux and Argo CD understand a
// SyncOperation.
const (
	// ConditionReady is normal-true: True when the operation succeeded,
	// False with a failure reason when it failed, Unknown while it runs.
	ConditionReady = "Ready"
	// ConditionReconciling is abnormal-true: present and True only while
	// the operation runs. Its message says what the current step waits for.
	ConditionReconciling = "Reconciling"
	// ConditionStalled is abnormal-true: present and True only after a
	// terminal failure. The operation will not progress any more.
	ConditionStalled = "Stalled"
)

// Condition reasons (PascalCase, stable: users match on them).
const (
	ReasonProgressing          = "Progressing"
	ReasonWaitingForHealth     = "WaitingForHealth"
	ReasonRunningHooks         = "RunningHooks"
	ReasonRunningSyncFailHooks = "RunningSyncFailHooks"
	ReasonSucceeded            = "Succeeded"
	ReasonInvalidManifests     = "InvalidManifests"
	ReasonApplyFailed          = "ApplyFailed"
	ReasonHealthDegraded       = "HealthDegraded"
	ReasonTimeout              = "Timeout"
	ReasonHookFailed           = "HookFailed"
	ReasonTerminated           = "Terminated"
	// ReasonRetrying: a failed step waits for its retry (spec.retry).
	ReasonRetrying = "Retrying"
	// ReasonConflict: another operation of the same application runs and
	// spec.concurrencyPolicy is Forbid.
	ReasonConflict = "Conflict"
)
