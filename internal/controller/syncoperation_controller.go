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

package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/apply"
	"github.com/syncwave/syncwave/internal/diff"
	"github.com/syncwave/syncwave/internal/hook"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// Metrics records what the reconciler observes (internal/metrics.Recorder).
type Metrics interface {
	OperationFinished(namespace, result, reason string, d time.Duration)
	StepFinished(phase string, wave int32, d time.Duration)
	StepTransition(d time.Duration)
	HookFinished(phase, result string, d time.Duration)
	Apply(group, kind, result string)
	HealthCheck(source, status string)
	LuaError()
	Retried(namespace string)
	Prune(result string)
	Queued(namespace string, d time.Duration)
}

// SyncOperationReconciler runs SyncOperations.
type SyncOperationReconciler struct {
	// Client reads SyncOperations (cached) and writes status.
	Client client.Client
	// Targets writes the objects of operations (uncached).
	Targets client.Client
	// APIReader reads without a cache (manifest sources, hooks).
	APIReader client.Reader
	// Mapper tells namespaced kinds for the planner.
	Mapper meta.RESTMapper
	// Recorder emits events on SyncOperations.
	Recorder recorder.EventRecorder
	// Metrics records Prometheus metrics.
	Metrics Metrics
	// Watcher observes managed objects.
	Watcher *Watcher
	// HealthConfig supplies Lua health checks; nil for built-in checks only.
	HealthConfig *HealthConfig
	// Impersonator acts as an operation's ServiceAccount; nil disables
	// spec.serviceAccountName.
	Impersonator *Impersonator
	// Clock is the time source (injected for tests).
	Clock clock.PassiveClock
	// DefaultTimeout applies to operations without spec.timeout.
	DefaultTimeout time.Duration
	// MaxConcurrentReconciles bounds parallel operations.
	MaxConcurrentReconciles int
	// Local reads and writes, uncached, the controller's own objects on its
	// own cluster: the pinned plans.
	Local client.Client
	// Sources wakes operations waiting for a missing source; nil: they
	// look again at their requeue.
	Sources *SourceWaiter
	// HistoryLimit is how many finished operations of each application
	// are kept (--history-limit); negative keeps them all.
	HistoryLimit int
	// PrunePropagation is the propagation policy of prune deletions;
	// default Foreground (see internal/operation's doc).
	PrunePropagation metav1.DeletionPropagation
	// HookLogs reads the outcome of finished hooks (pod, exit code, end of
	// the log); nil: none is recorded.
	HookLogs *HookLogs
	// Remotes connects operations with spec.kubeConfig to their cluster;
	// nil refuses spec.kubeConfig.
	Remotes *Remotes
	// UnreachableGrace is how long past its timeout a started operation
	// waits for its unreachable cluster before it ends Failed without its
	// SyncFail hooks (default DefaultUnreachableGrace).
	UnreachableGrace time.Duration
	// SeparateCaches reads the objects of the controller's own operations
	// through caches of their namespaces, started for them and stopped
	// after them, instead of one cache of every managed object: with
	// dynamic sharding a replica then holds only its share.
	SeparateCaches bool
	// Shard divides the operations among replicas (--sharding=dynamic);
	// nil: this replica runs every operation it sees.
	Shard Sharder
	// Artifacts reads Flux sources (spec.sources[].sourceRef) on the
	// controller's own cluster, as the controller (internal/source/flux);
	// nil refuses them as disabled.
	Artifacts manifest.Artifacts
	// NoCrossNamespaceRefs refuses Flux sources and dependencies in other
	// namespaces than the operation's (--no-cross-namespace-refs), as
	// Flux's lockdown for tenants does.
	NoCrossNamespaceRefs bool

	plans plans
	held  held
	seen  firstSeen
}

