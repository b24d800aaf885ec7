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
	"fmt"
	"testing"

	. "github.com/onsi/gomega"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

const postDeleteHook = `
apiVersion: batch/v1
kind: Job
metadata:
  name: goodbye
  annotations: {argocd.argoproj.io/hook: PostDelete}
spec: {backoffLimit: 0}
`

// TestCompactKeepsStateOverTheCap tears down 700 objects (more notable
// prune entries than status.resources holds) with a PostDelete hook
// running: the hook's record and the prunes that Prune=false kept are
// persisted, the pruned entries give way.
func TestCompactKeepsStateOverTheCap(t *testing.T) {
	var inv []plan.Entry
	for i := range 700 {
		inv = append(inv, plan.Entry{ID: plan.ObjectID{Kind: "ConfigMap", Namespace: "prod", Name: fmt.Sprintf("cm-%03d", i)},
			Version: "v1", Phase: syncv1alpha1.SyncPhaseSync})
	}
	l := operation.NewLayout(plan.Teardown(buildLayout(t, postDeleteHook).Plan, inv))
	g := NewWithT(t)
	g.Expect(l.Steps()).To(Equal(2), "one Prune step, one PostDelete step")
	hookName := func(t *plan.Task) string { return t.ID.Name }

	st := &syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning, Steps: l.InitialSteps()}
	st.Resources = l.InitialResources(hookName)
	st.Steps[0].Result, st.Steps[1].Result = syncv1alpha1.StepSucceeded, syncv1alpha1.StepRunning
	st.Current = &syncv1alpha1.StepStatus{Phase: syncv1alpha1.SyncPhasePostDelete}
	hook := -1
	for i, tk := range l.Tasks {
		r := &st.Resources[i]
		switch {
		case tk.IsHook():
			hook = i
			r.Status, r.HookPhase, r.Health = syncv1alpha1.ResultSynced, syncv1alpha1.HookRunning, health.Progressing
		case i%100 == 99: // cm-699 last: after the cut of a list in layout order
			r.Status, r.Health = syncv1alpha1.ResultPruneSkipped, health.Healthy
		default:
			r.Status, r.Health = syncv1alpha1.ResultPruned, health.Missing
		}
	}
	g.Expect(hook).To(Equal(len(l.Tasks) - 1))
	full := append([]syncv1alpha1.ResourceStatus(nil), st.Resources...)

	st.Resources = l.Compact(st)
	g.Expect(st.Resources).To(HaveLen(operation.MaxListed))
	got := l.Expand(st, hookName)
	g.Expect(got[hook].Status).To(Equal(syncv1alpha1.ResultSynced))
	g.Expect(got[hook].HookPhase).To(Equal(syncv1alpha1.HookRunning), "the running hook's record is kept")
	for i := range full {
		if full[i].Status == syncv1alpha1.ResultPruneSkipped {
			g.Expect(got[i].Status).To(Equal(syncv1alpha1.ResultPruneSkipped), "%s stays in the inventory", l.Tasks[i].ID)
		}
	}
}
