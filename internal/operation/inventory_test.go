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

package operation_test

import (
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// pinnedOp is appOp with a pinned plan.
func pinnedOp(name string, created int, phase syncv1alpha1.OperationPhase, finished int) syncv1alpha1.SyncOperation {
	op := appOp(name, created, phase, finished)
	op.Status.Snapshot = &syncv1alpha1.SnapshotRef{Name: name + "-plan", Digest: "sha256:" + name}
	return op
}

func TestInventoryHolder(t *testing.T) {
	deleted := func(op syncv1alpha1.SyncOperation) syncv1alpha1.SyncOperation {
		op.Spec.Action = syncv1alpha1.ActionDelete
		return op
	}
	preview := pinnedOp("preview", 3, syncv1alpha1.OperationFailed, 30)
	preview.Spec.DryRun = true
	for _, tc := range []struct {
		name string
		ops  []syncv1alpha1.SyncOperation
		want string
	}{
		{"none", nil, ""},
		{"the last Succeeded", []syncv1alpha1.SyncOperation{pinnedOp("s1", 1, syncv1alpha1.OperationSucceeded, 10), pinnedOp("s2", 2, syncv1alpha1.OperationSucceeded, 20)}, "s2"},
		{"a Failed one after it, which pinned a plan", []syncv1alpha1.SyncOperation{pinnedOp("s1", 1, syncv1alpha1.OperationSucceeded, 10), pinnedOp("f2", 2, syncv1alpha1.OperationFailed, 20)}, "f2"},
		{"not a Failed one that pinned nothing (invalid input, Forbid)", []syncv1alpha1.SyncOperation{pinnedOp("s1", 1, syncv1alpha1.OperationSucceeded, 10), appOp("f2", 2, syncv1alpha1.OperationFailed, 20)}, "s1"},
		{"not a dry run", []syncv1alpha1.SyncOperation{pinnedOp("s1", 1, syncv1alpha1.OperationSucceeded, 10), preview}, "s1"},
		{"not a running one", []syncv1alpha1.SyncOperation{pinnedOp("s1", 1, syncv1alpha1.OperationSucceeded, 10), pinnedOp("r2", 2, syncv1alpha1.OperationRunning, 0)}, "s1"},
		{"empty after a teardown", []syncv1alpha1.SyncOperation{pinnedOp("s1", 1, syncv1alpha1.OperationSucceeded, 10), deleted(pinnedOp("d2", 2, syncv1alpha1.OperationSucceeded, 20))}, ""},
		{"a failed teardown", []syncv1alpha1.SyncOperation{pinnedOp("s1", 1, syncv1alpha1.OperationSucceeded, 10), deleted(pinnedOp("d2", 2, syncv1alpha1.OperationFailed, 20))}, "d2"},
		{"empty when the last Succeeded pinned nothing", []syncv1alpha1.SyncOperation{pinnedOp("f1", 1, syncv1alpha1.OperationFailed, 10), appOp("s2", 2, syncv1alpha1.OperationSucceeded, 20)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := operation.InventoryHolder(tc.ops, nil)
			name := ""
			if got != nil {
				name = got.Name
			}
			NewWithT(t).Expect(name).To(Equal(tc.want))
		})
	}
}

// TestCollectKeepsAFailedInventoryHolder: past the history limit, the
// Failed operation that holds the inventory stays, beside the last
// Succeeded one.
func TestCollectKeepsAFailedInventoryHolder(t *testing.T) {
	ops := []syncv1alpha1.SyncOperation{
		pinnedOp("s1", 1, syncv1alpha1.OperationSucceeded, 10),
		pinnedOp("f2", 2, syncv1alpha1.OperationFailed, 20),
		appOp("f3", 3, syncv1alpha1.OperationFailed, 30),
		appOp("f4", 4, syncv1alpha1.OperationFailed, 40),
	}
	victims, _ := operation.Collect(ops, 1, t0)
	NewWithT(t).Expect(opNames(victims)).To(Equal([]string{"f3"}))
}

const inventoryYAML = `
apiVersion: v1
kind: ConfigMap
metadata: {name: held}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: added}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: held-late, annotations: {argocd.argoproj.io/sync-wave: "1"}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: never, annotations: {argocd.argoproj.io/sync-wave: "1"}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: smoke, annotations: {argocd.argoproj.io/hook: PostSync}}
spec: {backoffLimit: 0}
`

// TestInventoryOfAFailedOperation: an operation that failed in wave 1
// leaves to its application what it wrote, what the inventory held
// before it (written or not), the prunes it did not get to and the
// objects it kept; not the object it never wrote, nor a hook, nor a
// pruned object that is gone.
func TestInventoryOfAFailedOperation(t *testing.T) {
	g := NewWithT(t)
	p := buildLayout(t, inventoryYAML).Plan
	entry := func(name string, wave int32) plan.Entry {
		return plan.Entry{ID: plan.ObjectID{Kind: "ConfigMap", Namespace: "prod", Name: name}, Version: "v1", Phase: syncv1alpha1.SyncPhaseSync, Wave: wave}
	}
	previous := []plan.Entry{entry("held", 0), entry("held-late", 1), entry("old", 2), entry("gone", 2), entry("kept", 0)}
	plan.MarkInventoried(p, previous)
	plan.AddPrune(p, plan.PruneCandidates(p, previous[2:4]))
	p.Kept = previous[4:]
	l := operation.NewLayout(p)
	hookName := func(t *plan.Task) string { return t.ID.Name }

	st := &syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationFailed, Steps: l.InitialSteps()}
	st.Resources = l.InitialResources(hookName)
	for i, tk := range l.Tasks {
		r := &st.Resources[i]
		switch tk.ID.Name {
		case "held", "added":
			r.Status = syncv1alpha1.ResultSynced
		case "old":
			r.Status = syncv1alpha1.ResultSkipped
		case "gone":
			r.Status = syncv1alpha1.ResultPruned
		}
	}
	names := func(st *syncv1alpha1.SyncOperationStatus) []string {
		var out []string
		for _, e := range l.Inventory(st, hookName) {
			out = append(out, e.ID.Name)
		}
		return out
	}
	g.Expect(names(st)).To(ConsistOf("held", "added", "held-late", "old", "gone", "kept"),
		"a prune whose object may not be gone yet stays")
	gone := metav1.NewMicroTime(t0)
	for i, tk := range l.Tasks {
		if tk.ID.Name == "gone" {
			st.Resources[i].FinishedAt = &gone
		}
	}
	g.Expect(names(st)).To(ConsistOf("held", "added", "held-late", "old", "kept"))

	st.Phase = syncv1alpha1.OperationSucceeded
	g.Expect(names(st)).To(ConsistOf("held", "added", "held-late", "never", "kept"),
		"a Succeeded operation applied every plain resource; its prunes are done")
}
