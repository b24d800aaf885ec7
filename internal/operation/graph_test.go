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
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	clocktesting "k8s.io/utils/clock/testing"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// graphYAML is one step with a graph: the API waits for the database, a
// Sync hook waits for the API, the worker and the ConfigMap wait for
// nothing.
const graphYAML = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: database}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, annotations: {syncwave.dev/depends-on: apps/Deployment/database}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: smoke
  annotations:
    argocd.argoproj.io/hook: Sync
    syncwave.dev/depends-on: apps/Deployment/api
spec: {activeDeadlineSeconds: 60, backoffLimit: 0}
`

// graphIndex finds the status index of the task named name.
func graphIndex(l *operation.Layout, name string) int {
	return slices.IndexFunc(l.Tasks, func(t *plan.Task) bool { return t.ID.Name == name })
}

func TestNextGraph(t *testing.T) {
	l := buildLayout(t, graphYAML)
	db, api, worker, cfg, smoke := graphIndex(l, "database"), graphIndex(l, "api"), graphIndex(l, "worker"), graphIndex(l, "cfg"), graphIndex(l, "smoke")
	g := NewWithT(t)
	g.Expect(l.Dependencies(api)).To(Equal([]int{db}))
	g.Expect(l.Dependencies(smoke)).To(Equal([]int{api}))
	g.Expect(l.Dependencies(worker)).To(BeEmpty())

	// state builds the status: each named task Synced (a hook Running),
	// the others Pending.
	state := func(synced ...int) *syncv1alpha1.SyncOperationStatus {
		st := running(l, syncv1alpha1.SyncPhaseSync, 0, t0)
		for i := range st.Resources {
			if slices.Contains(synced, i) {
				continue
			}
			st.Resources[i].Status = syncv1alpha1.ResultPending
			if st.Resources[i].HookType != "" {
				st.Resources[i].HookPhase = syncv1alpha1.HookPending
			}
		}
		return st
	}
	obs := func(o map[int]operation.Observation) map[int]operation.Observation { return o }
	cases := []struct {
		name     string
		status   *syncv1alpha1.SyncOperationStatus
		observed map[int]operation.Observation
		action   operation.Action
		// waits maps a task to the substring its blocked message has.
		waits map[int]string
		ready []int
	}{{
		name:   "entering the step: what depends on nothing is applied",
		status: state(), action: operation.ActionApply,
		waits: map[int]string{api: "depends on apps/Deployment/prod/database, waiting for it to be Healthy (not applied yet)",
			smoke: "depends on apps/Deployment/prod/api"},
		ready: []int{db, worker, cfg},
	}, {
		name:   "the API waits for the database, which is Progressing",
		status: state(db, worker, cfg), action: operation.ActionWait,
		observed: obs(map[int]operation.Observation{db: progressing, worker: healthy, cfg: healthy}),
		waits:    map[int]string{api: "waiting for it to be Healthy (Progressing: 1 of 3 updated replicas are available)"},
	}, {
		name:   "the database turns healthy: the API is applied, the worker may still progress",
		status: state(db, worker, cfg), action: operation.ActionApply,
		observed: obs(map[int]operation.Observation{db: healthy, worker: progressing, cfg: healthy}),
		ready:    []int{api},
	}, {
		name:   "the hook waits for the API",
		status: state(db, worker, cfg, api), action: operation.ActionWait,
		observed: obs(map[int]operation.Observation{db: healthy, worker: healthy, cfg: healthy, api: progressing}),
		waits:    map[int]string{smoke: "depends on apps/Deployment/prod/api, waiting for it to be Healthy (Progressing"},
	}, {
		name:   "the API is healthy: the hook is created",
		status: state(db, worker, cfg, api), action: operation.ActionApply,
		observed: obs(map[int]operation.Observation{db: healthy, worker: healthy, cfg: healthy, api: healthy}),
		ready:    []int{smoke},
	}, {
		name:   "the step is done when all are",
		status: state(db, worker, cfg, api, smoke), action: operation.ActionSucceed,
		observed: obs(map[int]operation.Observation{db: healthy, worker: healthy, cfg: healthy, api: healthy, smoke: healthy}),
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			d := operation.Next(operation.Input{Layout: l, Status: tc.status, Observed: tc.observed, Now: t0.Add(time.Second)})
			g.Expect(d.Action).To(Equal(tc.action), d.Message)
			for i, want := range tc.waits {
				j := slices.IndexFunc(d.Blocked, func(b syncv1alpha1.BlockedResource) bool { return b.Name == l.Tasks[i].ID.Name })
				g.Expect(j).To(BeNumerically(">=", 0), "%s is blocked", l.Tasks[i].ID)
				g.Expect(d.Blocked[j].Message).To(ContainSubstring(want))
				g.Expect(d.Resources[i].Message).To(ContainSubstring(want), "the wait is recorded in status")
			}
			if tc.action == operation.ActionWait {
				g.Expect(d.Message).NotTo(BeEmpty())
			}
			// The tasks an Apply may write: pending, every dependency done.
			if tc.ready != nil {
				st := tc.status.DeepCopy()
				for i, r := range d.Resources {
					st.Resources[i] = r
				}
				var got []int
				for i := range l.Tasks[:len(l.Tasks)-len(l.Plan.Skipped)] {
					if st.Resources[i].Status == syncv1alpha1.ResultPending && l.Ready(st.Resources, i) {
						got = append(got, i)
					}
				}
				g.Expect(got).To(ConsistOf(tc.ready))
			}
		})
	}
}

// logWorld is a world that logs every write in order; kinds in instant
// come back Healthy from the write itself.
type logWorld struct {
	*world
	mu      sync.Mutex // the engine writes objects of one kind in parallel
	log     []string
	instant map[string]bool
	// reject names objects the API server refuses.
	reject map[string]bool
}

type refused struct{ name string }

func (r refused) Error() string  { return r.name + " is invalid" }
func (r refused) Rejected() bool { return true }

func (w *logWorld) Apply(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task) (*unstructured.Unstructured, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.reject[t.ID.Name] {
		return nil, refused{t.ID.Name}
	}
	u, err := w.world.Apply(ctx, op, t)
	if err == nil {
		w.log = append(w.log, t.ID.Name)
		if w.instant[t.ID.Kind] {
			u.SetAnnotations(map[string]string{"seen": "2"})
		}
	}
	return u, err
}

func (w *logWorld) Create(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task, name string) (bool, error) {
	waiting, err := w.world.Create(ctx, op, t, name)
	if err == nil {
		w.log = append(w.log, name)
	}
	return waiting, err
}

// run drives op to its end with transitions (Expand, Run, Compact), and
// returns the log of writes of each transition.
func (w *logWorld) run(t *testing.T, l *operation.Layout, crash bool) (*syncv1alpha1.SyncOperation, [][]string) {
	t.Helper()
	clk := clocktesting.NewFakeClock(t0)
	persisted := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"}}
	var rounds [][]string
	for i := 0; !persisted.Status.Phase.Terminal() || operation.NeedsHousekeeping(&persisted.Status); i++ {
		if i > 100 {
			t.Fatalf("operation did not finish: %+v", persisted.Status)
		}
		clk.Step(100 * time.Millisecond)
		if crash { // a run whose status is lost, as if the controller died
			if _, err := w.transition(l, clk, persisted); err != nil {
				t.Fatal(err)
			}
		}
		before := len(w.log)
		next, err := w.transition(l, clk, persisted)
		if err != nil {
			t.Fatal(err)
		}
		rounds = append(rounds, slices.Clone(w.log[before:]))
		persisted = next
	}
	return persisted, rounds
}

func (w *logWorld) transition(l *operation.Layout, clk *clocktesting.FakeClock, persisted *syncv1alpha1.SyncOperation) (*syncv1alpha1.SyncOperation, error) {
	op := persisted.DeepCopy()
	op.Status.Resources = l.Expand(&op.Status, func(t *plan.Task) string { return w.Name(op, t) })
	ex := &operation.Executor{Applier: w, Hooks: w, Observer: w, Judge: w, Pruner: w, Clock: clk}
	if _, err := ex.Run(context.Background(), op, l, operation.Timing{Timeout: time.Hour}); err != nil {
		return nil, err
	}
	op.Status.Resources = l.Compact(&op.Status)
	return op, nil
}

func TestGraphAppliesEachObjectWhenItsDependenciesAreDone(t *testing.T) {
	g := NewWithT(t)
	l := buildLayout(t, graphYAML)
	w := &logWorld{world: newWorld("")}
	op, rounds := w.run(t, l, false)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	// Objects become healthy on their second look, so each level of the
	// graph takes one more transition; nothing else waits.
	var writes [][]string
	for _, r := range rounds {
		if len(r) > 0 {
			writes = append(writes, r)
		}
	}
	g.Expect(writes).To(HaveLen(3))
	g.Expect(writes[0]).To(ConsistOf("cfg", "database", "worker"))
	g.Expect(writes[1]).To(ConsistOf("api"))
	g.Expect(writes[2]).To(ConsistOf("smoke"))
	// The API is written in the very transition that sees the database
	// healthy: the third (the first two see it starting).
	g.Expect(rounds[2]).To(Equal([]string{"api"}))
	g.Expect(w.created).To(Equal(map[string]int{"Job/prod/smoke": 1}))
}

func TestGraphSurvivesALostStatus(t *testing.T) {
	g := NewWithT(t)
	l := buildLayout(t, graphYAML)
	quiet := &logWorld{world: newWorld("")}
	want, _ := quiet.run(t, l, false)
	crashy := &logWorld{world: newWorld("")}
	got, _ := crashy.run(t, l, true)
	g.Expect(got.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded))
	// The fake bumps the generation on every write, a real server only on
	// a change: the lost runs wrote the same objects again.
	noGen := func(st syncv1alpha1.SyncOperationStatus) syncv1alpha1.SyncOperationStatus {
		st = essence(st)
		for i := range st.Resources {
			st.Resources[i].Generation = 0
		}
		return st
	}
	g.Expect(cmp.Diff(noGen(want.Status), noGen(got.Status))).To(BeEmpty())
	g.Expect(crashy.created).To(Equal(map[string]int{"Job/prod/smoke": 1}), "the hook is created once")
	// No object is written before what it depends on was seen healthy.
	first := func(log []string, name string) int { return slices.Index(log, name) }
	g.Expect(first(crashy.log, "api")).To(BeNumerically(">", first(crashy.log, "database")))
	g.Expect(first(crashy.log, "smoke")).To(BeNumerically(">", first(crashy.log, "api")))
}

func TestGraphChainOfInstantObjectsRunsInOneCall(t *testing.T) {
	g := NewWithT(t)
	var b strings.Builder
	const depth = 10
	for i := range depth {
		dep := ""
		if i > 0 {
			dep = fmt.Sprintf(", annotations: {syncwave.dev/depends-on: ConfigMap/c%d}", i-1)
		}
		fmt.Fprintf(&b, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d%s}\n---\n", i, dep)
	}
	l := buildLayout(t, b.String())
	w := &logWorld{world: newWorld(""), instant: map[string]bool{"ConfigMap": true}}
	op, rounds := w.run(t, l, false)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(rounds[0]).To(HaveLen(depth), "the whole chain is written in the first call")
	for i := range depth {
		g.Expect(rounds[0][i]).To(Equal(fmt.Sprintf("c%d", i)))
	}
	g.Expect(rounds).To(HaveLen(1))
}

func TestGraphStopsAtARejectedWrite(t *testing.T) {
	g := NewWithT(t)
	// Two chains of instant objects; the second link of one is refused.
	l := buildLayout(t, graphDocs(20, 5))
	w := &logWorld{world: newWorld(""), instant: map[string]bool{"ConfigMap": true}, reject: map[string]bool{"l1-000": true}}
	op, _ := w.run(t, l, false)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonApplyFailed))
	g.Expect(op.Status.Message).To(ContainSubstring("l1-000 is invalid"))
	g.Expect(w.log).To(ContainElement("l0-000"))
	for _, name := range []string{"l2-000", "l3-000", "l4-000"} {
		g.Expect(w.log).NotTo(ContainElement(name), "nothing that depends on the refused object is written")
	}
}

func TestExpandKeepsAppliedTasksOfAGraphStep(t *testing.T) {
	g := NewWithT(t)
	// More than ListAllUpTo tasks: done tasks of the current step are not
	// listed, the ones waiting for a dependency are.
	var b strings.Builder
	b.WriteString("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: database}\n---\n")
	b.WriteString("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, annotations: {syncwave.dev/depends-on: apps/Deployment/database}}\n---\n")
	for i := range operation.ListAllUpTo + 20 {
		fmt.Fprintf(&b, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm%03d}\n---\n", i)
	}
	l := buildLayout(t, b.String())
	w := &logWorld{world: newWorld(""), instant: map[string]bool{"ConfigMap": true}}
	clk := clocktesting.NewFakeClock(t0)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"}}
	op, err := w.transition(l, clk, op)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(w.log).To(HaveLen(operation.ListAllUpTo + 21))
	g.Expect(len(op.Status.Resources)).To(BeNumerically("<", operation.ListAllUpTo))
	w.log = nil
	full := l.Expand(&op.Status, func(t *plan.Task) string { return t.ID.Name })
	for i, r := range full {
		if l.Tasks[i].ID.Name == "api" {
			g.Expect(r.Status).To(Equal(syncv1alpha1.ResultPending))
			continue
		}
		g.Expect(r.Status).To(Equal(syncv1alpha1.ResultSynced), "%s was applied", l.Tasks[i].ID)
	}
	for i := 0; i < 5 && !slices.Contains(w.log, "api"); i++ {
		clk.Step(time.Second)
		op, err = w.transition(l, clk, op)
		g.Expect(err).NotTo(HaveOccurred())
	}
	g.Expect(w.log).To(Equal([]string{"api"}), "nothing applied before is written again")
}
