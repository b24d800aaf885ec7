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

// LabelApplication is the label that ties a live object to the
// application (spec.application) whose operations apply it. It marks the
// objects a diff with --application lists as prune candidates when the
// manifests no longer contain them; the application's inventory, not this
// label, decides what a sync actually prunes.
const LabelApplication = "syncwave.dev/application"

// Action is what an operation does with its application.
// +kubebuilder:validation:Enum=Sync;Delete
type Action string

// The actions.
const (
	// ActionSync applies the manifests (the default).
	ActionSync Action = "Sync"
	// ActionDelete tears the application down.
	ActionDelete Action = "Delete"
)

// ConcurrencyPolicy says what a new operation does while another operation
// of its application runs or is queued ahead of it.
// +kubebuilder:validation:Enum=Queue;Replace;Forbid
type ConcurrencyPolicy string

// The concurrency policies.
const (
	// ConcurrencyQueue waits, Pending, until the operations ahead finished.
	ConcurrencyQueue ConcurrencyPolicy = "Queue"
	// ConcurrencyReplace terminates the operations ahead, then starts.
	ConcurrencyReplace ConcurrencyPolicy = "Replace"
	// ConcurrencyForbid fails at once with reason Conflict.
	ConcurrencyForbid ConcurrencyPolicy = "Forbid"
)

// IsDelete reports whether the operation tears its application down.
func (s *SyncOperationSpec) IsDelete() bool { return s.Action == ActionDelete }

// SyncOptionPruneLast is the sync option that prunes an object after every
// other prune of the operation, in a final step.
const SyncOptionPruneLast = "PruneLast"
