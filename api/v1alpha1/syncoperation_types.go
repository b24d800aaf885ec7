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

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// MaxObjects is the largest number of objects one SyncOperation may contain.
const MaxObjects = 10000

// MaxBlockedBy is the largest number of entries in status.blockedBy.
const MaxBlockedBy = 20

// SyncOperationSpec names the manifests to sync and how. Every field except
// terminate is immutable: to sync again, create a new SyncOperation.
// +kubebuilder:validation:XValidation:rule="has(self.manifests) || has(self.sources)",message="one of manifests or sources is required"
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.terminate) || !oldSelf.terminate || (has(self.terminate) && self.terminate)",message="terminate cannot be unset once true"
// +kubebuilder:validation:XValidation:rule="has(self.manifests) == has(oldSelf.manifests) && has(self.sources) == has(oldSelf.sources) && has(self.targetNamespace) == has(oldSelf.targetNamespace) && has(self.serviceAccountName) == has(oldSelf.serviceAccountName) && has(self.timeout) == has(oldSelf.timeout) && has(self.waveTimeout) == has(oldSelf.waveTimeout) && has(self.degradedGracePeriod) == has(oldSelf.degradedGracePeriod) && has(self.syncOptions) == has(oldSelf.syncOptions) && has(self.healthChecks) == has(oldSelf.healthChecks)",message="spec is immutable except terminate: create a new SyncOperation to sync again"
type SyncOperationSpec struct {
	// manifests are inline Kubernetes objects, each a whole object with
	// apiVersion, kind and metadata.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=10000
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="manifests is immutable"
	Manifests []runtime.RawExtension `json:"manifests,omitempty"`

	// sources reference ConfigMaps and Secrets in the operation's namespace
	// whose data hold YAML or JSON manifests (multi-document YAML and List
	// kinds are accepted). They are read in list order.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=100
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="sources is immutable"
	Sources []ManifestSource `json:"sources,omitempty"`

	// targetNamespace is the namespace given to namespaced objects that do
	// not name one. Defaults to the operation's namespace.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="targetNamespace is immutable"
	TargetNamespace string `json:"targetNamespace,omitempty"`

	// serviceAccountName, when set, is impersonated
	// (system:serviceaccount:<operation namespace>:<name>) for every read and
	// write of target objects.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="serviceAccountName is immutable"
	ServiceAccountName string `json:"serviceAccountName,omitempty"`

	// timeout bounds the whole operation. On expiry the SyncFail hooks run
	// and the operation ends Failed with reason Timeout. Defaults to the
	// controller's --default-timeout (1h).
	// +optional
	// +kubebuilder:validation:XValidation:rule="duration(self) > duration('0s')",message="timeout must be positive"
	// +kubebuilder:validation:XValidation:rule="duration(self) == duration(oldSelf)",message="timeout is immutable"
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// waveTimeout bounds each step (one phase and wave). Unset means each
	// step is bounded only by timeout.
	// +optional
	// +kubebuilder:validation:XValidation:rule="duration(self) > duration('0s')",message="waveTimeout must be positive"
	// +kubebuilder:validation:XValidation:rule="duration(self) == duration(oldSelf)",message="waveTimeout is immutable"
	WaveTimeout *metav1.Duration `json:"waveTimeout,omitempty"`

	// degradedGracePeriod is how long a non-hook resource may stay Degraded
	// before its step fails. A failed hook fails its step at once.
	// +optional
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('0s')",message="degradedGracePeriod must not be negative"
	// +kubebuilder:validation:XValidation:rule="duration(self) == duration(oldSelf)",message="degradedGracePeriod is immutable"
	DegradedGracePeriod *metav1.Duration `json:"degradedGracePeriod,omitempty"`

	// syncOptions are Argo CD sync option strings ("Name=value") applied to
	// every resource, e.g. ServerSideApply=true or CreateNamespace=true. The
	// argocd.argoproj.io/sync-options annotation of a resource overrides them.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=128
	// +kubebuilder:validation:items:Pattern=`^\s*[A-Za-z][A-Za-z0-9]*\s*=[^,]*$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="syncOptions is immutable"
	SyncOptions []string `json:"syncOptions,omitempty"`

	// terminate, when set to true, aborts the operation in any phase:
	// running hooks are deleted, no new step starts, no SyncFail hook runs,
	// and the operation ends Failed with reason Terminated. Objects already
	// applied stay; a Pending operation applies nothing. It is the only
	// mutable field, and it can only go from false to true.
	// +optional
	Terminate bool `json:"terminate,omitempty"`

	// healthChecks are per-operation Lua health checks. They win over the
	// controller's health ConfigMap and the built-in checks.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=100
	// +kubebuilder:validation:XValidation:rule="self.all(x, self.exists_one(y, y.kind == x.kind && (has(y.group) ? y.group : '') == (has(x.group) ? x.group : '')))",message="healthChecks has two entries for one group and kind"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="healthChecks is immutable"
	HealthChecks []HealthCheck `json:"healthChecks,omitempty"`
}

// ManifestSource references one object that holds manifests. Exactly one of
// configMapRef and secretRef is set.
// +kubebuilder:validation:XValidation:rule="has(self.configMapRef) != has(self.secretRef)",message="exactly one of configMapRef or secretRef is required"
type ManifestSource struct {
	// configMapRef names a ConfigMap in the operation's namespace.
	// +optional
	ConfigMapRef *KeyReference `json:"configMapRef,omitempty"`

	// secretRef names a Secret in the operation's namespace.
	// +optional
	SecretRef *KeyReference `json:"secretRef,omitempty"`
}

// KeyReference names an object in the operation's namespace and one of its
// data keys.
type KeyReference struct {
	// name of the ConfigMap or Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// key of the data entry to read. Empty means every key, in sorted order.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]*$`
	Key string `json:"key,omitempty"`
}

// HealthCheck is a Lua health script for one group and kind, in Argo CD's
// format: the script reads the global obj and returns {status, message}.
type HealthCheck struct {
	// group of the resource; empty for the core group.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Group string `json:"group,omitempty"`

	// kind of the resource (* is a wildcard).
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9*]+$`
	Kind string `json:"kind"`

	// lua is the health script.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=65536
	Lua string `json:"lua"`

	// useOpenLibs opens the standard Lua libraries for this script, like
	// Argo CD's resource.customizations.useOpenLibs key (still sandboxed).
	// +optional
	UseOpenLibs bool `json:"useOpenLibs,omitempty"`
}

// SyncOperation runs one orchestrated sync: it applies its manifests phase by
// phase (PreSync, Sync, PostSync) and wave by wave, waits for health between
// steps, runs hooks, and runs the SyncFail hooks when anything fails. Like a
// Job, it runs once to a terminal phase.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=syncop;syncops,categories=syncwave
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=".status.phase"
// +kubebuilder:printcolumn:name="Step",type=string,JSONPath=".status.step"
// +kubebuilder:printcolumn:name="Progress",type=string,JSONPath=".status.progress"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"
type SyncOperation struct {
	metav1.TypeMeta `json:",inline"`

	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// spec names the manifests and how to sync them.
	// +required
	Spec SyncOperationSpec `json:"spec"`

	// status is the observed progress.
	// +optional
	Status SyncOperationStatus `json:"status,omitzero"`
}

// SyncOperationList is a list of SyncOperations.
// +kubebuilder:object:root=true
type SyncOperationList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []SyncOperation `json:"items"`
}
