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

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// OperationPhase is the lifecycle phase of a SyncOperation.
// +kubebuilder:validation:Enum=Pending;Running;Terminating;Succeeded;Failed
type OperationPhase string

// The operation phases. Succeeded and Failed are terminal.
const (
	OperationPending     OperationPhase = "Pending"
	OperationRunning     OperationPhase = "Running"
	OperationTerminating OperationPhase = "Terminating"
	OperationSucceeded   OperationPhase = "Succeeded"
	OperationFailed      OperationPhase = "Failed"
)

// Terminal reports whether the phase is final.
func (p OperationPhase) Terminal() bool {
	return p == OperationSucceeded || p == OperationFailed
}

// ResultStatus is the sync result of one resource.
// +kubebuilder:validation:Enum=Pending;Synced;SyncFailed;Pruned;PruneSkipped;Skipped
type ResultStatus string

// The resource results.
const (
	ResultPending      ResultStatus = "Pending"
	ResultSynced       ResultStatus = "Synced"
	ResultSyncFailed   ResultStatus = "SyncFailed"
	ResultPruned       ResultStatus = "Pruned"
	ResultPruneSkipped ResultStatus = "PruneSkipped"
	ResultSkipped      ResultStatus = "Skipped"
)

// HookPhase is the progress of one hook.
// +kubebuilder:validation:Enum=Pending;Running;Succeeded;Failed
type HookPhase string

// The hook phases.
const (
	HookPending   HookPhase = "Pending"
	HookRunning   HookPhase = "Running"
	HookSucceeded HookPhase = "Succeeded"
	HookFailed    HookPhase = "Failed"
)

// HealthStatus is the health of one resource.
// +kubebuilder:validation:Enum=Healthy;Progressing;Degraded;Suspended;Missing;Unknown
type HealthStatus string

// The health statuses (Argo CD's codes, so Argo CD health scripts port 1:1).
const (
	HealthHealthy     HealthStatus = "Healthy"
	HealthProgressing HealthStatus = "Progressing"
	HealthDegraded    HealthStatus = "Degraded"
	HealthSuspended   HealthStatus = "Suspended"
	HealthMissing     HealthStatus = "Missing"
	HealthUnknown     HealthStatus = "Unknown"
)

// StepStatus names the step (phase and wave) that runs now.
type StepStatus struct {
	// phase of the step.
	// +required
	Phase SyncPhase `json:"phase"`

	// wave of the step.
	// +required
	Wave int32 `json:"wave"`

	// startedAt is when the step started.
	// +optional
	StartedAt *metav1.MicroTime `json:"startedAt,omitempty"`

	// message says why the step failed (in failedStep only).
	// +optional
	Message string `json:"message,omitempty"`
}

// ResourceRef identifies one object.
type ResourceRef struct {
	// group of the object; empty for the core group.
	// +optional
	Group string `json:"group,omitempty"`

	// version of the object.
	// +optional
	Version string `json:"version,omitempty"`

	// kind of the object.
	// +required
	Kind string `json:"kind"`

	// namespace of the object; empty for cluster-scoped objects.
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// name of the object.
	// +required
	Name string `json:"name"`
}

// BlockedResource is one resource that the current step waits for.
type BlockedResource struct {
	ResourceRef `json:",inline"`

	// health of the resource when last observed.
	// +optional
	Health HealthStatus `json:"health,omitempty"`

	// hookPhase of the resource when it is a hook.
	// +optional
	HookPhase HookPhase `json:"hookPhase,omitempty"`

	// message says why the resource is not done yet.
	// +optional
	Message string `json:"message,omitempty"`

	// since is when the resource entered its current health.
	// +optional
	Since *metav1.Time `json:"since,omitempty"`
}

// ResourceStatus is the result of one task of the plan.
type ResourceStatus struct {
	ResourceRef `json:",inline"`

	// syncPhase is the phase of the task.
	// +required
	SyncPhase SyncPhase `json:"syncPhase"`

	// wave is the wave of the task.
	// +required
	Wave int32 `json:"wave"`

	// hookType is set when the task is a hook.
	// +optional
	HookType HookType `json:"hookType,omitempty"`

	// status is the sync result of the task.
	// +optional
	Status ResultStatus `json:"status,omitempty"`

	// hookPhase is the progress of a hook.
	// +optional
	HookPhase HookPhase `json:"hookPhase,omitempty"`

	// health is the last observed health.
	// +optional
	Health HealthStatus `json:"health,omitempty"`

	// message explains the status or the health.
	// +optional
	Message string `json:"message,omitempty"`

	// healthSince is when the health last changed; it times
	// degradedGracePeriod.
	// +optional
	HealthSince *metav1.Time `json:"healthSince,omitempty"`

	// startedAt is when the task was applied or the hook created.
	// +optional
	StartedAt *metav1.MicroTime `json:"startedAt,omitempty"`

	// finishedAt is when the task was first observed healthy, or the hook
	// finished.
	// +optional
	FinishedAt *metav1.MicroTime `json:"finishedAt,omitempty"`

	// generation is the metadata.generation the apply returned; an observed
	// object older than that is not judged yet.
	// +optional
	Generation int64 `json:"generation,omitempty"`

	// change is what a sync would do to the object (spec.dryRun): Create,
	// Update, Unchanged, or Delete (prune).
	// +optional
	// +kubebuilder:validation:Enum=Create;Update;Unchanged;Delete
	Change Change `json:"change,omitempty"`

	// changedFields are the field paths an Update would change (at most 20).
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=20
	// +kubebuilder:validation:items:MaxLength=256
	ChangedFields []string `json:"changedFields,omitempty"`

	// released is true once the controller removed its finalizer from a
	// finished hook (and deleted the hook when its delete policy says so).
	// +optional
	Released bool `json:"released,omitempty"`

	// outcome is, for a finished Job or Pod hook, how its pod ended and the
	// end of its log, kept after the hook is deleted.
	// +optional
	Outcome *HookOutcome `json:"outcome,omitempty"`
}

