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

// Package plan turns manifests into an ordered, validated plan: phases
// (PreSync, Sync, PostSync and, on failure, SyncFail), waves inside each
// phase, and kinds, namespaces and names inside each wave. It is a pure
// function of its input: no cluster, no clock. The same manifests give the
// same plan on any machine.
//
// # Phases, waves and hooks
//
// A plain resource runs in the Sync phase. An object with the annotation
// argocd.argoproj.io/hook is a hook of every phase it lists, so
// "PreSync,PostSync" gives one task in each of the two phases; Sync hooks
// sit in the Sync phase next to the plain resources of their wave; SyncFail
// hooks go to Plan.OnFail and run only when the operation fails; PreDelete
// and PostDelete hooks go to Plan.OnDelete and run only in a Delete
// operation (Teardown); Skip (which cannot be combined with other types)
// puts the object in Plan.Skipped and it is never applied. Without the Argo
// CD annotation, helm.sh/hook maps pre-install and pre-upgrade to PreSync,
// post-install and post-upgrade to PostSync, pre-delete to PreDelete and
// post-delete to PostDelete; an object with only other Helm events (test,
// post-rollback, ...) is skipped, with the warning SW007. Helm 2's
// crd-install is not a hook event: such an object is a plain resource, as
// in Argo CD.
//
// # Applications: inventory, prune and teardown
//
// The inventory of a Succeeded operation (Inventory) is every plain
// resource of its plan with the phase and wave it had, plus the objects its
// own prune steps kept (Prune=false) and those it left in place without
// spec.prune (Plan.Kept: the PruneCandidates of an operation that does not
// prune, so that they stay the application's until a prune or teardown).
// PruneCandidates are the entries of the previous inventory that a new
// plan does not contain; AddPrune puts
// their deletion (tasks with Task.Prune) after the last Sync step, and
// Teardown builds a Delete operation's plan: PreDelete hooks, the deletion
// of the whole inventory, PostDelete hooks. PruneSteps orders deletions:
// one Prune step per wave, highest wave first, then PruneLast/0 (objects
// with PruneLast=true) and PruneLast/1 (Namespaces and CRDs, which take
// their contents along); inside a step in reverse kind order. The
// controller pins the result with the rest of the plan, so a restarted
// controller deletes exactly the same set.
//
// The wave is argocd.argoproj.io/sync-wave, else helm.sh/hook-weight, else
// 0; any 32-bit integer. The delete policies are
// argocd.argoproj.io/hook-delete-policy, else helm.sh/hook-delete-policy,
// else BeforeHookCreation. A hook that has only metadata.generateName gets
// that prefix as its ID name and Hook.GenerateName; plain resources need a
// name. The sync options of a task are Options.SyncOptions overridden name
// by name by argocd.argoproj.io/sync-options.
//
// # Order
//
// Steps run phase by phase (PreSync, Sync, PostSync), wave by wave
// ascending. Inside a step, tasks are ordered by kind (Helm's install order:
// Namespace, ServiceAccount, Secret, ConfigMap, ..., CRD, RBAC, Service,
// workloads, Job, Ingress, webhooks; other kinds after them by group and
// kind), then namespace, then name. A listed kind is matched by group and
// kind: serving.knative.dev/Service is a custom resource, ordered after
// the webhooks, not with the core Service. A plain Namespace moves to the step of
// the first object in it, and a plain CRD to the step of the first custom
// resource of its kind, when that step comes earlier than their own
// (Task.MovedAheadOf says so).
//
// # Dependencies inside a step
//
// syncwave.dev/depends-on lists objects as "[group/]Kind/[namespace/]name"
// (three parts are Kind/namespace/name when the first starts with an
// upper-case letter, else group/Kind/name; "core" is the empty group). A
// namespaced kind without a namespace gets the object's own namespace. The
// resolved IDs are Task.DependsOn; the engine applies the task only once
// each of them is Healthy (a hook: Succeeded). Every dependency must be a
// task of the same step (phase and wave); a reference to another step, to
// a skipped object or to nothing, and a cycle (each object of it named, in
// order) are validation errors on the depending object.
//
// # Namespaces
//
// Namespaced objects without a namespace get Options.DefaultNamespace.
// Cluster-scoped objects lose any namespace they name, as the API server
// would ignore it. Whether a kind is namespaced comes from
// Options.IsNamespaced, else from a CRD in the input, else from a table of
// well-known cluster-scoped kinds; anything else is namespaced.
//
// # Validation
//
// Build reports every problem of every object at once, as a
// *ValidationError: missing or malformed apiVersion, kind or name;
// annotations that are not strings; a wave that is not an integer or not a
// 32-bit one; unknown hook types, Skip combined with other types; unknown
// delete policies; malformed sync options; a namespaced object without a
// namespace and no default; the same object twice (plain resources by
// group, kind, namespace and name; hooks by that and phase; an object that
// is both a hook and a plain resource). Annotations are never guessed.
//
// # Lint
//
// Plan.Warnings are findings that do not stop a plan; kubectl-syncwave plan
// --strict turns them into errors. The codes are stable:
//
//   - SW001: a pod (of a hook or of a workload) uses a ServiceAccount,
//     Secret, ConfigMap or PersistentVolumeClaim (serviceAccountName,
//     volumes, envFrom, env.valueFrom) that the same operation creates only
//     in a later step: the pods cannot start and the step never completes,
//     e.g. a PreSync migration Job whose ServiceAccount is applied in the
//     Sync phase.
//   - SW002: a SyncFail hook uses such an object that the operation creates
//     after its first step: when the failure comes first, the hook cannot
//     run either.
//   - SW003: a hook Job without spec.activeDeadlineSeconds.
//   - SW004: a hook Job whose spec.backoffLimit is above 2 or unset (the
//     Kubernetes default is 6).
//   - SW005: a named hook whose delete policies lack BeforeHookCreation.
//   - SW006: a custom resource kind for which no health check is known
//     (Options.HasHealthCheck), reported once per kind.
//   - SW007: an object whose helm.sh/hook events have no sync equivalent;
//     it is skipped.
//   - SW008: a hook uses such an object that a prune step of the same
//     operation deletes before the hook runs, e.g. a PostDelete hook whose
//     ServiceAccount the teardown removed (added by AddPrune and Teardown,
//     which know the inventory).
//   - SW009: an object depends on a custom resource whose kind has no known
//     health check: that object counts as Healthy as soon as it exists, so
//     the dependency orders the writes but does not wait for readiness.
//   - SW010: a name in an object's argocd.argoproj.io/sync-options that
//     syncwave does not know (syncv1alpha1.KnownSyncOption), e.g. a typo
//     such as "Prun=false" or "prune=false": it has no effect. One in
//     Options.SyncOptions (spec.syncOptions) is a warning about no object
//     (a zero Warning.Resource), which the controller puts in a
//     PlanWarning event at the start.
package plan
