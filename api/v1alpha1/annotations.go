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

import "strings"

// Annotation and label keys that syncwave reads from manifests or writes on
// the objects it manages. The Argo CD and Helm keys are read unchanged so
// that existing manifests work as they are.
const (
	// AnnotationSyncWave is the integer wave of an object inside its phase.
	AnnotationSyncWave = "argocd.argoproj.io/sync-wave"
	// AnnotationHook is a comma list of HookType values.
	AnnotationHook = "argocd.argoproj.io/hook"
	// AnnotationHookDeletePolicy is a comma list of HookDeletePolicy values.
	AnnotationHookDeletePolicy = "argocd.argoproj.io/hook-delete-policy"
	// AnnotationSyncOptions is a comma list of per-resource sync options.
	AnnotationSyncOptions = "argocd.argoproj.io/sync-options"

	// AnnotationHelmHook is Helm's hook annotation (pre-install, post-upgrade, ...).
	AnnotationHelmHook = "helm.sh/hook"
	// AnnotationHelmHookWeight is Helm's hook weight, used as the wave.
	AnnotationHelmHookWeight = "helm.sh/hook-weight"
	// AnnotationHelmHookDeletePolicy is Helm's hook delete policy.
	AnnotationHelmHookDeletePolicy = "helm.sh/hook-delete-policy"
	// AnnotationHelmResourcePolicy "keep" on a live object keeps it from
	// prune and teardown, as helm upgrade and helm uninstall keep it.
	AnnotationHelmResourcePolicy = "helm.sh/resource-policy"

	// AnnotationOperation is written on every applied object and hook:
	// "<namespace>/<name>" of the SyncOperation that applied it.
	AnnotationOperation = "syncwave.dev/operation"
	// LabelManaged is written on every applied object and hook so that the
	// controller can watch exactly the objects it manages.
	LabelManaged = "syncwave.dev/managed"
	// LabelOperationUID is written on hooks: the UID of the SyncOperation.
	LabelOperationUID = "syncwave.dev/operation-uid"
	// AnnotationTerminatedBy is written by the controller on a
	// SyncOperation that it terminates for another one's
	// concurrencyPolicy Replace, with spec.terminate: "<namespace>/<name>"
	// of that operation, which the termination message names.
	AnnotationTerminatedBy = "syncwave.dev/terminated-by"

	// AnnotationHealth set to HealthExists makes the object Healthy as soon
	// as it exists, whatever its status says.
	AnnotationHealth = "syncwave.dev/health"
	// HealthExists is the value of AnnotationHealth that trusts existence.
	HealthExists = "exists"
	// AnnotationStatusGrace is a duration ("30s"): how long a custom
	// resource whose CRD declares a status subresource, and whose status says
	// nothing yet, waits for its controller's first status write before it
	// counts as Healthy. It overrides the controller's --status-grace.
	AnnotationStatusGrace = "syncwave.dev/status-grace"
	// AnnotationDependsOn is a comma list of "[group/]Kind/[namespace/]name":
	// objects of the same step that must be healthy (hooks: succeeded)
	// before this one is applied.
	AnnotationDependsOn = "syncwave.dev/depends-on"

	// HookFinalizer keeps a running hook in place until its result is recorded.
	HookFinalizer = "syncwave.dev/hook"
	// OperationFinalizer lets the controller remove hooks in other namespaces
	// when a SyncOperation is deleted.
	OperationFinalizer = "syncwave.dev/cleanup"

	// FieldManager is the server-side apply field manager of every write.
	FieldManager = "syncwave"
)

// SyncPhase is one of the phases an operation runs through.
// +kubebuilder:validation:Enum=PreSync;Sync;PostSync;SyncFail;PreDelete;Prune;PruneLast;PostDelete
type SyncPhase string

// The sync phases, in execution order; SyncFail runs only on failure.
const (
	SyncPhasePreSync  SyncPhase = "PreSync"
	SyncPhaseSync     SyncPhase = "Sync"
	SyncPhasePostSync SyncPhase = "PostSync"
	SyncPhaseSyncFail SyncPhase = "SyncFail"
	// SyncPhasePreDelete runs the PreDelete hooks of a Delete operation.
	SyncPhasePreDelete SyncPhase = "PreDelete"
	// SyncPhasePrune deletes objects of the application's inventory: in a
	// Sync operation with spec.prune those it no longer contains (after
	// the last Sync step), in a Delete operation all of them; highest wave
	// first, one step per wave.
	SyncPhasePrune SyncPhase = "Prune"
	// SyncPhasePruneLast deletes, after every other prune, the objects
	// with PruneLast=true (wave 0), then Namespaces and CRDs (wave 1).
	SyncPhasePruneLast SyncPhase = "PruneLast"
	// SyncPhasePostDelete runs the PostDelete hooks of a Delete operation,
	// once every object of the inventory is gone.
	SyncPhasePostDelete SyncPhase = "PostDelete"
)

