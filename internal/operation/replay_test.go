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
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	clocktesting "k8s.io/utils/clock/testing"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// world is a fake cluster: objects become healthy (hooks complete) on their
// second observation, and a hook named in fail fails instead.
type world struct {
	objects map[string]*unstructured.Unstructured
	created map[string]int
	seen    map[string]int
	fail    string
	// budget, when positive, is how many more effects (writes) succeed
	// before the controller "crashes": every later effect fails.
	budget int
	// crashes counts the runs thrown away.
	crashes int
	// effects counts the writes made.
	effects int
	// deletes logs the deletions prune asked for, in order.
	deletes []string
	// vanish names hooks that someone deletes (past their finalizer) as
	// soon as they are created, before any look at them; Get then answers
	// as the API server does before the informer synced (ErrAbsent).
	vanish map[string]bool
}

var errCrash = errors.New("crashed")

func newWorld(fail string) *world {
	return &world{objects: map[string]*unstructured.Unstructured{}, created: map[string]int{}, seen: map[string]int{}, fail: fail}
}

// effect spends one effect of the budget; an error means the controller
// died before making it.
func (w *world) effect() error {
	if w.budget < 0 {
		return errCrash
	}
	if w.budget > 0 {
		w.budget--
		if w.budget == 0 {
			w.budget = -1
		}
	}
	w.effects++
	return nil
}

// finalized lists the objects that still carry the hook finalizer.
func (w *world) finalized() []string {
	var out []string
	for k, u := range w.objects {
		if slices.Contains(u.GetFinalizers(), syncv1alpha1.HookFinalizer) {
			out = append(out, k)
		}
	}
	return out
}

func key(t *plan.Task, name string) string { return t.ID.Kind + "/" + t.ID.Namespace + "/" + name }

func (w *world) DryRun(context.Context, *syncv1alpha1.SyncOperation, *plan.Task) error { return nil }

func (w *world) Apply(_ context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task) (*unstructured.Unstructured, error) {
	if err := w.effect(); err != nil {
		return nil, err
	}
	k := key(t, t.ID.Name)
	gen := int64(1)
	if old, ok := w.objects[k]; ok {
		gen = old.GetGeneration() + 1
	}
	u := t.Object.DeepCopy()
	u.SetGeneration(gen)
	u.SetAnnotations(map[string]string{syncv1alpha1.AnnotationOperation: op.Namespace + "/" + op.Name})
	u.SetCreationTimestamp(op.CreationTimestamp)
	w.objects[k] = u
	out := u.DeepCopy()
	out.SetAnnotations(map[string]string{"seen": "1"}) // as written: not ready yet
	return out, nil
}

func (w *world) EnsureNamespace(context.Context, *syncv1alpha1.SyncOperation, string) error {
	return nil
}

func (w *world) Owned(op *syncv1alpha1.SyncOperation, namespace string) bool {
	return namespace == op.Namespace
}

func (w *world) Name(_ *syncv1alpha1.SyncOperation, t *plan.Task) string {
	if t.Hook != nil && t.Hook.GenerateName {
		return t.ID.Name + "fixed"
	}
	return t.ID.Name
}

func (w *world) Create(_ context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task, name string) (bool, error) {
	if err := w.effect(); err != nil {
		return false, err
	}
	k := key(t, name)
	if old, ok := w.objects[k]; ok {
		if old.GetLabels()[syncv1alpha1.LabelOperationUID] == string(op.UID) {
			return false, nil
		}
		delete(w.objects, k)
	}
	u := t.Object.DeepCopy()
	u.SetName(name)
	u.SetLabels(map[string]string{syncv1alpha1.LabelOperationUID: string(op.UID)})
	u.SetAnnotations(map[string]string{"phase": string(t.Phase)})
	u.SetFinalizers([]string{syncv1alpha1.HookFinalizer})
	w.objects[k] = u
	w.created[k]++
	if w.vanish[name] {
		delete(w.objects, k)
	}
	return false, nil
}

func (w *world) Release(_ context.Context, _ *syncv1alpha1.SyncOperation, t *plan.Task, name string, remove bool) error {
	if err := w.effect(); err != nil {
		return err
	}
	k := key(t, name)
	if remove {
		delete(w.objects, k)
	} else if u, ok := w.objects[k]; ok {
		u.SetFinalizers(nil)
	}
	return nil
}

