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
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/hook"
	"github.com/syncwave/syncwave/internal/kubeconfig"
	"github.com/syncwave/syncwave/internal/operation"
)

// clusterRetry is how soon an operation whose cluster does not answer, or
// whose kubeconfig Secret is missing, looks again.
const clusterRetry = 5 * time.Second

// DefaultUnreachableGrace is how long past its timeout an operation waits
// for an unreachable cluster to come back and run its SyncFail hooks
// before it ends Failed without them.
const DefaultUnreachableGrace = 2 * time.Minute

// target is where an operation's objects live and who it acts as there:
// the controller's own cluster or a remote one (spec.kubeConfig, SPEC §12).
type target struct {
	user   string
	writer client.Client
	reader client.Reader
	mapper meta.RESTMapper
	// remote is the remote cluster; nil for the controller's own.
	remote *remoteCluster
	// source names the operation's kubeconfig Secret, for messages.
	source string
	// separate: the operation reads through a cache of its own namespaces
	// (SeparateCaches), not the shared one.
	separate bool
}

// shared tells whether tg reads through the controller's shared cache of
// managed objects (its own identity on its own cluster).
func (tg *target) shared() bool { return tg.user == "" && tg.remote == nil && !tg.separate }

// clusterWait says that the cluster of an operation cannot be used yet:
// its kubeconfig Secret is missing or the cluster does not answer.
type clusterWait struct{ msg string }

func (e *clusterWait) Error() string { return e.msg }

// target returns the target of op. A missing kubeconfig Secret or an
// unreachable cluster is a *clusterWait; a Secret that holds no usable
// kubeconfig an *invalidError.
func (r *SyncOperationReconciler) target(ctx context.Context, op *syncv1alpha1.SyncOperation) (*target, error) {
	user := r.Impersonator.User(op)
	if user != "" && r.Impersonator == nil {
		return nil, invalid("spec.serviceAccountName: impersonation is disabled in this controller")
	}
	if op.Spec.KubeConfig == nil {
		if user == "" {
			return &target{writer: r.Targets, reader: r.APIReader, mapper: r.Mapper, separate: r.SeparateCaches}, nil
		}
		c, err := r.Impersonator.Client(user)
		if err != nil {
			return nil, err
		}
		return &target{user: user, writer: c, reader: c, mapper: r.Mapper}, nil
	}
	if r.Remotes == nil {
		return nil, invalid("spec.kubeConfig: remote clusters are disabled in this controller")
	}
	rc, err := r.connect(ctx, op)
	if err != nil {
		// A started operation whose Secret went bad keeps the cluster it
		// started on.
		if rc = r.Remotes.Current(op.UID); rc == nil || op.Status.Snapshot == nil {
			return nil, err
		}
	}
	c, err := rc.imp.Client(user)
	if err != nil {
		return nil, err
	}
	return &target{user: user, writer: c, reader: c, mapper: rc.mapper, remote: rc, source: kubeconfigSecret(op)}, nil
}

// kubeconfigSecret names the kubeconfig Secret of op, for messages.
func kubeconfigSecret(op *syncv1alpha1.SyncOperation) string {
	return fmt.Sprintf("Secret %s/%s", op.Namespace, op.Spec.KubeConfig.SecretRef.Name)
}

// probedTarget returns the target of op and checks that its cluster
// answers (a *clusterWait when it does not).
func (r *SyncOperationReconciler) probedTarget(ctx context.Context, op *syncv1alpha1.SyncOperation) (*target, error) {
	tg, err := r.target(ctx, op)
	if err == nil {
		err = tg.reachable(ctx)
	}
	return tg, err
}

// connect reads the kubeconfig Secret of op and returns its cluster.
func (r *SyncOperationReconciler) connect(ctx context.Context, op *syncv1alpha1.SyncOperation) (*remoteCluster, error) {
	ref := op.Spec.KubeConfig.SecretRef
	where := "spec.kubeConfig.secretRef (" + kubeconfigSecret(op) + ")"
	sec := &corev1.Secret{}
	err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: op.Namespace, Name: ref.Name}, sec)
	if err != nil {
		if apierrors.IsNotFound(err) {
			return nil, &clusterWait{msg: "waiting for the kubeconfig " + where + " to exist"}
		}
		if apierrors.IsForbidden(err) {
			return nil, invalid("%s: %w", where, err)
		}
		return nil, fmt.Errorf("read %s: %w", where, err)
	}
	key, err := kubeconfig.Key(sec.Data, ref.Key)
	if err != nil {
		return nil, invalid("%s %w", where, err)
	}
	rc, err := r.Remotes.Connect(op.UID, client.ObjectKeyFromObject(op), sec.Data[key], kubeconfigSecret(op)+" key "+key)
	if err != nil {
		return nil, invalid("%s: %w", where, err)
	}
	return rc, nil
}