// +kubebuilder:rbac:groups=syncwave.dev,resources=syncoperations,verbs=get;list;watch;update;patch;delete
// +kubebuilder:rbac:groups=syncwave.dev,resources=syncoperations/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=syncwave.dev,resources=syncoperations/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch;create
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;create
// +kubebuilder:rbac:groups="",resources=serviceaccounts,verbs=impersonate
// +kubebuilder:rbac:groups="";events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=authentication.k8s.io,resources=tokenreviews,verbs=create
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=gitrepositories;ocirepositories;buckets;externalartifacts,verbs=get;list;watch

// Reconcile performs one transition of one operation.
func (r *SyncOperationReconciler) Reconcile(ctx context.Context, req ctrl.Request) (_ ctrl.Result, retErr error) {
	op, err := r.admitted(ctx, req) // shard.go: nil when gone, or not this replica's
	if op == nil {
		return ctrl.Result{}, err
	}
	if !op.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, r.reconcileDelete(ctx, op)
	}
	if operation.Settled(op) {
		r.forget(op)
		return r.collect(ctx, op)
	}
	if err := r.admit(ctx, op); err != nil {
		return ctrl.Result{}, err
	}
	before := op.DeepCopy()
	out := &operation.Outcome{}
	var pn *pinned
	defer func() {
		retErr = errors.Join(retErr, r.finish(ctx, before, op, pn, out))
	}()
	if op.Spec.Terminate && op.Status.Snapshot == nil && !op.Status.Phase.Terminal() {
		// Unstarted, unless a start whose status write was lost pinned a
		// plan: that one was admitted and started, and the engine
		// terminates it.
		lost, err := r.findLostStart(ctx, op)
		if err != nil {
			return ctrl.Result{}, err
		}
		if !lost {
			r.terminateUnstarted(op, out)
			return ctrl.Result{}, nil
		}
	} else if wait, err := r.gate(ctx, op, out); wait || err != nil {
		return ctrl.Result{RequeueAfter: out.RequeueAfter}, err
	}
	tg, wait, err := r.resolveTarget(ctx, op, out)
	if wait || err != nil {
		return ctrl.Result{RequeueAfter: out.RequeueAfter}, err
	}
	pn, err = r.layout(ctx, op, tg)
	key := types.NamespacedName{Namespace: op.Namespace, Name: op.Name}
	if err != nil {
		return r.layoutFailed(ctx, op, out, err)
	}
	r.Sources.Forget(key)
	if tg.shared() {
		r.watchKinds(pn.layout)
	}
	ex, err := r.executor(ctx, op, pn, tg)
	if err != nil {
		if cw := tg.asClusterWait(err); cw != nil {
			r.unreachableRun(op, out, cw)
			return ctrl.Result{RequeueAfter: out.RequeueAfter}, nil
		}
		return ctrl.Result{}, err
	}
	ex.EventAt = r.Watcher.EventAt(req.NamespacedName)
	op.Status.Resources = pn.layout.Expand(&op.Status, func(t *plan.Task) string { return ex.Hooks.Name(op, t) })
	res, err := ex.Run(ctx, op, pn.layout, r.timing(op))
	if res != nil {
		*out = *res
	}
	if cw := tg.asClusterWait(err); cw != nil {
		// Writes to a cluster that does not answer wait for it, not for
		// the rate limiter's growing backoff.
		ctrl.LoggerFrom(ctx).Info("the operation's cluster does not answer", "reason", cw.msg, "error", err.Error())
		r.unreachableRun(op, out, cw)
		return ctrl.Result{RequeueAfter: out.RequeueAfter}, nil
	}
	return ctrl.Result{RequeueAfter: out.RequeueAfter}, err
}

// layoutFailed decides for an operation whose plan cannot be had: wait for
// missing sources, fail on invalid input, or try again.
func (r *SyncOperationReconciler) layoutFailed(ctx context.Context, op *syncv1alpha1.SyncOperation, out *operation.Outcome, err error) (ctrl.Result, error) {
	var inv *invalidError
	var we *waitError
	switch {
	case errors.As(err, &we):
		after := r.waitForSources(op, we)
		if after < 0 {
			r.failInvalid(op, out, fmt.Sprintf("%s: gave up after the operation's timeout of %s", we.Error(), r.timing(op).Timeout))
			return ctrl.Result{}, nil
		}
		return ctrl.Result{RequeueAfter: after}, nil
	case errors.As(err, &inv) && op.Status.Phase.Terminal():
		// A finished operation keeps its result.
		ctrl.LoggerFrom(ctx).Info("cannot release the hooks of a finished operation", "reason", err.Error())
		return ctrl.Result{}, nil
	case errors.As(err, &inv):
		r.failInvalid(op, out, inv.Error())
		return ctrl.Result{}, nil
	}
	return ctrl.Result{}, err
}

