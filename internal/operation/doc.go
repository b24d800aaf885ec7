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

// Package operation is the engine of a SyncOperation: a state machine that
// runs the steps of a plan one at a time and keeps all of its memory in the
// operation's status.
//
// # Phases, waves and steps
//
// A plan (package plan) orders every task by phase (PreSync, Sync, PostSync),
// then by wave, then by kind, namespace and name. One (phase, wave) pair is a
// step. Steps run strictly one after the other: every non-hook object of the
// step is applied with server-side apply (kinds in order, objects of one kind
// in parallel), every hook of the step is created, and then the step waits
// until every non-hook object is Healthy and every hook has Succeeded. The
// next step starts in the same reconcile that observes the last object turn
// healthy: progress follows watch events, never a sleep or a polling period.
// The last step waits too. An object is judged from its live state only once
// that state is at least as new as the write (metadata.generation), and a
// step whose objects all come back healthy from the write itself (a
// ConfigMap, a Service, RBAC) advances in the same call. An object that
// cannot be read counts as Unknown, so the step's timeouts still apply, and
// is read again after a few seconds; one read with ErrUnwatched (from the
// API server, its informer not synced) is judged as read and also read
// again then, since no event will tell of its changes. Such a read that
// finds nothing (ErrAbsent) is the API server's word: a hook it does not
// have was deleted, and fails the step, as a hook seen and then gone does.
//
// # A graph inside a step
//
// A task with dependencies (plan.Task.DependsOn, objects of the same step)
// stays Pending until each of them is done: Healthy, or for a hook
// Succeeded. Scheduling is per object, not by layers: every call that
// judges the step applies each pending task whose own dependencies are
// done (ActionApply), so an object is written in the reconcile that sees
// its last dependency turn healthy. While it waits, its status entry and
// the Wait decision's blocked list name the dependency and its state. A
// dependency that comes back Healthy from its write (a ConfigMap) releases
// its dependents in the same call, each written as soon as the write of its
// own last dependency returns (at most Parallelism writes at once), so a
// chain of such objects is written in one call; a refused write stops it. Hooks of the step are created after the step's non-hook tasks
// that may start, and when their own dependencies are done. The record
// needs nothing new: a waiting task is Pending, and the compact status
// lists the current step's unfinished tasks, so Expand tells the applied
// tasks of a step that is not fully written from those still waiting.
//
// # Failure
//
// A step fails when an apply is rejected, when a hook fails, when a non-hook
// object stays Degraded longer than spec.degradedGracePeriod, when the step
// outlives spec.waveTimeout, or when the operation outlives spec.timeout.
// Then the SyncFail steps run, by wave like any phase, and the operation ends
// Failed with the reason of the first failure. A SyncFail step that fails is
// recorded in the message and the next SyncFail step still runs.
// spec.terminate stops an operation: running hooks are deleted, no SyncFail
// step runs, and the operation ends Failed with reason Terminated.
//
// # Hooks
//
// Hooks get a deterministic name per operation and phase when they only have
// metadata.generateName, carry the syncwave.dev/hook finalizer while they
// run (so one that someone deletes is observed to its end; a Job deleted
// before it finished has Failed, health.HookCompletion; a hook that was
// seen and is then gone, its finalizer removed by someone else, has
// Failed too, since no end of it can be observed any more), and are
// deleted by their delete policies only after their result is recorded in
// status (HookSucceeded and HookFailed are judged per hook, as
// soon as that hook finishes). The call that first sees a Job or Pod hook
// finish also records its outcome (OutcomeReader: the pod's termination
// reason, exit code and the bounded end of its log), in status and in the
// HookFailed event, so a delete policy never destroys the evidence. BeforeHookCreation deletes an object of the
// same name that this operation did not create before the hook is created.
// A finished hook whose release is refused (its finalizer cannot be
// removed, or it cannot be deleted) is tried again on every call, and the
// error is returned, but it does not hold back the steps or the deadlines.
//
// # What blocked
//
// A step that fails by Timeout or HealthDegraded asks the Explainer, once,
// about the object its failure waited for (the first unfinished entry of
// blockedBy, a Degraded one first; a hook that ended has its outcome
// instead): for a workload, what its blocking pod reports, or its latest
// Warning event when no pod could be created. The answer is appended to
// the failure's message, the failed step's message and the object's
// status.resources entry, from which blockedBy is derived once the
// operation ends (with the step's tasks as they ended, a failed hook
// Failed).
//
// # Retry and dry run
//
// With spec.retry, a step that fails (a rejected apply, a failed hook, an
// object Degraded past its grace, the step's own timeout) is not followed
// by the SyncFail steps while retries are left: status.retryAt records when
// it runs again (the exponential backoff of spec.retry), the operation
// waits for that time (a requeue; a restarted controller reads it back),
// then every task of the step is pending again and its hooks get new names
// (the step's retry count is part of them), so the failed hook is kept for
// inspection or deleted by its own policy. A start whose dry-run the API
// server refused is retried the same way (retryStart): the operation stays
// Pending with nothing applied until status.retryAt, then starts again,
// unless that would be past its timeout counted from its creation. The
// operation's own timeout, a termination and invalid input are never
// retried.
//
// With spec.dryRun, the start validates and dry-runs the plan as usual and
// then ends the operation: each task records the change a sync would make
// (Previewer: Create, Update with the changed fields, Unchanged; hooks are
// Create; a prune task is Delete, or Unchanged with the reason when its live
// object is gone or would be kept, as PrunePreviewer reads it), and no step
// runs, so nothing is written.
//
// # Terminate
//
// spec.terminate wins in every phase. An operation that has not started
// (Pending, no plan pinned) ends Failed/Terminated with nothing read or
// applied. A Pending one with a pinned plan may have lost the status write
// of a start that applied its first steps (to the very write that set
// spec.terminate): its hooks are found by label and deleted as for a
// running one, and reclaim records Synced each object whose live copy
// carries its syncwave.dev/operation annotation and was created after it,
// so that the message tells what stays and the application's inventory
// holds it. A running one may likewise have lost the record of the steps
// its last reconcile chained, and reclaim looks at the objects of its
// unfinished steps the same way, once, as it starts terminating. Either
// turns Terminating: its live hooks, found on the cluster by the
// operation's UID label (so also a hook whose creation status never
// recorded), are deleted, and the operation ends Failed/Terminated once
// they are gone, or once its timeout has passed while another finalizer
// still holds one (syncwave's is removed first). No new step starts and no
// SyncFail step runs.
//
// # The pinned plan and the status
//
// The plan is pinned when the operation starts (package snapshot) and every
// later call works from it. The engine decides from a full record, one
// status.resources entry per task of the layout; what is persisted is its
// compact projection (Layout.Compact): status.steps has one entry per step
// (tasks, synced, healthy, result, start and end), and status.resources
// lists only the tasks worth a look: every hook of a started step, failed,
// pruned and degraded tasks, and the tasks of the current (or failed) step
// that are not done, at most MaxListed; an operation of at most ListAllUpTo
// tasks lists every task of its started steps. Past MaxListed, what cannot
// be derived goes first (hook records, prunes that Prune=false kept, failed
// writes), then the current step's, then the other notable entries, so
// that a prune of thousands never pushes out a hook. Layout.Expand rebuilds the
// full record: a task that is not listed is derived from its step's
// result (done in a finished step, applied in the current one when the
// step's synced count says every object was written, otherwise pending and
// written again, which server-side apply makes harmless). Every message is
// bounded (MaxMessage).
//
// # Applications: queue, prune, teardown, history
//
// Operations with the same spec.application run one at a time. Admit
// decides, for an operation not yet started, from the other operations of
// its application: it starts when none runs and none was created before it
// (creationTimestamp; within its second, status.admittedVersion, the
// resourceVersion the controller first saw, which the API server assigns
// in creation order; then the name) and is still queued; otherwise it waits
// (Queue), terminates those ahead first (Replace; a dry run replaces only
// other dry runs and waits for a sync, which a preview must never end) or
// fails with reason Conflict (Forbid). The controller keeps a waiting operation Pending,
// pins nothing for it, and wakes it when one ahead finishes.
//
// Prune and teardown are steps of the pinned plan (package plan): tasks
// with Task.Prune in the phases Prune (one step per wave, highest wave
// first) and PruneLast. A prune step deletes, through the Pruner, every
// object of the step at once, then waits until each is gone from the
// cache (an object created after the deletion was asked for is a new one:
// the pruned one is gone). Kept objects (Prune=false on the live object,
// not labelled with the application, a kind no longer served, the
// Namespace that holds the operation itself, a Namespace or a
// CustomResourceDefinition that holds an object the operation keeps or
// applies: keptHolder, which the dry run applies too) are PruneSkipped
// and done at once; a refused deletion fails the step. The
// record of a prune task says Pruned once the deletion was asked for and
// gets its finishedAt when the object is gone, so a restarted controller
// never deletes twice: it only waits.
//
// Deletions use foreground propagation: an object is gone only once its
// dependents are (a Deployment's ReplicaSets and Pods), so "each wave
// waited for until gone" also holds for what the wave's objects own, and
// the next wave (the ConfigMaps and ServiceAccounts those Pods used) goes
// only after them, as Argo CD prunes by default. Background propagation
// would report a Deployment gone while its Pods still run. Hooks, whose
// results are already recorded, keep the background deletion of §6.
//
// The application's inventory is held by the pinned plan of its real
// operation (never a dry run, which changed nothing) that finished last
// (InventoryHolder, by status.finishedAt): a Succeeded one leaves every
// object it applied, a Failed one what it wrote and what the inventory
// held before it (plan.Task.Inventoried, its prunes not done, its kept
// objects), so a deploy that fails halfway and is reverted with prune
// deletes what it had created (Layout.Inventory). Collect chooses the
// finished operations to delete: those of an application beyond the
// newest --history-limit, and those past their ttlSecondsAfterFinished;
// the application's last Succeeded operation (LastSucceeded) and its
// inventory holder are always kept.
//
// # Restart safety
//
// Next is a pure function of the plan, the persisted status, the observed
// live objects and the time. Executor carries out one decision per call and
// records its outcome in status only; the replay tests throw away the status
// of every transition, and of every write inside a transition, and check
// that the operation still ends the same, each hook created once and no
// finalizer left. Every effect is idempotent: applies
// are server-side applies, hooks are found again by name and by the
// operation's UID label, and deletes treat NotFound as done. A controller
// killed at any moment continues from the status it persisted.
package operation
