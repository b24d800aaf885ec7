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
// +kubebuilder:validation:XValidation:rule="has(self.manifests) || has(self.sources) || (has(self.action) && self.action == 'Delete')",message="one of manifests or sources is required (a Delete operation may name none)"
// +kubebuilder:validation:XValidation:rule="!has(self.action) || self.action != 'Delete' || has(self.application)",message="a Delete operation needs spec.application: it tears that application down"
// +kubebuilder:validation:XValidation:rule="!has(self.prune) || !self.prune || has(self.application)",message="spec.prune needs spec.application: prune deletes what the application's previous operation applied"
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.terminate) || !oldSelf.terminate || (has(self.terminate) && self.terminate)",message="terminate cannot be unset once true"
// +kubebuilder:validation:XValidation:rule="has(self.manifests) == has(oldSelf.manifests) && has(self.sources) == has(oldSelf.sources) && has(self.targetNamespace) == has(oldSelf.targetNamespace) && has(self.serviceAccountName) == has(oldSelf.serviceAccountName) && has(self.timeout) == has(oldSelf.timeout) && has(self.waveTimeout) == has(oldSelf.waveTimeout) && has(self.degradedGracePeriod) == has(oldSelf.degradedGracePeriod) && has(self.syncOptions) == has(oldSelf.syncOptions) && has(self.healthChecks) == has(oldSelf.healthChecks) && has(self.application) == has(oldSelf.application) && has(self.prune) == has(oldSelf.prune) && has(self.ttlSecondsAfterFinished) == has(oldSelf.ttlSecondsAfterFinished) && has(self.retry) == has(oldSelf.retry) && has(self.healthCheckExprs) == has(oldSelf.healthCheckExprs) && has(self.dryRun) == has(oldSelf.dryRun) && has(self.dependsOn) == has(oldSelf.dependsOn)",message="spec is immutable except terminate: create a new SyncOperation to sync again"
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

	// kubeConfig, when set, makes the operation act on another cluster: every
	// write, dry-run, read, watch, hook and prune goes to the cluster of the
	// kubeconfig in the named Secret (SPEC §12); the operation, its pinned
	// plan and its events stay on this cluster. serviceAccountName is then
	// impersonated on that cluster.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="kubeConfig is immutable"
	KubeConfig *KubeConfigReference `json:"kubeConfig,omitempty"`

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

	// dryRun validates, plans and server-side dry-runs every object, then
	// ends: status lists, per object, whether a sync would create, update
	// (and which fields) or leave it unchanged, and what prune would delete.
	// Nothing is written to any target and no hook is created.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="dryRun is immutable"
	DryRun bool `json:"dryRun,omitempty"`

	// retry re-runs a failed operation from the step that failed, after a
	// backoff; the hooks of that step run again, with new names. A
	// terminated operation, invalid manifests and the operation's own
	// timeout are not retried.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="retry is immutable"
	Retry *RetryStrategy `json:"retry,omitempty"`

	// application is the tracking name of the application this operation
	// syncs (a label value, unique per namespace). Applied objects and hooks
	// get the label syncwave.dev/application with it; at most one operation
	// of an application runs at a time (concurrencyPolicy), prune and Delete
	// work on the application's inventory, and --history-limit keeps the
	// newest finished operations of each application.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="application is immutable"
	Application string `json:"application,omitempty"`

	// action is Sync (apply the manifests) or Delete (tear the application
	// down: PreDelete hooks of the manifests, then every object of the
	// application's inventory deleted in reverse order, then PostDelete
	// hooks).
	// +optional
	// +kubebuilder:default=Sync
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="action is immutable"
	Action Action `json:"action,omitempty"`

	// concurrencyPolicy says what happens when another operation of the
	// same application is running or queued ahead: Queue (default) waits
	// for it, in creation order; Replace terminates it first; Forbid fails
	// this operation at once with reason Conflict.
	// +optional
	// +kubebuilder:default=Queue
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="concurrencyPolicy is immutable"
	ConcurrencyPolicy ConcurrencyPolicy `json:"concurrencyPolicy,omitempty"`

	// dependsOn keeps the operation Pending until the latest operation of
	// each named application has Succeeded and its readyExpr, when given,
	// is true. A dependency that failed or does not exist keeps it Pending
	// until its timeout; a cycle of dependencies is refused.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="dependsOn is immutable"
	DependsOn []ApplicationDependency `json:"dependsOn,omitempty"`

	// prune deletes, after the last Sync step, the objects of the
	// application's inventory that this operation no longer contains (what
	// its last successful operation applied, and what an operation that
	// failed after it wrote): highest wave first, PruneLast ones last. A live
	// object with the sync option Prune=false is kept (PruneSkipped).
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="prune is immutable"
	Prune bool `json:"prune,omitempty"`

	// ttlSecondsAfterFinished deletes the operation this many seconds after
	// it finished. The newest Succeeded operation of an application is kept
	// all the same, and so is a Failed one after it that holds the
	// application's inventory: the next prune needs it.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="ttlSecondsAfterFinished is immutable"
	TTLSecondsAfterFinished *int32 `json:"ttlSecondsAfterFinished,omitempty"`

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

	// healthCheckExprs are per-operation CEL health checks in Flux
	// kustomize-controller's format and with its meaning: for the resources
	// of an apiVersion's group (and kind), inProgress, failed and current
	// expressions over the object's top-level fields, e.g.
	// "status.phase == 'Running'". Like healthChecks they win over the
	// controller's health ConfigMap and the built-in checks; for one kind,
	// a Lua check of healthChecks wins over a CEL one. An expression that
	// does not compile fails the operation when it starts.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=100
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="healthCheckExprs is immutable"
	HealthCheckExprs []HealthCheckExpr `json:"healthCheckExprs,omitempty"`
}

