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
	"fmt"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
)

// IndexApplication is the field index of SyncOperations by
// spec.application in the manager's cache: the operations of an
// application are found without an API call.
const IndexApplication = "spec.application"

// indexApplication registers IndexApplication.
func indexApplication(ctx context.Context, mgr ctrl.Manager) error {
	return mgr.GetFieldIndexer().IndexField(ctx, &syncv1alpha1.SyncOperation{}, IndexApplication, func(o client.Object) []string {
		op, ok := o.(*syncv1alpha1.SyncOperation)
		if !ok || op.Spec.Application == "" {
			return nil
		}
		return []string{op.Spec.Application}
	})
}

// peers lists, from the cache, the operations of op's application in its
// namespace (op included).
func (r *SyncOperationReconciler) peers(ctx context.Context, op *syncv1alpha1.SyncOperation) ([]syncv1alpha1.SyncOperation, error) {
	return r.ofApplication(ctx, op.Namespace, op.Spec.Application)
}

// ofApplication lists, from the cache, the operations of application app
// in namespace ns.
func (r *SyncOperationReconciler) ofApplication(ctx context.Context, ns, app string) ([]syncv1alpha1.SyncOperation, error) {
	list := &syncv1alpha1.SyncOperationList{}
	if err := r.Client.List(ctx, list, client.InNamespace(ns), client.MatchingFields{IndexApplication: app}); err != nil {
		return nil, fmt.Errorf("list the operations of application %s in namespace %s: %w", app, ns, err)
	}
	return list.Items, nil
}

// applicationKey is "namespace/application" of op: the key of its
// application in the hold, the dependency graph and IndexDependsOn.
func applicationKey(op *syncv1alpha1.SyncOperation) string {
	return op.Namespace + "/" + op.Spec.Application
}

// clearOperationBlockers drops status.blockedBy when it lists the
// operations that an operation waited for (queue or dependencies).
func clearOperationBlockers(st *syncv1alpha1.SyncOperationStatus) {
	if len(st.BlockedBy) > 0 && st.BlockedBy[0].Kind == "SyncOperation" {
		st.BlockedBy = nil
	}
}

// gate keeps an operation of an application Pending while another one of
// the same application runs or is queued ahead of it (SPEC §13). It returns
// true when op must not start now; op's status then says what it waits for.
func (r *SyncOperationReconciler) gate(ctx context.Context, op *syncv1alpha1.SyncOperation, out *operation.Outcome) (bool, error) {
	if wait, err := r.waitDependencies(ctx, op, out); wait || err != nil {
		return wait, err
	}
	st := &op.Status
	if op.Spec.Application == "" || (st.Phase != "" && st.Phase != syncv1alpha1.OperationPending) {
		return false, nil
	}
	peers, err := r.peers(ctx, op)
	if err != nil {
		return true, err
	}
	key := applicationKey(op)
	a := operation.Admit(op, peers, r.held.get(key))
	switch a.Verdict {
	case operation.VerdictRun:
		r.held.set(key, op.UID)
		clearOperationBlockers(st)
		return false, nil
	case operation.VerdictConflict:
		r.end(op, out, syncv1alpha1.ReasonConflict, a.Message)
		st.BlockedBy = blockers(a.Ahead)
		return true, nil
	case operation.VerdictReplace:
		for _, p := range a.Terminate {
			if err := r.terminateForReplace(ctx, p, op); err != nil {
				return true, err
			}
		}
	}
	st.Phase, st.Message, st.BlockedBy = syncv1alpha1.OperationPending, a.Message, blockers(a.Ahead)
	return true, nil
}

