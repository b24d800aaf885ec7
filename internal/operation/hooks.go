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

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// terminate deletes the running hooks and ends the operation.
func (e *Executor) terminate(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, out *Outcome) error {
	st := &op.Status
	for i := range st.Resources {
		r := &st.Resources[i]
		if r.HookPhase != syncv1alpha1.HookRunning || r.Released {
			continue
		}
		if err := e.Hooks.Release(ctx, op, l.Tasks[i], r.Name, true); err != nil {
			return err
		}
		r.Released = true
		r.Message = appendMsg(r.Message, "deleted: operation terminated")
	}
	e.finish(op, out, syncv1alpha1.OperationFailed, syncv1alpha1.ReasonTerminated, "terminated by spec.terminate")
	return nil
}

// NeedsHousekeeping reports whether a finished operation still has hooks
// whose finalizer must be removed (or that must be deleted by policy).
func NeedsHousekeeping(st *syncv1alpha1.SyncOperationStatus) bool {
	for i := range st.Resources {
		r := &st.Resources[i]
		if r.HookType != "" && r.Status == syncv1alpha1.ResultSynced && !r.Released {
			return true
		}
	}
	return false
}

// housekeep releases hooks whose result is already persisted: the finalizer
// goes, and the hook is deleted when its policy matches its result. When
// all is true (a finished operation), hooks still running are released too.
func (e *Executor) housekeep(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, all bool) error {
	st := &op.Status
	if len(st.Resources) != len(l.Tasks) {
		return nil
	}
	for i := range st.Resources {
		r := &st.Resources[i]
		t := l.Tasks[i]
		if !t.IsHook() || r.Status != syncv1alpha1.ResultSynced || r.Released {
			continue
		}
		finished := r.HookPhase == syncv1alpha1.HookSucceeded || r.HookPhase == syncv1alpha1.HookFailed
		if !finished && !all {
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
