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
const MaxObjects = 2000

// MaxBlockedBy is the largest number of entries in status.blockedBy.
const MaxBlockedBy = 20

// SyncOperationSpec names the manifests to sync and how. Every field except
// terminate is immutable: to sync again, create a new SyncOperation.
// +kubebuilder:validation:XValidation:rule="has(self.manifests) || has(self.sources)",message="one of manifests or sources is required"
// +kubebuilder:validation:XValidation:rule="has(self.manifests) == has(oldSelf.manifests) && has(self.sources) == has(oldSelf.sources) && has(self.targetNamespace) == has(oldSelf.targetNamespace) && has(self.serviceAccountName) == has(oldSelf.serviceAccountName) && has(self.timeout) == has(oldSelf.timeout) && has(self.waveTimeout) == has(oldSelf.waveTimeout) && has(self.degradedGracePeriod) == has(oldSelf.degradedGracePeriod) && has(self.syncOptions) == has(oldSelf.syncOptions) && has(self.healthChecks) == has(oldSelf.healthChecks)",message="spec is immutable except terminate: create a new SyncOperation to sync again"
type SyncOperationSpec struct {
	// manifests are inline Kubernetes objects, each a whole object with
	// apiVersion, kind and metadata.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=2000
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
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="targetNamespace is immutable"
	TargetNamespace string `json:"targetNamespace,omitempty"`

	// serviceAccountName, when set, is impersonated
	// (system:serviceaccount:<operation namespace>:<name>) for every read and
	// write of target objects.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="serviceAccountName is immutable"
	ServiceAccountName string `json:"serviceAccountName,omitempty"`

	// timeout bounds the whole operation. On expiry the SyncFail hooks run
	// and the operation ends Failed with reason Timeout. Defaults to the
	// controller's --default-timeout (1h).
	// +optional
	// +kubebuilder:validation:XValidation:rule="duration(self) == duration(oldSelf)",message="timeout is immutable"
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// waveTimeout bounds each step (one phase and wave). Unset means each
	// step is bounded only by timeout.
	// +optional
	// +kubebuilder:validation:XValidation:rule="duration(self) == duration(oldSelf)",message="waveTimeout is immutable"
	WaveTimeout *metav1.Duration `json:"waveTimeout,omitempty"`

	// degradedGracePeriod is how long a non-hook resource may stay Degraded
	// before its step fails. A failed hook fails its step at once.
	// +optional
	// +kubebuilder:validation:XValidation:rule="duration(self) == duration(oldSelf)",message="degradedGracePeriod is immutable"
	DegradedGracePeriod *metav1.Duration `json:"degradedGracePeriod,omitempty"`

	// syncOptions are Argo CD sync option strings ("Name=value") applied to
	// every resource, e.g. ServerSideApply=true or CreateNamespace=true. The
	// argocd.argoproj.io/sync-options annotation of a resource overrides them.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=128
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="syncOptions is immutable"
	SyncOptions []string `json:"syncOptions,omitempty"`

	// terminate, when set to true, aborts a running operation: running hooks
	// are deleted, no new step starts, no SyncFail hook runs, and the
	// operation ends Failed with reason Terminated. Objects already applied
	// stay. It is the only mutable field.
	// +optional
	Terminate bool `json:"terminate,omitempty"`

	// healthChecks are per-operation Lua health checks. They win over the
	// controller's health ConfigMap and the built-in checks.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=100
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
	Name string `json:"name"`

	// key of the data entry to read. Empty means every key, in sorted order.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key,omitempty"`
}

// HealthCheck is a Lua health script for one group and kind, in Argo CD's
// format: the script reads the global obj and returns {status, message}.
type HealthCheck struct {
	// group of the resource; empty for the core group.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Group string `json:"group,omitempty"`

	// kind of the resource.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
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

	// released is true once the controller removed its finalizer from a
	// finished hook (and deleted the hook when its delete policy says so).
	// +optional
	Released bool `json:"released,omitempty"`
}

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

	// startedAt is when the operation started running.
	// +optional
	StartedAt *metav1.Time `json:"startedAt,omitempty"`

	// finishedAt is when the operation reached a terminal phase.
	// +optional
	FinishedAt *metav1.Time `json:"finishedAt,omitempty"`

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

	// resources has one entry per task, in plan order.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=10000
	Resources []ResourceStatus `json:"resources,omitempty"`

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