// HealthCheck is a Lua health script for one group and kind, in Argo CD's
// format: the script reads the global obj and returns {status, message}.
type HealthCheck struct {
	// group of the resource, without its version ("apps", not
	// "apps/v1"); empty for the core group; * is a wildcard.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9.*-]*$`
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

// HealthCheckExpr is a CEL health check for the resources of one group (and
// kind), in Flux kustomize-controller's healthCheckExprs format. The
// expressions see the object's top-level fields (apiVersion, kind, metadata,
// spec, status, ...) as variables. When status.observedGeneration differs from
// metadata.generation the resource is Progressing; otherwise inProgress is
// evaluated first (true: Progressing), then failed (true: Degraded), then
// current (true: Healthy); when none is true the resource is Progressing. An
// expression that fails to evaluate (a missing field, say) gives Unknown with
// the error, and the step waits.
type HealthCheckExpr struct {
	// apiVersion of the resources to check. Only its group is matched: the
	// entry applies to every version of the resource.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=317
	APIVersion string `json:"apiVersion"`

	// kind of the resources to check. Omitted, the entry applies to every
	// kind of the group; an entry with a kind wins over such an entry.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Kind string `json:"kind,omitempty"`

	// current is true when the resource is ready (Healthy).
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	Current string `json:"current"`

	// failed is true when the resource failed (Degraded).
	// +optional
	// +kubebuilder:validation:MaxLength=4096
	Failed string `json:"failed,omitempty"`

	// inProgress is true while the resource is still being reconciled
	// (Progressing).
	// +optional
	// +kubebuilder:validation:MaxLength=4096
	InProgress string `json:"inProgress,omitempty"`
}

// SyncOperation runs one orchestrated sync: it applies its manifests phase by
// phase (PreSync, Sync, PostSync) and wave by wave, waits for health between
// steps, runs hooks, and runs the SyncFail hooks when anything fails. Like a
// Job, it runs once to a terminal phase.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=syncop;syncops,categories=syncwave
// +kubebuilder:selectablefield:JSONPath=`.spec.application`
// +kubebuilder:printcolumn:name="Application",type=string,JSONPath=".spec.application",priority=1
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
