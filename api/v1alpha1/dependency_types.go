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

// ApplicationDependency names an application whose latest SyncOperation
// must have Succeeded before this operation starts (SPEC §13).
type ApplicationDependency struct {
	// application is the spec.application of the operations depended on.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`
	Application string `json:"application"`
	// namespace of those operations; empty means this operation's own.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Namespace string `json:"namespace,omitempty"`
	// readyExpr is an optional CEL expression that must also be true: it
	// sees dep (the dependency's latest SyncOperation, Succeeded) and self
	// (this SyncOperation) as objects, e.g.
	// "dep.status.finishedAt > self.metadata.creationTimestamp".
	// +optional
	// +kubebuilder:validation:MaxLength=4096
	ReadyExpr string `json:"readyExpr,omitempty"`
}

// ReasonInvalidDependencies: spec.dependsOn forms a cycle, or a readyExpr
// does not compile; the operation never starts.
const ReasonInvalidDependencies = "InvalidDependencies"