func (w *world) List(_ context.Context, op *syncv1alpha1.SyncOperation, kinds []operation.HookKind) ([]operation.LiveHook, error) {
	var out []operation.LiveHook
	for _, u := range w.objects {
		if u.GetLabels()[syncv1alpha1.LabelOperationUID] != string(op.UID) {
			continue
		}
		for _, k := range kinds {
			if k.GVK == u.GroupVersionKind() && k.Namespace == u.GetNamespace() {
				out = append(out, operation.LiveHook{GVK: k.GVK, Namespace: u.GetNamespace(), Name: u.GetName(),
					Phase:     syncv1alpha1.SyncPhase(u.GetAnnotations()["phase"]),
					Finalizer: slices.Contains(u.GetFinalizers(), syncv1alpha1.HookFinalizer)})
			}
		}
	}
	return out, nil
}

func (w *world) Get(_ context.Context, _ *syncv1alpha1.SyncOperation, t *plan.Task, name string) (*unstructured.Unstructured, error) {
	k := key(t, name)
	u, ok := w.objects[k]
	if !ok && w.vanish[name] {
		return nil, operation.ErrAbsent
	}
	if !ok {
		return nil, nil
	}
	if u.GetLabels()["terminating"] == "true" && w.seen[k] > 0 { // a deletion ends on its second look
		delete(w.objects, k)
		return nil, nil
	}
	w.seen[k]++
	u = u.DeepCopy()
	ann := map[string]string{"seen": fmt.Sprint(w.seen[k])}
	if by := u.GetAnnotations()[syncv1alpha1.AnnotationOperation]; by != "" {
		ann[syncv1alpha1.AnnotationOperation] = by
	}
	u.SetAnnotations(ann)
	return u, nil
}

// transition runs one reconcile as the controller does: the full record is
// expanded from the persisted (compact) status, and compacted again.
func transition(l *operation.Layout, w *world, clk *clocktesting.FakeClock, persisted *syncv1alpha1.SyncOperation, timing operation.Timing) (*syncv1alpha1.SyncOperation, error) {
	op := persisted.DeepCopy()
	op.Status.Resources = l.Expand(&op.Status, func(t *plan.Task) string { return w.Name(op, t) })
	ex := &operation.Executor{Applier: w, Hooks: w, Observer: w, Judge: w, Pruner: w, Clock: clk}
	if _, err := ex.Run(context.Background(), op, l, timing); err != nil {
		return nil, err
	}
	op.Status.Resources = l.Compact(&op.Status)
	return op, nil
}

func (w *world) Health(u *unstructured.Unstructured) health.Result {
	if u.GetAnnotations()["seen"] == "1" {
		return health.Result{Status: health.Progressing, Message: "starting"}
	}
	return health.Result{Status: health.Healthy}
}

func (w *world) HookPhase(u *unstructured.Unstructured) (syncv1alpha1.HookPhase, string) {
	switch {
	case u.GetAnnotations()["seen"] == "1":
		return syncv1alpha1.HookRunning, "running"
	case u.GetName() == w.fail:
		return syncv1alpha1.HookFailed, "BackoffLimitExceeded"
	}
	return syncv1alpha1.HookSucceeded, ""
}

// crashMode says how drive loses status writes.
type crashMode int

const (
	// calm persists every transition.
	calm crashMode = iota
	// afterTransition runs every transition once and throws it away, as if
	// the controller died before persisting status.
	afterTransition
	// afterEveryEffect runs every transition again and again, dying after
	// its first, second, ... write and throwing each run away, until a run
	// makes all of its writes.
	afterEveryEffect
)

// drive runs op to its end; each run starts from the persisted status
// alone, with a new Executor.
func drive(t *testing.T, l *operation.Layout, w *world, mode crashMode) *syncv1alpha1.SyncOperation {
	t.Helper()
	clk := clocktesting.NewFakeClock(t0)
	timing := operation.Timing{Timeout: time.Hour}
	persisted := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"}}
	for i := 0; ; i++ {
		if i > 500 {
			t.Fatalf("operation did not finish: %+v", persisted.Status)
		}
		if persisted.Status.Phase.Terminal() && !operation.NeedsHousekeeping(&persisted.Status) {
			return persisted
		}
		clk.Step(100 * time.Millisecond)
		switch mode {
		case afterTransition:
			if _, err := transition(l, w, clk, persisted, timing); err != nil {
				t.Fatalf("run: %v", err)
			}
		case afterEveryEffect:
			for budget := 1; ; budget++ {
				w.budget = budget
				_, err := transition(l, w, clk, persisted, timing)
				w.crashes++
				if err == nil || !errors.Is(err, errCrash) {
					break
				}
			}
			w.budget = 0
		}
		next, err := transition(l, w, clk, persisted, timing)
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		persisted = next
	}
}

