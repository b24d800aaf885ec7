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

// StepPhase is the result of one step.
// +kubebuilder:validation:Enum=Pending;Running;Succeeded;Failed;Skipped
type StepPhase string

// The step results.
const (
	StepPending   StepPhase = "Pending"
	StepRunning   StepPhase = "Running"
	StepSucceeded StepPhase = "Succeeded"
	StepFailed    StepPhase = "Failed"
	// StepSkipped is a step that never ran: the SyncFail steps of an
	// operation that did not fail, the steps after a failed one.
	StepSkipped StepPhase = "Skipped"
)

// StepResult counts the tasks of one step of the plan. status.steps has one
// entry per step, SyncFail steps included, so that every task is counted
// even when status.resources lists only the tasks worth a look.
type StepResult struct {
	// phase of the step.
	// +required
	Phase SyncPhase `json:"phase"`

	// wave of the step.
	// +required
	Wave int32 `json:"wave"`

	// tasks is the number of tasks of the step (hooks included).
	// +required
	Tasks int32 `json:"tasks"`

	// synced is the number of tasks applied (or hooks created).
	// +optional
	Synced int32 `json:"synced"`

	// healthy is the number of tasks done: objects Healthy, hooks Succeeded.
	// +optional
	Healthy int32 `json:"healthy"`

	// result is Pending, Running, Succeeded, Failed or Skipped (never ran:
	// the SyncFail steps of an operation that did not fail, and the steps
	// after a failed one).
	// +optional
	Result StepPhase `json:"result,omitempty"`

	// startedAt is when the step started.
	// +optional
	StartedAt *metav1.MicroTime `json:"startedAt,omitempty"`

	// finishedAt is when the step ended.
	// +optional
	FinishedAt *metav1.MicroTime `json:"finishedAt,omitempty"`

	// retries is how many times the step was tried again (spec.retry).
	// +optional
	Retries int32 `json:"retries,omitempty"`
}

// SnapshotRef names the pinned plan of an operation: an immutable
// ConfigMap (a Secret when any source is a Secret) that the operation owns.
type SnapshotRef struct {
	// kind is ConfigMap or Secret.
	// +required
	// +kubebuilder:validation:Enum=ConfigMap;Secret
	Kind string `json:"kind"`

	// name of the first object of the snapshot, in the operation's
	// namespace. A large plan is split over parts named <name>-1, <name>-2...
	// +required
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// parts is the number of objects the snapshot is split over.
	// +optional
	Parts int32 `json:"parts,omitempty"`

	// digest of the manifests (the same as planDigest).
	// +required
	// +kubebuilder:validation:MaxLength=80
	Digest string `json:"digest"`
}
