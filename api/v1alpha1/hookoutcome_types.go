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

// HookOutcome is what a finished Job or Pod hook left behind, recorded
// before any delete policy removes it (SPEC §6 "Hook outcome kept"): the
// pod that ran it, how its container ended and the last lines of its log.
type HookOutcome struct {
	// pod is the name of the pod the outcome was read from (for a Job, its
	// latest pod of the same result).
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Pod string `json:"pod,omitempty"`

	// container is the container whose end and log are shown: the first
	// that failed, or the first that ended for a hook that succeeded.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Container string `json:"container,omitempty"`

	// reason is the container's termination reason (Error, OOMKilled,
	// Completed...), or the pod's when no container ended (DeadlineExceeded,
	// Evicted).
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Reason string `json:"reason,omitempty"`

	// exitCode is the container's exit code.
	// +optional
	ExitCode *int32 `json:"exitCode,omitempty"`

	// log is the end of the container's log: at most about 20 lines or
	// 2 KiB for a failed hook, 5 lines or 512 bytes for one that succeeded.
	// +optional
	// +kubebuilder:validation:MaxLength=4096
	Log string `json:"log,omitempty"`

	// message says what could not be read, and why (e.g. the logs are
	// forbidden to the operation's ServiceAccount).
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Message string `json:"message,omitempty"`
}