// admit writes the Pending phase of a new operation, with the
// resourceVersion it was created with (status.admittedVersion: its place
// in its application's queue, operation.Before), then adds the finalizer,
// so that hooks in other namespaces are never created without a way to
// clean them up. It notes when this process first saw an operation that
// has not started (firstSeen), for its queue time.
func (r *SyncOperationReconciler) admit(ctx context.Context, op *syncv1alpha1.SyncOperation) error {
	if op.Status.StartedAt == nil {
		r.seen.note(op.UID, r.Clock.Now())
	}
	if op.Status.Phase == "" {
		before := op.DeepCopy()
		op.Status.Phase, op.Status.Message = syncv1alpha1.OperationPending, "admitted: reading the manifests"
		if op.Spec.IsDelete() {
			op.Status.Message = "admitted: reading the application's inventory" // a teardown has no manifests
		}
		op.Status.AdmittedVersion = op.ResourceVersion
		op.Status.ObservedGeneration = op.Generation
		setConditions(op, syncv1alpha1.ReasonProgressing)
		if err := r.patchStatus(ctx, before, op); err != nil {
			return err
		}
	}
	if !controllerutil.ContainsFinalizer(op, syncv1alpha1.OperationFinalizer) {
		patch := client.MergeFromWithOptions(op.DeepCopy(), client.MergeFromWithOptimisticLock{})
		controllerutil.AddFinalizer(op, syncv1alpha1.OperationFinalizer)
		if err := r.Client.Patch(ctx, op, patch); err != nil {
			return fmt.Errorf("add finalizer to SyncOperation %s/%s: %w", op.Namespace, op.Name, err)
		}
	}
	return nil
}

// terminateUnstarted ends an operation terminated before it started:
// nothing is read and nothing is applied.
func (r *SyncOperationReconciler) terminateUnstarted(op *syncv1alpha1.SyncOperation, out *operation.Outcome) {
	r.end(op, out, syncv1alpha1.ReasonTerminated, operation.TerminatedBy(op)+" before it started: nothing was applied")
	out.Events[len(out.Events)-1] = operation.Event{Type: corev1.EventTypeWarning, Reason: operation.EventTerminated, Message: op.Status.Message}
}

// forget drops what the process keeps for an operation that needs nothing
// more: its watches of missing sources, its cached plan and its share of
// impersonated caches.
func (r *SyncOperationReconciler) forget(op *syncv1alpha1.SyncOperation) {
	key := types.NamespacedName{Namespace: op.Namespace, Name: op.Name}
	r.Sources.Forget(key)
	r.Watcher.Forget(key)
	if op.Spec.Application != "" {
		r.held.release(applicationKey(op), op.UID)
	}
	r.plans.drop(op.UID)
	r.seen.take(op.UID)
	r.Watcher.Release(op.UID)
	r.Remotes.Release(op.UID)
}

