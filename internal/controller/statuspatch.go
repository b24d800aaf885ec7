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
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
)

// finish projects the engine's full record onto the compact status,
// derives summary and conditions, writes what changed, then records events
// and metrics of what happened.
func (r *SyncOperationReconciler) finish(ctx context.Context, before, op *syncv1alpha1.SyncOperation, pn *pinned, out *operation.Outcome) error {
	if pn != nil && len(op.Status.Resources) == len(pn.layout.Tasks) {
		skippedFrom := pn.layout.SkippedFrom()
		if op.Spec.DryRun {
			skippedFrom = 0 // a preview applies nothing
		}
		summarize(&op.Status, skippedFrom)
		op.Status.Resources = pn.layout.Compact(&op.Status)
	}
	setConditions(op, out.WaitReason)
	op.Status.ObservedGeneration = op.Generation
	boundMessages(&op.Status)
	fit(&op.Status)
	var started time.Time // to the nanosecond: the written status has seconds only
	if before.Status.StartedAt == nil && op.Status.StartedAt != nil {
		started = op.Status.StartedAt.Time
	}
	if err := r.patchStatus(ctx, before, op); err != nil {
		return err
	}
	r.record(op, out)
	if !started.IsZero() && r.Metrics != nil {
		seen, ok := r.seen.take(op.UID)
		r.Metrics.Queued(op.Namespace, max(0, started.Sub(queueStart(op.CreationTimestamp.Time, seen, ok))))
	}
	return nil
}

// patchStatus writes the difference between before's and op's status as a
// JSON patch: top-level fields that changed, and in status.resources and
// status.steps only the entries that changed, so a health flip writes one
// entry, not the whole list. The resourceVersion read is a precondition.
func (r *SyncOperationReconciler) patchStatus(ctx context.Context, before, op *syncv1alpha1.SyncOperation) error {
	boundMessages(&op.Status)
	if equality.Semantic.DeepEqual(before.Status, op.Status) {
		return nil
	}
	ops, err := statusPatch(&before.Status, &op.Status)
	if err != nil {
		return fmt.Errorf("patch status of SyncOperation %s/%s: %w", op.Namespace, op.Name, err)
	}
	ops = append([]patchOp{{Op: "replace", Path: "/metadata/resourceVersion", Value: before.ResourceVersion}}, ops...)
	data, err := json.Marshal(ops)
	if err != nil {
		return err
	}
	if err := r.Client.Status().Patch(ctx, op, client.RawPatch(types.JSONPatchType, data)); err != nil {
		return fmt.Errorf("patch status of SyncOperation %s/%s: %w", op.Namespace, op.Name, err)
	}
	return nil
}

type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// listFields are patched entry by entry when their length is unchanged.
var listFields = []string{"resources", "steps"}

func statusPatch(before, after *syncv1alpha1.SyncOperationStatus) ([]patchOp, error) {
	b, err := fields(before)
	if err != nil {
		return nil, err
	}
	a, err := fields(after)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return []patchOp{{Op: "add", Path: "/status", Value: a}}, nil
	}
	var ops []patchOp
	for _, k := range slices.Sorted(keys(a, b)) {
		av, inA := a[k]
		bv, inB := b[k]
		path := "/status/" + k
		switch {
		case !inA:
			ops = append(ops, patchOp{Op: "remove", Path: path})
		case !inB:
			ops = append(ops, patchOp{Op: "add", Path: path, Value: av})
		case reflect.DeepEqual(av, bv):
		case slices.Contains(listFields, k):
			ops = append(ops, listPatch(path, bv, av)...)
		default:
			ops = append(ops, patchOp{Op: "replace", Path: path, Value: av})
		}
	}
	return ops, nil
}

// listPatch patches a list entry by entry. Entries are matched by key
// (resources: the task; steps: the position), in the same relative order
// on both sides, so an entry that appears, goes or changes costs one op.
func listPatch(path string, before, after any) []patchOp {
	bl, okB := before.([]any)
	al, okA := after.([]any)
	if !okA || !okB {
		return []patchOp{{Op: "replace", Path: path, Value: after}}
	}
	inA, inB := keySet(al), keySet(bl)
	if len(inA) != len(al) || len(inB) != len(bl) { // a key twice: match by position instead
		return []patchOp{{Op: "replace", Path: path, Value: after}}
	}
	var ops []patchOp
	pos, i, j := 0, 0, 0
	for i < len(bl) || j < len(al) {
		switch {
		case i < len(bl) && !inA[entryKey(bl[i], i)]:
			ops = append(ops, patchOp{Op: "remove", Path: path + "/" + strconv.Itoa(pos)})
			i++
		case j < len(al) && !inB[entryKey(al[j], j)]:
			ops = append(ops, patchOp{Op: "add", Path: path + "/" + strconv.Itoa(pos), Value: al[j]})
			pos, j = pos+1, j+1
		case i < len(bl) && j < len(al):
			if !reflect.DeepEqual(al[j], bl[i]) {
				ops = append(ops, patchOp{Op: "replace", Path: path + "/" + strconv.Itoa(pos), Value: al[j]})
			}
			pos, i, j = pos+1, i+1, j+1
		default: // cannot happen: keys matched on one side only
			return []patchOp{{Op: "replace", Path: path, Value: after}}
		}
	}
	if len(ops) > len(al) { // cheaper to write the list
		return []patchOp{{Op: "replace", Path: path, Value: after}}
	}
	return ops
}

