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

// Package controller holds the SyncOperation reconciler: it loads and plans
// an operation's manifests, observes the live objects of the current step
// through label-selected informers started on demand, runs one transition of
// the engine (package operation), and then writes status, conditions,
// events and metrics. It is the only package that knows about
// controller-runtime results, events and metrics.
//
// While the informer of a kind has not synced (a kind a CRD of the same
// step just defined), its objects are read from the API server, judged,
// and looked at again after a few seconds (operation.ErrUnwatched), since
// no event tells of their changes; one not found is operation.ErrAbsent. An informer that has not synced 30 s
// after it was asked for never will (its identity, a ServiceAccount say,
// may get the kind but not list or watch it): reads of its kind fail then,
// saying which permission is missing, and the step's timeouts apply. The
// informers of a CRD that is deleted are removed (they would list and fail
// forever); a kind needed again is watched anew.
//
// Events (SPEC §9) go through the events.k8s.io recorder after the status
// write that they describe. That recorder folds events that agree on type,
// reason, action and related object into a series of the first one,
// keeping only its note; so an event about a step carries the step in its
// action ("Step Sync/1") and an event about a hook or an object names it as
// the related object, and every step and hook keeps an event of its own.
//
// Applications (SPEC §13): SyncOperations are indexed by spec.application
// in the manager's cache (IndexApplication), so finding an application's
// operations costs no API call. Before it pins anything, an operation of
// an application passes the gate (operation.Admit): it stays Pending,
// naming what it waits for in status.message and status.blockedBy, until
// nothing of its application runs or is queued ahead; an operation that
// reaches a terminal phase (or is deleted) wakes the others of its
// application at once through a watch, with no requeue interval. When it
// starts, its plan gets the prune steps (spec.prune), the teardown
// (action Delete), or else the kept entries (plan.Kept: what the manifests
// no longer contain stays the application's) of the application's
// inventory, read from the pinned plan of the operation that holds it
// (operation.InventoryHolder), and all of it is pinned together. The
// inventory is on the cluster of the operation that left it (its
// kubeconfig Secret's name and key, or the controller's own): a Delete on
// another cluster is refused with nothing deleted, and a Sync on another
// cluster moves the application, pruning and keeping nothing of the old
// inventory, with a Warning ClusterChanged event (inventory.go).
// A finished operation collects the history of its application
// (--history-limit) and expires by ttlSecondsAfterFinished through a
// RequeueAfter: nothing polls, and a restart makes the same choices.
//
// Dependencies between applications (spec.dependsOn, dependencies.go):
// before the application gate, an operation stays Pending until the latest
// operation (creation time, then name) of each named application has
// Succeeded and its CEL readyExpr, over dep (that operation) and self,
// holds; status.message and status.blockedBy name what it waits for. An
// operation that finishes wakes the operations whose dependsOn names its
// application (the IndexDependsOn field index) through the same watch. A
// dependency that failed, has no operation, or was torn down (its latest
// operation is a Delete, Succeeded) keeps it Pending until its
// timeout, counted from its creation (a RequeueAfter), and it then fails
// with reason Timeout. A cycle among the applications reachable from it
// (each one's edges are its latest operation's dependsOn), or a readyExpr
// that does not compile, fails it at once with reason InvalidDependencies
// and a message naming the cycle or the expression.
//
// References to other namespaces (crossns.go): with NoCrossNamespaceRefs
// (--no-cross-namespace-refs, Flux's lockdown for tenants), a Flux source
// or a dependency in another namespace than the operation's fails it at
// once, before anything is read: InvalidManifests for a source (read as
// the controller, it would let a tenant deploy another namespace's
// repository), InvalidDependencies for a dependency.
//
// Sources (sourcewait.go, layout.go): an operation whose ConfigMap source
// does not exist, or whose Flux source (SPEC §12) does not exist or is not
// Ready, stays Pending, naming it in status.message and status.blockedBy,
// woken by a watch of that one object (SourceWaiter: by name, metadata
// only, started when an operation first waits for it, stopped when none
// does; a watch that the API server ends wakes its operations, whose next
// reconcile watches again, after 10 s when it ended at once); Secrets and
// artifacts whose download failed are looked at again after 10 s. The
// message names every missing source, status.blockedBy the first 20. At its timeout, counted from its creation, it fails with
// reason InvalidManifests. Flux sources are read through Artifacts on the
// controller's own cluster, as the controller, never impersonated; their
// revisions go to status.revisions when the plan is pinned, and are never
// read again.
//
// Targets (target.go, remote.go, reach.go): the objects of an operation
// live on the controller's own cluster, or, with spec.kubeConfig, on the
// cluster of the kubeconfig in the named Secret (SPEC §12). Remotes keeps
// one connection per kubeconfig content (clients with a 10 s request
// timeout, a discovery REST mapper, an Impersonator, pod-log readers, CRD
// lookups whose answers are used for 30 s, since no informer caches the
// remote's CRDs), shared by the operations that use it and closed with the last
// of them; the Watcher keeps one informer cache per remote cluster (per
// impersonated user and namespaces when serviceAccountName is set), stopped
// the same way. A kubeconfig with exec plugins, auth providers or file
// paths is refused. The SyncOperation, its sources, its pinned plan and its
// events stay on the controller's cluster. Hooks on a remote cluster carry
// no owner reference, and a deleted operation deletes them.
//
// Whether a remote cluster answers is learnt from every request that goes
// to it (a transport wrapper): a failed one marks it unreachable and wakes
// its operations (Remotes.Source), any answer marks it reachable again. A
// request its caller cancelled, or one the API server hands to a kubelet
// (a pod's log), says nothing of the cluster and is not counted.
// While it is unreachable, reads of its objects fail fast and the step
// waits with them Unknown, saying why; writes that fail requeue after 5 s
// instead of returning an error (no growing backoff); one reconcile at a
// time probes /readyz, at most every 2 s, started operations too, so a
// cluster marked unreachable by one slow request is asked again at once
// rather than when an informer's next request answers. An operation that
// has not started stays Pending until its timeout; a started one goes on
// with its step, whose objects are Unknown, "unreachable since" when, and
// is decided by its timeouts, with UnreachableGrace past its timeout as a
// last resort.
package controller