// terminateForReplace sets spec.terminate on an operation that a Replace
// operation supersedes.
func (r *SyncOperationReconciler) terminateForReplace(ctx context.Context, p, by *syncv1alpha1.SyncOperation) error {
	patch := client.MergeFrom(p.DeepCopy())
	p = p.DeepCopy()
	p.Spec.Terminate = true
	metav1.SetMetaDataAnnotation(&p.ObjectMeta, syncv1alpha1.AnnotationTerminatedBy, by.Namespace+"/"+by.Name)
	if err := r.Client.Patch(ctx, p, patch); client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("terminate SyncOperation %s/%s for %s (concurrencyPolicy Replace): %w", p.Namespace, p.Name, by.Name, err)
	}
	r.Recorder.Eventf(p, nil, "Normal", operation.EventTerminated, "Replace", "terminated by SyncOperation %s/%s (concurrencyPolicy Replace)", by.Namespace, by.Name)
	return nil
}

// blockers are the status.blockedBy entries of a queued operation.
func blockers(ahead []*syncv1alpha1.SyncOperation) []syncv1alpha1.BlockedResource {
	out := make([]syncv1alpha1.BlockedResource, 0, min(len(ahead), syncv1alpha1.MaxBlockedBy))
	for _, p := range ahead[:min(len(ahead), syncv1alpha1.MaxBlockedBy)] {
		msg := "queued ahead"
		if p.Status.Phase == syncv1alpha1.OperationRunning || p.Status.Phase == syncv1alpha1.OperationTerminating {
			msg = string(p.Status.Phase)
			if p.Status.Step != "" {
				msg += " in step " + p.Status.Step
			}
		}
		b := syncv1alpha1.BlockedResource{Message: msg, ResourceRef: syncv1alpha1.ResourceRef{Group: syncv1alpha1.GroupVersion.Group,
			Version: syncv1alpha1.GroupVersion.Version, Kind: "SyncOperation", Namespace: p.Namespace, Name: p.Name}}
		if p.Status.StartedAt != nil {
			since := metav1.NewTime(p.Status.StartedAt.Time)
			b.Since = &since
		}
		out = append(out, b)
	}
	return out
}

// peerHandler wakes the other operations of an application, and the
// operations that depend on it (spec.dependsOn), when one of them finishes
// or goes away, so that a queued or dependent operation starts the moment
// the one it waits for is done, without a requeue interval.
func (r *SyncOperationReconciler) peerHandler() handler.EventHandler {
	enqueue := func(ctx context.Context, op *syncv1alpha1.SyncOperation, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		if op.Spec.Application == "" {
			return
		}
		r.enqueueDependents(ctx, op, q)
		peers, err := r.peers(ctx, op)
		if err != nil {
			return
		}
		for i := range peers {
			p := &peers[i]
			if p.UID != op.UID && !p.Status.Phase.Terminal() {
				q.Add(reconcile.Request{NamespacedName: client.ObjectKeyFromObject(p)})
			}
		}
	}
	return handler.Funcs{
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			before, ok1 := e.ObjectOld.(*syncv1alpha1.SyncOperation)
			after, ok2 := e.ObjectNew.(*syncv1alpha1.SyncOperation)
			if ok1 && ok2 && !before.Status.Phase.Terminal() && after.Status.Phase.Terminal() {
				enqueue(ctx, after, q)
			}
		},
		DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			if op, ok := e.Object.(*syncv1alpha1.SyncOperation); ok {
				enqueue(ctx, op, q)
			}
		},
	}
}

// held remembers, per application (namespace/name), the operation this
// process admitted last, until that one settles. Its Running phase is only
// written at the end of its first step, and an operation of the same
// application created in the same second but with a smaller name may
// arrive meanwhile: the hold keeps that one queued. All operations of an
// application are driven by one replica (internal/shard), so the hold of
// this process is enough. The zero value is ready to use.
type held struct {
	mu sync.Mutex
	by map[string]types.UID
}

func (h *held) get(app string) types.UID {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.by[app]
}

func (h *held) set(app string, uid types.UID) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.by == nil {
		h.by = map[string]types.UID{}
	}
	h.by[app] = uid
}

// release drops the hold of app if uid has it.
func (h *held) release(app string, uid types.UID) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.by[app] == uid {
		delete(h.by, app)
	}
}
