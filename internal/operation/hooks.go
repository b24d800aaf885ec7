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

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

// terminate ends the operation at once when it has not started (nothing is
// applied), and otherwise deletes its running hooks, found on the cluster
// by the operation's UID label, staying Terminating until they are gone,
// or until the operation's timeout has passed: a hook that another
// finalizer holds (its controller is down) does not keep the operation
// Terminating forever; ours is gone from it by then.
func (e *Executor) terminate(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, in Input, out *Outcome) error {
	st := &op.Status
	pending := st.Phase == "" || st.Phase == syncv1alpha1.OperationPending
	if pending && st.Snapshot == nil {
		e.finish(op, l, out, syncv1alpha1.OperationFailed, syncv1alpha1.ReasonTerminated, TerminatedBy(op)+" before it started: nothing was applied")
		return nil
	}
	reclaimed := 0
	if st.Phase != syncv1alpha1.OperationTerminating {
		reclaimed = e.reclaim(ctx, op, l)
	}
	st.Phase = syncv1alpha1.OperationTerminating
	st.Message = "terminating: deleting running hooks"
	left, err := e.sweep(ctx, op, l, func(_ *plan.Task, r *syncv1alpha1.ResourceStatus, _ LiveHook) bool {
		if finished(r) {
			return policyRemoves(l, r)
		}
		r.Message = appendMsg(r.Message, "deleted: operation terminated")
		return true
	})
	if err != nil {
		return err
	}
	if left > 0 {
		if limit, ok := opLimit(in); ok && !in.Now.Before(limit) {
			e.finish(op, l, out, syncv1alpha1.OperationFailed, syncv1alpha1.ReasonTerminated, fmt.Sprintf(
				"%s; %d hook(s) still being deleted past the operation's timeout of %s (held by finalizers that are not syncwave's)", TerminatedBy(op), left, in.Timing.Timeout))
			return nil
		}
		st.Message = fmt.Sprintf("terminating: waiting for %d running hook(s) to be deleted", left)
		out.RequeueAfter = notReadyRetry * 4
		return nil
	}
	msg := TerminatedBy(op)
	switch {
	case pending && reclaimed == 0:
		msg += " before it started: nothing was applied"
	case pending:
		msg += fmt.Sprintf(" before its start was recorded: %d object(s) it had applied stay", reclaimed)
	case reclaimed > 0:
		msg += fmt.Sprintf("; %d object(s) it applied after its last recorded step stay", reclaimed)
	}
	e.finish(op, l, out, syncv1alpha1.OperationFailed, syncv1alpha1.ReasonTerminated, msg)
	return nil
}

// TerminatedBy says who terminated op: "terminated by spec.terminate", or
// by the operation named in its syncwave.dev/terminated-by annotation (a
// concurrencyPolicy Replace).
func TerminatedBy(op *syncv1alpha1.SyncOperation) string {
	by := op.Annotations[syncv1alpha1.AnnotationTerminatedBy]
	if by == "" {
		return "terminated by spec.terminate"
	}
	return "terminated by SyncOperation " + Truncate(by, 256) + " (concurrencyPolicy Replace)"
}

func finished(r *syncv1alpha1.ResourceStatus) bool {
	return r.HookPhase == syncv1alpha1.HookSucceeded || r.HookPhase == syncv1alpha1.HookFailed
}

// policyRemoves reports whether a finished hook's delete policy deletes it.
func policyRemoves(l *Layout, r *syncv1alpha1.ResourceStatus) bool {
	i, ok := l.index[keyOf(r)]
	if !ok {
		return false
	}
	h := l.Tasks[i].Hook
	return (r.HookPhase == syncv1alpha1.HookSucceeded && h.HasPolicy(syncv1alpha1.HookDeletePolicyHookSucceeded)) ||
		(r.HookPhase == syncv1alpha1.HookFailed && h.HasPolicy(syncv1alpha1.HookDeletePolicyHookFailed))
}

