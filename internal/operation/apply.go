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

package operation

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// notReadyRetry is how soon a step retries a write that must wait for a
// CRD of the same operation; the CRD's own watch event usually comes first.
const notReadyRetry = 250 * time.Millisecond

// applyReady applies the pending non-hook tasks of step i whose
// dependencies are done, kind by kind (objects of one kind in parallel),
// then creates its pending hooks whose dependencies are done. It stops at
// the first kind with a rejected object.
func (e *Executor) applyReady(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, i int, out *Outcome) error {
	if l.IsPruneStep(i) {
		return e.pruneStep(ctx, op, l, i, out)
	}
	st := &op.Status
	start, end := l.Range(i)
	var group []int
	var gk schema.GroupKind
	flush := func() (bool, error) {
		if len(group) == 0 {
			return true, nil
		}
		ok, err := e.applyGroup(ctx, op, l, group, out)
		group = group[:0]
		return ok, err
	}
	for j := start; j < end; j++ {
		t := l.Tasks[j]
		if t.IsHook() || st.Resources[j].Status != syncv1alpha1.ResultPending || !l.Ready(st.Resources, j) {
			continue
		}
		if t.ID.GroupKind() != gk {
			if ok, err := flush(); !ok || err != nil {
				return err
			}
			gk = t.ID.GroupKind()
		}
		group = append(group, j)
	}
	if ok, err := flush(); !ok || err != nil {
		return err
	}
	return e.createReadyHooks(ctx, op, l, i, out)
}

// createReadyHooks creates the pending hooks of step i whose dependencies
// are done, once no non-hook task that may start is left unwritten.
func (e *Executor) createReadyHooks(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, i int, out *Outcome) error {
	st := &op.Status
	start, end := l.Range(i)
	for j := start; j < end; j++ {
		if st.Resources[j].Status == syncv1alpha1.ResultPending && !l.Tasks[j].IsHook() && l.Ready(st.Resources, j) {
			return nil // a non-hook object still waits; hooks come after
		}
	}
	for j := start; j < end; j++ {
		if l.Tasks[j].IsHook() && st.Resources[j].Status == syncv1alpha1.ResultPending && l.Ready(st.Resources, j) {
			if err := e.createHook(ctx, op, l, j, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyGroup applies tasks of one kind in parallel. It returns false when
// the step must not go on to the next kind (a rejection or a wait).
func (e *Executor) applyGroup(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, idx []int, out *Outcome) (bool, error) {
	type result struct {
		obj *unstructured.Unstructured
		err error
	}
	res := make([]result, len(idx))
	began := e.Clock.Now()
	out.markWrite(began)
	e.parallel(len(idx), func(k int) {
		obj, err := e.Applier.Apply(ctx, op, l.Tasks[idx[k]])
		res[k] = result{obj, err}
	})
	ok := true
	var transient error
	for k, i := range idx {
		if good, err := recordApply(op, l, i, res[k].obj, res[k].err, began, out); !good {
			ok = false
			if err != nil {
				transient = err
			}
		}
	}
	return ok, transient
}

// recordApply records the result of the write of task i begun at began.
// It returns false when the step must not go on (a rejection, a wait or a
// transient error, which it returns).
func recordApply(op *syncv1alpha1.SyncOperation, l *Layout, i int, obj *unstructured.Unstructured, err error, began time.Time, out *Outcome) (bool, error) {
	t, r := l.Tasks[i], &op.Status.Resources[i]
	now := metav1.NewMicroTime(began)
	switch {
	case err == nil:
		r.Status, r.Generation, r.StartedAt, r.Message = syncv1alpha1.ResultSynced, obj.GetGeneration(), &now, ""
		out.applied(i, obj)
		out.Applies = append(out.Applies, ApplyResult{Group: t.ID.Group, Kind: t.ID.Kind, OK: true})
		return true, nil
	case IsNotReady(err):
		r.Message = err.Error()
		out.RequeueAfter = notReadyRetry
		return false, nil
	case IsRejected(err):
		r.Status, r.Message = syncv1alpha1.ResultSyncFailed, err.Error()
		out.Applies = append(out.Applies, ApplyResult{Group: t.ID.Group, Kind: t.ID.Kind})
		return false, nil
	default:
		// Transient: the write is tried again; the message says what
		// holds it (e.g. a cluster that does not answer).
		r.Message = Truncate(err.Error(), MaxMessage)
		out.Applies = append(out.Applies, ApplyResult{Group: t.ID.Group, Kind: t.ID.Kind})
		return false, fmt.Errorf("apply %s: %w", t.ID, err)
	}
}

func (e *Executor) createHook(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, i int, out *Outcome) error {
	t, r := l.Tasks[i], &op.Status.Resources[i]
	out.markWrite(e.Clock.Now())
	waiting, err := e.Hooks.Create(ctx, op, t, r.Name)
	switch {
	case err == nil && waiting:
		r.Message = "waiting for the previous object of the same name to be deleted"
		out.RequeueAfter = time.Second
	case err == nil:
		now := metav1.NewMicroTime(e.Clock.Now())
		r.Status, r.HookPhase, r.StartedAt, r.Message = syncv1alpha1.ResultSynced, syncv1alpha1.HookRunning, &now, ""
		out.objectEvent(eventNormal, EventHookCreated, t, r.Name, fmt.Sprintf("hook %s created", hookID(t, *r)))
	case IsRejected(err):
		now := metav1.NewMicroTime(e.Clock.Now())
		r.Status, r.HookPhase, r.Message, r.FinishedAt = syncv1alpha1.ResultSyncFailed, syncv1alpha1.HookFailed, err.Error(), &now
		out.Hooks = append(out.Hooks, HookRun{Phase: t.Phase, Result: syncv1alpha1.HookFailed})
		out.objectEvent(eventWarning, EventHookFailed, t, r.Name, fmt.Sprintf("hook %s failed: %s", hookID(t, *r), err))
	default:
		r.Message = Truncate(err.Error(), MaxMessage)
		return fmt.Errorf("create hook %s: %w", hookID(t, *r), err)
	}
	return nil
}

// CreatedTargetNamespace is the namespace that the CreateNamespace=true
// sync option of op creates at its start: spec.targetNamespace, by
// default the operation's own; "" without the option.
func CreatedTargetNamespace(op *syncv1alpha1.SyncOperation) string {
	if opts, _ := syncv1alpha1.ParseSyncOptions(op.Spec.SyncOptions); opts[syncv1alpha1.SyncOptionCreateNamespace] != "true" {
		return ""
	}
	if op.Spec.TargetNamespace != "" {
		return op.Spec.TargetNamespace
	}
	return op.Namespace
}

// ensureTargetNamespace creates spec.targetNamespace when the operation's
// CreateNamespace=true sync option asks for it: at the start, once the
// plan is validated, before the first step. A create the API server
// refuses (Forbidden even when the namespace exists, for a
// namespace-scoped identity) is a rejection like a refused dry-run: the
// operation ends ApplyFailed with nothing applied. Other errors are
// returned, and the start is tried again.
func (e *Executor) ensureTargetNamespace(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout) (rejected string, err error) {
	ns := CreatedTargetNamespace(op)
	if ns == "" || l.FirstStep() < 0 {
		return "", nil
	}
	err = e.Applier.EnsureNamespace(ctx, op, ns)
	switch {
	case err == nil:
		return "", nil
	case IsRejected(err):
		return Truncate(fmt.Sprintf("spec.syncOptions CreateNamespace=true: namespace %s cannot be created: %v; nothing was applied", ns, err), MaxMessage), nil
	}
	return "", fmt.Errorf("create namespace %s: %w", ns, err)
}