// Change is what a sync would do to one object (spec.dryRun).
type Change string

// The changes a dry run reports.
const (
	ChangeCreate    Change = "Create"
	ChangeUpdate    Change = "Update"
	ChangeUnchanged Change = "Unchanged"
	ChangeDelete    Change = "Delete"
)

// Summary counts the resources of an operation.
type Summary struct {
	// total number of tasks.
	// +optional
	Total int32 `json:"total"`
	// synced is the number of tasks applied (or hooks created).
	// +optional
	Synced int32 `json:"synced"`
	// healthy is the number of non-hook tasks observed Healthy.
	// +optional
	Healthy int32 `json:"healthy"`
	// hooksSucceeded is the number of hooks that succeeded.
	// +optional
	HooksSucceeded int32 `json:"hooksSucceeded"`
	// hooksFailed is the number of hooks that failed.
	// +optional
	HooksFailed int32 `json:"hooksFailed"`
	// pruned is the number of objects deleted by prune or by a Delete
	// operation.
	// +optional
	Pruned int32 `json:"pruned"`
}

// SyncOperationStatus is the observed progress of a SyncOperation. It is the
// controller's only memory: a restarted controller continues from it.
type SyncOperationStatus struct {
	// observedGeneration is the generation last processed.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// phase is Pending, Running, Terminating, Succeeded or Failed.
	// +optional
	Phase OperationPhase `json:"phase,omitempty"`

	// admittedVersion is the operation's resourceVersion when the controller
	// first saw it (metadata.resourceVersion at creation, unless something
	// changed the operation before). Operations of an application created
	// in the same second (creationTimestamp has whole seconds) queue in
	// this order, which is the API server's order of their creation.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	AdmittedVersion string `json:"admittedVersion,omitempty"`

	// startedAt is when the operation started running.
	// +optional
	StartedAt *metav1.Time `json:"startedAt,omitempty"`

	// finishedAt is when the operation reached a terminal phase, to the
	// microsecond: it orders the history of an application.
	// +optional
	FinishedAt *metav1.MicroTime `json:"finishedAt,omitempty"`

	// message says what happens now or why the operation failed.
	// +optional
	Message string `json:"message,omitempty"`

	// current is the step that runs now.
	// +optional
	Current *StepStatus `json:"current,omitempty"`

	// step is the current step as "Phase/wave", for printing.
	// +optional
	Step string `json:"step,omitempty"`

	// progress is "done/total" tasks, for printing.
	// +optional
	Progress string `json:"progress,omitempty"`

	// failedStep is the step that failed, kept after SyncFail starts.
	// +optional
	FailedStep *StepStatus `json:"failedStep,omitempty"`

	// reason is the machine-readable reason of a failure.
	// +optional
	Reason string `json:"reason,omitempty"`

	// blockedBy lists what the current step waits for (at most 20).
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=20
	BlockedBy []BlockedResource `json:"blockedBy,omitempty"`

	// resources lists, in plan order, the tasks worth a person's look: every
	// hook that ran, tasks of the current step not done yet, failed and
	// degraded tasks. status.steps counts every task, and `kubectl syncwave
	// get` shows every row from the pinned plan.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=1000
	Resources []ResourceStatus `json:"resources,omitempty"`

	// steps has one entry per step of the plan, always complete.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=2000
	Steps []StepResult `json:"steps,omitempty"`

	// retryCount is how many times the operation was retried (spec.retry).
	// +optional
	RetryCount int32 `json:"retryCount,omitempty"`

	// retryAt is when the failed step is tried again.
	// +optional
	RetryAt *metav1.MicroTime `json:"retryAt,omitempty"`

	// revisions are the revisions of the Flux sources the operation read,
	// one per sourceRef in spec order.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=100
	Revisions []SourceRevision `json:"revisions,omitempty"`

	// snapshot names the pinned plan that every reconcile works from.
	// +optional
	Snapshot *SnapshotRef `json:"snapshot,omitempty"`

	// summary counts the resources.
	// +optional
	Summary *Summary `json:"summary,omitempty"`

	// conditions are Ready, Reconciling and Stalled, as kstatus defines them.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// planDigest is the digest of the manifests the operation started with.
	// +optional
	PlanDigest string `json:"planDigest,omitempty"`

	// controller is the identity of the controller replica that drives the
	// operation when replicas share the work (--sharding=dynamic). The
	// replica writes it, with the resourceVersion it read as a precondition,
	// before it acts, and clears it when the operation's application moves
	// to another replica; a finished operation keeps the last one. Empty
	// when the controller is not sharded.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Controller string `json:"controller,omitempty"`
}

// SourceRevision is the artifact of a Flux source that an operation read.
type SourceRevision struct {
	// source is Kind/namespace/name of the Flux source.
	// +kubebuilder:validation:MaxLength=400
	Source string `json:"source"`
	// revision of the artifact (e.g. main@sha1:..., latest@sha256:...).
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Revision string `json:"revision,omitempty"`
	// digest of the artifact, verified before it was unpacked.
	// +optional
	// +kubebuilder:validation:MaxLength=200
	Digest string `json:"digest,omitempty"`
}