// reachable probes the remote cluster of tg, if it is known not to answer.
func (tg *target) reachable(ctx context.Context) error {
	if tg.remote == nil {
		return nil
	}
	if err := tg.remote.reach.Check(ctx); err != nil {
		return tg.unreachable(err)
	}
	return nil
}

// unreachable says that tg's remote cluster does not answer; why is the
// reachability's "unreachable since ...: <cause>".
func (tg *target) unreachable(why error) *clusterWait {
	return &clusterWait{msg: "the cluster of spec.kubeConfig (" + tg.source + ") is " + why.Error()}
}

// scope is what the watcher reads tg's objects through.
func (tg *target) scope(namespaces []string) Scope {
	s := Scope{User: tg.user, Namespaces: namespaces, Separate: tg.separate}
	if tg.remote != nil {
		s.Cluster, s.NewCache = tg.remote.key, tg.remote.imp.Cache
		s.Unreachable = func() error {
			if err := tg.remote.reach.Unreachable(); err != nil {
				return tg.unreachable(err)
			}
			return nil
		}
	}
	return s
}

// waitForCluster keeps an operation that has not started Pending while its
// cluster cannot be used, until its timeout; it returns when to look again,
// or a negative duration when the timeout has passed.
func (r *SyncOperationReconciler) waitForCluster(op *syncv1alpha1.SyncOperation, cw *clusterWait) time.Duration {
	left, expired := r.waitPending(op, cw.msg)
	if expired {
		return -1
	}
	return soonest(clusterRetry, left)
}

// waitPending keeps an operation that has not started Pending with msg
// until its timeout, counted from its creation. It returns how much of the
// timeout is left (0 when it has none), or expired once it has passed.
func (r *SyncOperationReconciler) waitPending(op *syncv1alpha1.SyncOperation, msg string) (left time.Duration, expired bool) {
	timeout := r.timing(op).Timeout
	waited := r.Clock.Since(op.CreationTimestamp.Time)
	if timeout > 0 && waited >= timeout {
		return 0, true
	}
	st := &op.Status
	st.Phase, st.Message, st.BlockedBy = syncv1alpha1.OperationPending, operation.Truncate(msg, operation.MaxMessage), nil
	if timeout > 0 {
		left = timeout - waited
	}
	return left, false
}

// soonest is the earlier of two requeue delays, where 0 is none.
func soonest(a, b time.Duration) time.Duration {
	if a == 0 || (b > 0 && b < a) {
		return b
	}
	return a
}

// unreachableRun decides for a started operation whose cluster does not
// answer: it looks again soon, and ends Failed once the operation's timeout
// has passed by the grace, since its SyncFail hooks cannot run.
func (r *SyncOperationReconciler) unreachableRun(op *syncv1alpha1.SyncOperation, out *operation.Outcome, cw *clusterWait) {
	out.RequeueAfter = clusterRetry
	st := &op.Status
	if st.Phase.Terminal() {
		// Housekeeping (hook finalizers on that cluster) waits for it, but
		// not forever: after the grace the next event of the operation
		// tries again, no timer does.
		if st.FinishedAt != nil && r.Clock.Since(st.FinishedAt.Time) >= r.unreachableGrace() {
			out.RequeueAfter = 0
		}
		return
	}
	if st.StartedAt == nil {
		return
	}
	timeout := r.timing(op).Timeout
	if timeout <= 0 || r.Clock.Since(st.StartedAt.Time) < timeout+r.unreachableGrace() {
		return
	}
	r.end(op, out, syncv1alpha1.ReasonTimeout, fmt.Sprintf("the operation's timeout of %s passed and %s; its SyncFail hooks could not run", timeout, cw.msg))
}

// asClusterWait returns err as a *clusterWait when tg's cluster does not
// answer (an error of a write or read that went to it), nil otherwise.
func (tg *target) asClusterWait(err error) *clusterWait {
	var cw *clusterWait
	if errors.As(err, &cw) {
		return cw
	}
	if tg == nil || tg.remote == nil || err == nil {
		return nil
	}
	if u := tg.remote.reach.Unreachable(); u != nil {
		return tg.unreachable(u)
	}
	return nil
}

