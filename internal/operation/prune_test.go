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
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	clocktesting "k8s.io/utils/clock/testing"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// Prune deletes a world object: it stays "terminating" until its next
// observation, as a foreground deletion does. An object labelled keep is
// kept (Prune=false).
func (w *world) Prune(_ context.Context, _ *syncv1alpha1.SyncOperation, t *plan.Task) (operation.PruneResult, error) {
	if err := w.effect(); err != nil {
		return operation.PruneResult{}, err
	}
	k := key(t, t.ID.Name)
	u, ok := w.objects[k]
	switch {
	case !ok:
		return operation.PruneResult{Gone: true, Message: "already gone"}, nil
	case u.GetLabels()["keep"] == "true":
		return operation.PruneResult{Kept: true, Message: "Prune=false"}, nil
	case u.GetLabels()["terminating"] == "true":
		return operation.PruneResult{Message: "being deleted"}, nil
	}
	u.SetLabels(map[string]string{"terminating": "true"})
	w.deletes = append(w.deletes, k)
	return operation.PruneResult{Message: "deleting"}, nil
}

const pruneV2 = `
apiVersion: v1
kind: ConfigMap
metadata: {name: kept}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: smoke
  annotations: {argocd.argoproj.io/hook: PostSync, argocd.argoproj.io/hook-delete-policy: BeforeHookCreation}
spec: {activeDeadlineSeconds: 60, backoffLimit: 0}
`

func pruneWorld() (*world, []plan.Entry) {
	w := newWorld("")
	inv := []plan.Entry{}
	for _, o := range []struct {
		kind, name string
		wave       int32
		labels     map[string]string
	}{{"ConfigMap", "kept", 0, nil}, {"ConfigMap", "old-config", 0, nil}, {"Service", "old-svc", 5, nil},
		{"ConfigMap", "protected", 3, map[string]string{"keep": "true"}}, {"ConfigMap", "vanished", 1, nil}} {
		id := plan.ObjectID{Kind: o.kind, Namespace: "prod", Name: o.name}
		inv = append(inv, plan.Entry{ID: id, Version: "v1", Phase: syncv1alpha1.SyncPhaseSync, Wave: o.wave})
		if o.name == "vanished" {
			continue
		}
		u := &unstructured.Unstructured{}
		u.SetAPIVersion("v1")
		u.SetKind(o.kind)
		u.SetName(o.name)
		u.SetNamespace("prod")
		u.SetLabels(o.labels)
		w.objects[o.kind+"/prod/"+o.name] = u
	}
	return w, inv
}

// TestPruneSurvivesCrashes prunes the previous inventory after the last
// Sync step, highest wave first, each wave waited for until gone, with the
// controller crashing after every write: nothing is deleted twice, the
// protected object is kept, and PostSync runs after every prune.
func TestPruneSurvivesCrashes(t *testing.T) {
	for _, mode := range []crashMode{calm, afterTransition, afterEveryEffect} {
		g := NewWithT(t)
		w, inv := pruneWorld()
		l := buildLayout(t, pruneV2)
		plan.AddPrune(l.Plan, plan.PruneCandidates(l.Plan, inv))
		l = operation.NewLayout(l.Plan)
		var steps []string
		for i := range l.Steps() {
			steps = append(steps, l.Step(i).String())
		}
		g.Expect(steps).To(Equal([]string{"Sync/0", "Prune/5", "Prune/3", "Prune/1", "Prune/0", "PostSync/0"}))

		op := drive(t, l, w, mode)
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
		g.Expect(w.deletes).To(Equal([]string{"Service/prod/old-svc", "ConfigMap/prod/old-config"}), "mode %d: highest wave first, once each", mode)
		g.Expect(w.objects).To(HaveKey("ConfigMap/prod/protected"))
		g.Expect(w.created).To(HaveKeyWithValue("Job/prod/smoke", 1))
		byName := map[string]syncv1alpha1.ResourceStatus{}
		for _, r := range op.Status.Resources {
			byName[r.Name] = r
		}
		g.Expect(byName["old-svc"].Status).To(Equal(syncv1alpha1.ResultPruned))
		g.Expect(byName["old-svc"].Health).To(Equal(syncv1alpha1.HealthMissing))
		g.Expect(byName["protected"].Status).To(Equal(syncv1alpha1.ResultPruneSkipped))
		g.Expect(byName["vanished"].Status).To(Equal(syncv1alpha1.ResultPruned))
		g.Expect(byName["vanished"].Message).To(Equal("already gone"))
	}
}

// TestAFailedPreDeleteHookDeletesNothing: the teardown's PreDelete hook
// fails: nothing is deleted, and the prune steps it never reached are
// Skipped with nothing counted as written.
func TestAFailedPreDeleteHookDeletesNothing(t *testing.T) {
	g := NewWithT(t)
	w, inv := pruneWorld()
	w.fail = "backup"
	l := buildLayout(t, `
apiVersion: batch/v1
kind: Job
metadata:
  name: backup
  annotations: {argocd.argoproj.io/hook: PreDelete}
spec: {activeDeadlineSeconds: 60, backoffLimit: 0}
`)
	l = operation.NewLayout(plan.Teardown(l.Plan, inv))
	op := drive(t, l, w, calm)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonHookFailed))
	g.Expect(w.deletes).To(BeEmpty())
	g.Expect(op.Status.Steps[0].Result).To(Equal(syncv1alpha1.StepFailed))
	for _, s := range op.Status.Steps[1:] {
		g.Expect(s.Result).To(Equal(syncv1alpha1.StepSkipped), "%s/%d", s.Phase, s.Wave)
		g.Expect(s.Synced).To(BeZero(), "%s/%d: nothing was deleted", s.Phase, s.Wave)
	}
}

// TestAPruneWaitSaysDeletion: while a pruned object is being deleted, the
// operation says it waits for its deletion, not for its health.
func TestAPruneWaitSaysDeletion(t *testing.T) {
	g := NewWithT(t)
	w, inv := pruneWorld()
	l := buildLayout(t, pruneV2)
	plan.AddPrune(l.Plan, plan.PruneCandidates(l.Plan, inv))
	l = operation.NewLayout(l.Plan)
	clk := clocktesting.NewFakeClock(t0)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"}}
	var messages []string
	for range 20 {
		next, err := transition(l, w, clk, op, operation.Timing{Timeout: time.Hour})
		g.Expect(err).NotTo(HaveOccurred())
		op = next
		messages = append(messages, op.Status.Message)
		if op.Status.Phase.Terminal() {
			break
		}
		clk.Step(100 * time.Millisecond)
	}
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded))
	g.Expect(messages).To(ContainElement(HavePrefix("waiting for deletion of Service prod/old-svc: ")))
	g.Expect(messages).NotTo(ContainElement(ContainSubstring("healthy state of Service prod/old-svc")))
}