// entryKey identifies a list entry: a task by its reference, phase and
// wave; anything else (steps) by its position.
func entryKey(v any, i int) string {
	m, ok := v.(map[string]any)
	if !ok || m["kind"] == nil || m["name"] == nil {
		return "#" + strconv.Itoa(i)
	}
	return fmt.Sprint(m["group"], "/", m["kind"], "/", m["namespace"], "/", m["name"], "/", m["syncPhase"], "/", m["wave"])
}

func keySet(l []any) map[string]bool {
	out := make(map[string]bool, len(l))
	for i, v := range l {
		out[entryKey(v, i)] = true
	}
	return out
}

func fields(st *syncv1alpha1.SyncOperationStatus) (map[string]any, error) {
	raw, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	return m, json.Unmarshal(raw, &m)
}

func keys(ms ...map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		seen := map[string]bool{}
		for _, m := range ms {
			for k := range m {
				if !seen[k] {
					seen[k] = true
					if !yield(k) {
						return
					}
				}
			}
		}
	}
}

// maxStatusBytes keeps the whole SyncOperation well inside etcd's 1.5 MiB.
const maxStatusBytes = 768 << 10

// fit drops status.resources entries from the end, should the status still
// be too large after compaction, and says so in the message: a status that
// cannot be written would stall the operation silently.
func fit(st *syncv1alpha1.SyncOperationStatus) {
	raw, err := json.Marshal(st)
	if err != nil || len(raw) <= maxStatusBytes || len(st.Resources) == 0 {
		return
	}
	per := len(raw) / max(len(st.Resources), 1)
	keep := max(len(st.Resources)-(len(raw)-maxStatusBytes)/per-1, 0)
	dropped := len(st.Resources) - keep
	st.Resources = st.Resources[:keep]
	st.Message = operation.Truncate(st.Message, operation.MaxMessage-80) +
		fmt.Sprintf(" (%d status.resources entries left out to fit the object limit)", dropped)
}

// The CRD's bounds of the strings boundMessages shortens besides the
// messages, and the API server's bound of an event's note.
const (
	maxChangedField = 256
	maxRevision     = 1024
	maxDigest       = 200
	maxEventNote    = 1024
)

// boundMessages keeps every message of status within operation.MaxMessage,
// status.blockedBy within its item limit and every other string that
// comes from outside (changed field paths, Flux revisions) within the
// CRD's bounds, so that no status write is refused for its size.
func boundMessages(st *syncv1alpha1.SyncOperationStatus) {
	st.Message = operation.Truncate(st.Message, operation.MaxMessage)
	for _, s := range []*syncv1alpha1.StepStatus{st.Current, st.FailedStep} {
		if s != nil {
			s.Message = operation.Truncate(s.Message, operation.MaxMessage)
		}
	}
	st.BlockedBy = st.BlockedBy[:min(len(st.BlockedBy), syncv1alpha1.MaxBlockedBy)]
	for i := range st.BlockedBy {
		st.BlockedBy[i].Message = operation.Truncate(st.BlockedBy[i].Message, operation.MaxMessage)
	}
	for i := range st.Resources {
		r := &st.Resources[i]
		r.Message = operation.Truncate(r.Message, operation.MaxMessage)
		for j := range r.ChangedFields {
			r.ChangedFields[j] = operation.Truncate(r.ChangedFields[j], maxChangedField)
		}
	}
	for i := range st.Revisions { // written by whoever made the Flux source
		rv := &st.Revisions[i]
		rv.Revision, rv.Digest = operation.Truncate(rv.Revision, maxRevision), operation.Truncate(rv.Digest, maxDigest)
	}
	for i := range st.Conditions {
		st.Conditions[i].Message = operation.Truncate(st.Conditions[i].Message, operation.MaxMessage)
	}
}

func (r *SyncOperationReconciler) record(op *syncv1alpha1.SyncOperation, out *operation.Outcome) {
	for _, e := range out.Events {
		action := "Sync"
		if e.Step != "" {
			action = "Step " + e.Step
		}
		var related runtime.Object // nil, not a nil *ObjectReference
		if e.Object != nil {
			related = e.Object
		}
		// The API server refuses an event whose note is longer.
		r.Recorder.Eventf(op, related, e.Type, e.Reason, action, "%s", operation.Truncate(e.Message, maxEventNote))
	}
	if r.Metrics == nil {
		return
	}
	for _, a := range out.Applies {
		result := "success"
		if !a.OK {
			result = "error"
		}
		r.Metrics.Apply(a.Group, a.Kind, result)
	}
	for _, s := range out.Steps {
		r.Metrics.StepFinished(string(s.Phase), s.Wave, s.Duration)
	}
	for range out.Retries {
		r.Metrics.Retried(op.Namespace)
	}
	for _, p := range out.Prunes {
		r.Metrics.Prune(p.Result)
	}
	if out.Transition != nil {
		r.Metrics.StepTransition(*out.Transition)
	}
	for _, h := range out.Hooks {
		r.Metrics.HookFinished(string(h.Phase), string(h.Result), h.Duration)
	}
	if f := out.Finished; f != nil {
		result := string(f.Phase)
		if f.Reason == syncv1alpha1.ReasonTerminated {
			result = "Terminated"
		}
		r.Metrics.OperationFinished(op.Namespace, result, f.Reason, f.Duration)
	}
}