// HookKinds lists the kinds and namespaces that the plan's hooks live in.
func (l *Layout) HookKinds() []HookKind {
	seen := map[HookKind]bool{}
	var out []HookKind
	for _, t := range l.Tasks {
		if !t.IsHook() {
			continue
		}
		k := HookKind{GVK: t.Object.GroupVersionKind(), Namespace: t.ID.Namespace}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// sweep releases every live hook of op (found by its UID label, so also
// one whose record was lost): remove decides whether it is deleted or only
// loses its finalizer. Every hook record of a started step is then marked
// released. It returns how many deleted hooks still exist.
func (e *Executor) sweep(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout,
	remove func(t *plan.Task, r *syncv1alpha1.ResourceStatus, h LiveHook) bool) (int, error) {
	st := &op.Status
	l.prepare(st, func(t *plan.Task) string { return e.Hooks.Name(op, t) })
	kinds := l.HookKinds()
	if len(kinds) == 0 {
		return 0, nil
	}
	live, err := e.Hooks.List(ctx, op, kinds)
	if err != nil {
		return 0, fmt.Errorf("list hooks of SyncOperation %s/%s: %w", op.Namespace, op.Name, err)
	}
	type ref struct {
		gvk      string
		ns, name string
	}
	deleted := map[ref]bool{}
	for _, h := range live {
		i := l.liveIndex(h)
		if i < 0 || i >= len(st.Resources) {
			continue
		}
		r := &st.Resources[i]
		rm := remove(l.Tasks[i], r, h)
		if !rm && !h.Finalizer {
			continue
		}
		if err := e.Hooks.Release(ctx, op, l.Tasks[i], h.Name, rm); err != nil {
			return 0, err
		}
		if rm {
			deleted[ref{h.GVK.String(), h.Namespace, h.Name}] = true
		}
	}
	for i := range st.Resources {
		r := &st.Resources[i]
		if l.Tasks[i].IsHook() && (r.Status == syncv1alpha1.ResultSynced || r.Status == syncv1alpha1.ResultPending) && stepStarted(l, st, i) {
			r.Released = true
		}
	}
	if len(deleted) == 0 {
		return 0, nil
	}
	after, err := e.Hooks.List(ctx, op, kinds)
	if err != nil {
		return 0, fmt.Errorf("list hooks of SyncOperation %s/%s: %w", op.Namespace, op.Name, err)
	}
	left := 0
	for _, h := range after {
		if deleted[ref{h.GVK.String(), h.Namespace, h.Name}] {
			left++
		}
	}
	return left, nil
}

// liveIndex finds the task of a live hook: same kind, namespace, name and
// the phase it was created for.
func (l *Layout) liveIndex(h LiveHook) int {
	for i, r := range l.initial {
		t := l.Tasks[i]
		if t.IsHook() && r.Name == h.Name && t.ID.Namespace == h.Namespace && t.Object.GroupVersionKind() == h.GVK &&
			(h.Phase == "" || h.Phase == t.Phase) {
			return i
		}
	}
	return -1
}

func stepStarted(l *Layout, st *syncv1alpha1.SyncOperationStatus, i int) bool {
	if len(st.Steps) != len(l.steps) {
		return true
	}
	for s, r := range l.steps {
		if i >= r.start && i < r.end {
			switch st.Steps[s].Result {
			case syncv1alpha1.StepRunning, syncv1alpha1.StepSucceeded, syncv1alpha1.StepFailed:
				return true
			}
			return false
		}
	}
	return false
}

// NeedsHousekeeping reports whether a finished operation still has hooks
// whose finalizer must be removed (or that must be deleted by policy),
// including hooks of started steps whose creation was never recorded.
func NeedsHousekeeping(st *syncv1alpha1.SyncOperationStatus) bool {
	for i := range st.Resources {
		r := &st.Resources[i]
		if r.HookType != "" && !r.Released && (r.Status == syncv1alpha1.ResultSynced || r.Status == syncv1alpha1.ResultPending) {
			return true
		}
	}
	return false
}

// Settled reports whether op needs nothing more but the idempotent upkeep
// of a finished operation (history, caches): it is finished, not being
// deleted, and has no hook left to release.
func Settled(op *syncv1alpha1.SyncOperation) bool {
	return op.Status.Phase.Terminal() && op.DeletionTimestamp.IsZero() && !NeedsHousekeeping(&op.Status)
}

// housekeep releases hooks whose result is already persisted: the finalizer
// goes, and the hook is deleted when its policy matches its result. When
// all is true (a finished operation), every live hook of the operation is
// released: those still running, and those whose record was lost.
func (e *Executor) housekeep(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, all bool) error {
	st := &op.Status
	if len(st.Resources) != len(l.Tasks) {
		return nil
	}
	if all {
		_, err := e.sweep(ctx, op, l, func(_ *plan.Task, r *syncv1alpha1.ResourceStatus, _ LiveHook) bool {
			return finished(r) && !r.Released && policyRemoves(l, r)
		})
		return err
	}
	for i := range st.Resources {
		r := &st.Resources[i]
		t := l.Tasks[i]
		if !t.IsHook() || r.Status != syncv1alpha1.ResultSynced || r.Released || !finished(r) {
			continue
		}
		remove := (r.HookPhase == syncv1alpha1.HookSucceeded && t.Hook.HasPolicy(syncv1alpha1.HookDeletePolicyHookSucceeded)) ||
			(r.HookPhase == syncv1alpha1.HookFailed && t.Hook.HasPolicy(syncv1alpha1.HookDeletePolicyHookFailed))
		if err := e.Hooks.Release(ctx, op, t, r.Name, remove); err != nil {
			return err
		}
		r.Released = true
	}
	return nil
}

// ReleaseAll releases every live hook of a deleted operation: hooks that
// carry no owner reference to it (in another namespace, or on another
// cluster: Hooks.Owned) are deleted, the others only lose their finalizer
// and go with the operation.
func (e *Executor) ReleaseAll(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout) error {
	if len(op.Status.Resources) != len(l.Tasks) {
		op.Status.Resources = l.Expand(&op.Status, func(t *plan.Task) string { return e.Hooks.Name(op, t) })
	}
	_, err := e.sweep(ctx, op, l, func(t *plan.Task, _ *syncv1alpha1.ResourceStatus, _ LiveHook) bool {
		return !e.Hooks.Owned(op, t.ID.Namespace)
	})
	return err
}