func (r *SyncOperationReconciler) executor(ctx context.Context, op *syncv1alpha1.SyncOperation, pn *pinned, tg *target) (*operation.Executor, error) {
	writer, reader, user := tg.writer, tg.reader, tg.user
	observer, err := r.Watcher.Observer(ctx, op.UID, tg.scope(pn.namespaces), reader)
	if err != nil {
		return nil, err
	}
	outcomes, explainer, err := r.podReaders(tg)
	if err != nil {
		return nil, err
	}
	applier := &apply.Applier{Client: writer, CRDKinds: pn.crdKinds, User: user, ForbiddenFails: op.Spec.DryRun || !pn.grantsAccess,
		CreatesNamespace: createsNamespace(op, pn)}
	if tg.shared() {
		applier.Live = func(t *plan.Task) (*unstructured.Unstructured, bool) { return r.Watcher.Cached(ctx, t) }
	}
	return &operation.Executor{
		Applier:  applier,
		Hooks:    &hook.Runner{Client: writer, Reader: reader, Remote: tg.remote != nil},
		Observer: observer,
		Judge:    r.judge(ctx, op, tg),
		Pruner:   &apply.Pruner{Client: writer, Reader: reader, User: user, Propagation: r.PrunePropagation},
		Previewer: &previewer{user: user,
			differ: &diff.Differ{Client: writer, Operation: op, CRDKinds: pn.crdKinds}},
		Clock:     r.Clock,
		Outcomes:  outcomes,
		Explainer: explainer,
	}, nil
}

func (r *SyncOperationReconciler) timing(op *syncv1alpha1.SyncOperation) operation.Timing {
	t := operation.Timing{Timeout: r.DefaultTimeout}
	if op.Spec.Timeout != nil {
		t.Timeout = op.Spec.Timeout.Duration
	}
	if op.Spec.WaveTimeout != nil {
		t.WaveTimeout = op.Spec.WaveTimeout.Duration
	}
	if op.Spec.DegradedGracePeriod != nil {
		t.DegradedGracePeriod = op.Spec.DegradedGracePeriod.Duration
	}
	return t
}

// watchKinds starts the informers of every kind of the plan up front, so
// that the first change after an apply is never missed. Kinds that are not
// served yet (a CRD of the same operation) are watched when first observed.
func (r *SyncOperationReconciler) watchKinds(l *operation.Layout) {
	seen := map[schema.GroupVersionKind]bool{}
	for _, t := range l.Tasks {
		gvk := t.Object.GroupVersionKind()
		if seen[gvk] {
			continue
		}
		seen[gvk] = true
		if _, err := r.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err == nil {
			_ = r.Watcher.Ensure(gvk)
		}
	}
}

func (r *SyncOperationReconciler) failInvalid(op *syncv1alpha1.SyncOperation, out *operation.Outcome, msg string) {
	r.end(op, out, syncv1alpha1.ReasonInvalidManifests, msg)
}

// end finishes an operation Failed outside the engine (invalid input, or
// terminated before it started).
func (r *SyncOperationReconciler) end(op *syncv1alpha1.SyncOperation, out *operation.Outcome, reason, msg string) {
	now := r.Clock.Now()
	st := &op.Status
	st.Phase, st.Reason, st.Message = syncv1alpha1.OperationFailed, reason, msg
	t := metav1.NewMicroTime(now)
	st.FinishedAt = &t
	var dur time.Duration
	if st.StartedAt != nil {
		dur = now.Sub(st.StartedAt.Time)
	}
	out.Finished = &operation.Finish{Phase: syncv1alpha1.OperationFailed, Reason: reason, Duration: dur}
	out.Events = append(out.Events, operation.Event{Type: corev1.EventTypeWarning, Reason: operation.EventOperationFailed,
		Message: reason + ": " + msg})
}

// reconcileDelete releases the hooks of a deleted operation, found by its
// UID label from its pinned plan: hooks in other namespaces (that owner
// references cannot reach) are deleted, the others lose their finalizer.
func (r *SyncOperationReconciler) reconcileDelete(ctx context.Context, op *syncv1alpha1.SyncOperation) error {
	if !controllerutil.ContainsFinalizer(op, syncv1alpha1.OperationFinalizer) {
		return nil
	}
	if op.Status.Snapshot != nil {
		if err := r.releaseDeleted(ctx, op); err != nil {
			return err
		}
	}
	r.forget(op)
	patch := client.MergeFromWithOptions(op.DeepCopy(), client.MergeFromWithOptimisticLock{})
	controllerutil.RemoveFinalizer(op, syncv1alpha1.OperationFinalizer)
	return r.Client.Patch(ctx, op, patch)
}