// Deletes reports whether the phase deletes objects instead of applying them.
func (p SyncPhase) Deletes() bool { return p == SyncPhasePrune || p == SyncPhasePruneLast }

// String returns the phase name.
func (p SyncPhase) String() string { return string(p) }

// HookType is a value of the argocd.argoproj.io/hook annotation.
type HookType string

// The hook types. Skip means the object is never applied.
const (
	HookTypePreSync  HookType = "PreSync"
	HookTypeSync     HookType = "Sync"
	HookTypePostSync HookType = "PostSync"
	HookTypeSyncFail HookType = "SyncFail"
	HookTypeSkip     HookType = "Skip"
	// HookTypePreDelete and HookTypePostDelete run only in Delete
	// operations (spec.action: Delete), before anything is deleted and
	// after everything is gone; Helm's pre-delete and post-delete map to them.
	HookTypePreDelete  HookType = "PreDelete"
	HookTypePostDelete HookType = "PostDelete"
)

// HookDeletePolicy is a value of the argocd.argoproj.io/hook-delete-policy annotation.
type HookDeletePolicy string

// The hook delete policies. BeforeHookCreation is the default.
const (
	HookDeletePolicyBeforeHookCreation HookDeletePolicy = "BeforeHookCreation"
	HookDeletePolicyHookSucceeded      HookDeletePolicy = "HookSucceeded"
	HookDeletePolicyHookFailed         HookDeletePolicy = "HookFailed"
)

// Sync option names understood in spec.syncOptions and in the
// argocd.argoproj.io/sync-options annotation ("Name=true|false").
const (
	SyncOptionServerSideApply             = "ServerSideApply"
	SyncOptionReplace                     = "Replace"
	SyncOptionValidate                    = "Validate"
	SyncOptionSkipDryRunOnMissingResource = "SkipDryRunOnMissingResource"
	SyncOptionCreateNamespace             = "CreateNamespace"
	SyncOptionPrune                       = "Prune"
	// SyncOptionDelete=false on a live object keeps it when its
	// application is torn down (spec.action: Delete), as Argo CD keeps it
	// when the Application is deleted; a prune still deletes it.
	SyncOptionDelete = "Delete"
	// SyncOptionFailOnSharedResource=true refuses, at the start, an
	// object that another application manages (its live object has
	// another syncwave.dev/application label), as in Argo CD; without
	// it the object is taken over, with a SharedResource warning event.
	SyncOptionFailOnSharedResource = "FailOnSharedResource"
	// SyncOptionForce=true with Replace=true deletes an existing object
	// and creates it again (kubectl replace --force), for fields that
	// cannot change in place (a Job's template, a selector).
	SyncOptionForce = "Force"
	// SyncOptionPrunePropagationPolicy (foreground, background or orphan,
	// as in Argo CD) is the propagation policy of the deletions of prune
	// and teardown; default foreground.
	SyncOptionPrunePropagationPolicy = "PrunePropagationPolicy"
)

// knownSyncOptions are the sync option names syncwave acts on, and Argo
// CD's that need nothing here (ApplyOutOfSyncOnly: only what changed is
// applied, which a server-side apply of everything also gives).
var knownSyncOptions = map[string]bool{
	SyncOptionServerSideApply: true, SyncOptionReplace: true, SyncOptionValidate: true,
	SyncOptionSkipDryRunOnMissingResource: true, SyncOptionCreateNamespace: true, SyncOptionPrune: true,
	SyncOptionPruneLast: true, SyncOptionDelete: true, SyncOptionFailOnSharedResource: true, SyncOptionForce: true,
	SyncOptionPrunePropagationPolicy: true,
	"ApplyOutOfSyncOnly":             true, "RespectIgnoreDifferences": true, "ClientSideApplyMigration": true,
}

// KnownSyncOption reports whether name is a sync option syncwave knows.
func KnownSyncOption(name string) bool { return knownSyncOptions[name] }

// ParseSyncOptions parses "Name=value" items into a map. Items without "="
// are returned in bad, so that callers can report them.
func ParseSyncOptions(items []string) (opts map[string]string, bad []string) {
	opts = map[string]string{}
	for _, it := range items {
		it = strings.TrimSpace(it)
		if it == "" {
			continue
		}
		k, v, ok := strings.Cut(it, "=")
		if !ok || strings.TrimSpace(k) == "" {
			bad = append(bad, it)
			continue
		}
		opts[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return opts, bad
}