// releaseDeleted releases the hooks of a deleted operation on its cluster.
// A remote cluster that does not answer for longer than the grace after
// the deletion, or whose kubeconfig is gone, is given up on with a Warning
// event: a cluster that is gone must not hold the deletion forever.
func (r *SyncOperationReconciler) releaseDeleted(ctx context.Context, op *syncv1alpha1.SyncOperation) error {
	tg, err := r.probedTarget(ctx, op)
	if err == nil {
		var pn *pinned
		if pn, err = r.layout(ctx, op, tg); err == nil {
			ex := &operation.Executor{Hooks: &hook.Runner{Client: tg.writer, Reader: tg.reader, Remote: tg.remote != nil}, Clock: r.Clock}
			err = ex.ReleaseAll(ctx, op, pn.layout)
		}
	}
	var inv *invalidError
	cw := tg.asClusterWait(err)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &inv):
		ctrl.LoggerFrom(ctx).Info("cannot release the hooks of a deleted operation", "reason", err.Error())
		return nil
	case cw != nil && r.Clock.Since(op.DeletionTimestamp.Time) >= r.unreachableGrace():
		r.Recorder.Eventf(op, nil, corev1.EventTypeWarning, "HooksNotReleased", "Delete",
			"%s", operation.Truncate(cw.msg+": the hooks of the operation on that cluster were not released", operation.MaxMessage))
		return nil
	}
	return err
}

func (r *SyncOperationReconciler) unreachableGrace() time.Duration {
	if r.UnreachableGrace == 0 {
		return DefaultUnreachableGrace
	}
	return r.UnreachableGrace
}

// crds answers for tg's cluster whether CRDs declare a status subresource;
// nil for the controller's own cluster (the HealthConfig's).
func (tg *target) crds() *CRDStatus {
	if tg.remote == nil {
		return nil
	}
	return tg.remote.crds
}

// resolveTarget finds where op's objects live. It returns true when the
// operation must wait for its cluster (out says when to look again, and
// an operation that has not started stays Pending until its timeout).
func (r *SyncOperationReconciler) resolveTarget(ctx context.Context, op *syncv1alpha1.SyncOperation, out *operation.Outcome) (*target, bool, error) {
	started := op.Status.Snapshot != nil
	tg, err := r.target(ctx, op)
	if err == nil {
		// A started operation probes too, so that a cluster marked
		// unreachable by one failed request is asked again (at most every
		// probeInterval) rather than when some informer's next request
		// answers; but its step goes on either way, so that its objects
		// say, Unknown, since when their cluster does not answer.
		probe := tg.reachable(ctx)
		if !started {
			err = probe
		}
	}
	var cw *clusterWait
	var inv *invalidError
	switch {
	case err == nil:
		return tg, false, nil
	case errors.As(err, &cw) && !started:
		after := r.waitForCluster(op, cw)
		if after < 0 {
			r.end(op, out, syncv1alpha1.ReasonTimeout, fmt.Sprintf("%s: gave up after the operation's timeout of %s; nothing was applied", cw.msg, r.timing(op).Timeout))
			return nil, true, nil
		}
		out.RequeueAfter = after
		return nil, true, nil
	case errors.As(err, &cw):
		r.unreachableRun(op, out, cw)
		return nil, true, nil
	case errors.As(err, &inv) && !started && !op.Status.Phase.Terminal():
		r.failInvalid(op, out, inv.Error())
		return nil, true, nil
	case errors.As(err, &inv) && !op.Status.Phase.Terminal():
		// The kubeconfig went bad after the start, with no connection of
		// this process to go on with (a restart, another replica): the
		// operation waits for it to be mended, like for a cluster that
		// does not answer, and ends Failed past its timeout.
		cw := &clusterWait{msg: "the kubeconfig cannot be used: " + inv.Error()}
		op.Status.Message = operation.Truncate("waiting: "+cw.msg, operation.MaxMessage)
		r.unreachableRun(op, out, cw)
		return nil, true, nil
	case errors.As(err, &inv):
		ctrl.LoggerFrom(ctx).Info("cannot reach the objects of the operation", "reason", err.Error())
		return nil, true, nil
	}
	return nil, false, err
}