// essence drops timestamps and observation counts: what must not depend on
// when the controller crashed.
func essence(st syncv1alpha1.SyncOperationStatus) syncv1alpha1.SyncOperationStatus {
	st = *st.DeepCopy()
	st.StartedAt, st.FinishedAt, st.Current, st.BlockedBy = nil, nil, nil, nil
	if st.FailedStep != nil {
		st.FailedStep.StartedAt = nil
	}
	for i := range st.Resources {
		r := &st.Resources[i]
		r.StartedAt, r.FinishedAt, r.HealthSince = nil, nil, nil
	}
	for i := range st.Steps {
		st.Steps[i].StartedAt, st.Steps[i].FinishedAt = nil, nil
	}
	return st
}

func TestReplaySurvivesACrashAfterEveryTransition(t *testing.T) {
	for _, mode := range []crashMode{afterTransition, afterEveryEffect} {
		for _, fail := range []string{"", "smoke-fixed"} {
			t.Run(fmt.Sprintf("mode=%d/fail=%s", mode, fail), func(t *testing.T) {
				replay(t, mode, fail)
			})
		}
	}
}

func replay(t *testing.T, mode crashMode, fail string) {
	t.Helper()
	{
		{
			g := NewWithT(t)
			l := buildLayout(t, guideYAML)
			quiet := newWorld(fail)
			want := drive(t, l, quiet, calm)
			crashy := newWorld(fail)
			got := drive(t, l, crashy, mode)

			g.Expect(cmp.Diff(essence(want.Status), essence(got.Status))).To(BeEmpty())
			for k, n := range crashy.created {
				g.Expect(n).To(Equal(1), "hook %s created %d times", k, n)
			}
			g.Expect(crashy.created).To(Equal(quiet.created))
			if mode == afterEveryEffect {
				g.Expect(crashy.crashes).To(BeNumerically(">", crashy.effects/2), "a run died after each write")
			}
			g.Expect(crashy.finalized()).To(BeEmpty(), "no hook keeps its finalizer")
			g.Expect(quiet.finalized()).To(BeEmpty(), "no hook keeps its finalizer")
			if fail == "" {
				g.Expect(got.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded))
				g.Expect(crashy.created).To(HaveLen(2)) // migrate and smoke; never notify
				g.Expect(crashy.objects).NotTo(HaveKey("Job/prod/migrate"), "HookSucceeded deletes the hook")
			} else {
				g.Expect(got.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
				g.Expect(got.Status.Reason).To(Equal(syncv1alpha1.ReasonHookFailed))
				g.Expect(crashy.created).To(HaveKey("Job/prod/notify"))
				g.Expect(crashy.objects).To(HaveKey("Job/prod/smoke-fixed"), "a failed hook without HookFailed stays")
			}
		}
	}
}

func TestReplayOrder(t *testing.T) {
	g := NewWithT(t)
	l := buildLayout(t, guideYAML)
	w := newWorld("")
	op := drive(t, l, w, calm)
	var order []string
	full := l.Expand(&op.Status, func(t *plan.Task) string { return w.Name(op, t) })
	notify := full[len(full)-1]
	g.Expect(notify.Name).To(Equal("notify"))
	g.Expect(notify.Status).To(Equal(syncv1alpha1.ResultSkipped), "a SyncFail hook that never ran is Skipped, not Pending")
	g.Expect(notify.HookPhase).To(BeEmpty())
	g.Expect(op.Status.Steps[len(op.Status.Steps)-1].Result).To(Equal(syncv1alpha1.StepSkipped))
	for _, r := range full {
		order = append(order, fmt.Sprintf("%s/%d %s", r.SyncPhase, r.Wave, r.Name))
	}
	g.Expect(order).To(Equal([]string{
		"PreSync/-2 migrate", "Sync/-20 hook-sa", "Sync/-20 api-config", "Sync/0 api", "PostSync/0 smoke-fixed", "SyncFail/0 notify",
	}))
	g.Expect(op.Status.Summary).To(BeNil()) // the controller derives the summary
}
