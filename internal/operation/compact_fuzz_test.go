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
	"os"
	"path/filepath"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/json"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// FuzzCompactRoundTrip: for any plan (the manifests, plus extra ConfigMaps
// in one wave so that large operations are reached) and any state the
// engine can be in (steps before the current one Succeeded, the current
// one Running or Failed with its tasks in any state, later ones Pending),
// Expand(Compact(x)) gives back what the engine decides from: which tasks
// were applied, every hook's record, and, for every unfinished task, its
// generation, health and since when.
func FuzzCompactRoundTrip(f *testing.F) {
	f.Add([]byte(guideYAML), uint8(0), []byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte(guideYAML), uint8(120), []byte{0xff, 0x10, 0x33, 0x99, 0x42})
	files, _ := filepath.Glob("../plan/testdata/*/input.yaml")
	for i, in := range files {
		if data, err := os.ReadFile(in); err == nil {
			f.Add(data, uint8(i*17), []byte{byte(i), 3, 1, 4, 1, 5, 9, 2, 6})
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, extra uint8, state []byte) {
		l := fuzzLayout(data, int(extra))
		if l == nil || l.Steps() == 0 {
			return
		}
		st := fuzzStatus(l, &bytesSource{b: state})
		full := append([]syncv1alpha1.ResourceStatus(nil), st.Resources...)
		hookName := func(t *plan.Task) string { return "hook-" + t.ID.Name }
		st.Resources = l.Compact(st)
		if len(st.Resources) > operation.MaxListed {
			t.Fatalf("Compact kept %d entries, more than %d", len(st.Resources), operation.MaxListed)
		}
		got := l.Expand(st, hookName)
		if len(got) != len(full) {
			t.Fatalf("Expand gave %d entries, want %d", len(got), len(full))
		}
		for i := range full {
			if msg := lost(l.Tasks[i], &full[i], &got[i]); msg != "" {
				t.Fatalf("task %d (%s %s/%d): %s\nfull:     %+v\nexpanded: %+v", i, l.Tasks[i].ID, full[i].SyncPhase, full[i].Wave, msg, full[i], got[i])
			}
		}
	})
}

// lost says what the engine needs of want that got does not keep.
func lost(t *plan.Task, want, got *syncv1alpha1.ResourceStatus) string {
	if want.Status == syncv1alpha1.ResultSkipped {
		return ""
	}
	if t.IsHook() {
		if want.Status != got.Status || want.HookPhase != got.HookPhase || want.Released != got.Released || want.Name != got.Name {
			return "the hook's record changed"
		}
		return ""
	}
	if (want.Status == syncv1alpha1.ResultSynced) != (got.Status == syncv1alpha1.ResultSynced) {
		return fmt.Sprintf("applied %v became %v", want.Status == syncv1alpha1.ResultSynced, got.Status == syncv1alpha1.ResultSynced)
	}
	if want.Status == syncv1alpha1.ResultSyncFailed && got.Status != want.Status {
		return "a failed apply was forgotten"
	}
	done := want.Status == syncv1alpha1.ResultSynced && want.Health == health.Healthy
	if !done && want.Status == syncv1alpha1.ResultSynced {
		if want.Generation != got.Generation || want.Health != got.Health || !want.HealthSince.Equal(got.HealthSince) {
			return "an unfinished task lost its generation, health or health time"
		}
	}
	return ""
}

// fuzzLayout builds the plan of data plus extra ConfigMaps in wave 7.
func fuzzLayout(data []byte, extra int) *operation.Layout {
	objs, err := manifest.Parse("fuzz", data)
	if err != nil {
		return nil
	}
	us := manifest.Unstructured(objs)
	for i := range extra {
		raw := fmt.Sprintf(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"extra-%03d","annotations":{"argocd.argoproj.io/sync-wave":"7"}}}`, i)
		u := &unstructured.Unstructured{}
		if err := json.Unmarshal([]byte(raw), &u.Object); err != nil {
			return nil
		}
		us = append(us, u)
	}
	p, err := plan.Build(us, plan.Options{DefaultNamespace: "prod"})
	if err != nil {
		return nil
	}
	return operation.NewLayout(p)
}

// bytesSource hands out the fuzzer's bytes, then zeros.
type bytesSource struct {
	b []byte
	i int
}

func (s *bytesSource) next() int {
	if s.i >= len(s.b) {
		return 0
	}
	s.i++
	return int(s.b[s.i-1])
}

func (s *bytesSource) pick(n int) int { return s.next() % n }

// fuzzStatus is a state the engine can persist: the steps before the
// current one Succeeded with every task done, the current one Running (or
// Failed, then the operation Failed) with its tasks in any state, the later
// ones Pending.
func fuzzStatus(l *operation.Layout, src *bytesSource) *syncv1alpha1.SyncOperationStatus {
	hookName := func(t *plan.Task) string { return "hook-" + t.ID.Name }
	st := &syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning}
	st.Steps = l.InitialSteps()
	st.Resources = l.InitialResources(hookName)
	cur := src.pick(l.Steps())
	failed := src.pick(4) == 0
	at := metav1.NewMicroTime(t0)
	for s := range l.Steps() {
		start, end := l.Range(s)
		switch {
		case s < cur:
			st.Steps[s].Result, st.Steps[s].StartedAt, st.Steps[s].FinishedAt = syncv1alpha1.StepSucceeded, &at, &at
			for i := start; i < end; i++ {
				finish(l.Tasks[i], &st.Resources[i], src)
			}
		case s == cur:
			step := l.Step(s)
			st.Current = &syncv1alpha1.StepStatus{Phase: step.Phase, Wave: step.Wave, StartedAt: &at}
			st.Steps[s].Result, st.Steps[s].StartedAt = syncv1alpha1.StepRunning, &at
			if failed {
				st.Phase, st.Steps[s].Result, st.Steps[s].FinishedAt = syncv1alpha1.OperationFailed, syncv1alpha1.StepFailed, &at
				st.FailedStep = st.Current
			}
			for i := start; i < end; i++ {
				progress(l.Tasks[i], &st.Resources[i], src)
			}
		}
	}
	return st
}

// finish puts a task of a succeeded step in its final state.
func finish(t *plan.Task, r *syncv1alpha1.ResourceStatus, src *bytesSource) {
	at := metav1.NewMicroTime(t0)
	r.Status, r.StartedAt, r.FinishedAt = syncv1alpha1.ResultSynced, &at, &at
	if t.IsHook() {
		r.HookPhase, r.Released = syncv1alpha1.HookSucceeded, src.pick(2) == 0
		return
	}
	r.Health, r.Generation = health.Healthy, int64(src.next())
}

// progress puts a task of the current step in any state.
func progress(t *plan.Task, r *syncv1alpha1.ResourceStatus, src *bytesSource) {
	since := metav1.NewTime(t0.Add(time.Duration(src.next()) * time.Second))
	statuses := []syncv1alpha1.ResultStatus{syncv1alpha1.ResultPending, syncv1alpha1.ResultSynced, syncv1alpha1.ResultSynced, syncv1alpha1.ResultSyncFailed}
	r.Status = statuses[src.pick(len(statuses))]
	if r.Status == syncv1alpha1.ResultPending {
		if src.pick(2) == 0 {
			r.Message = "no matches for kind: the CRD is not established yet"
		}
		return
	}
	if t.IsHook() {
		phases := []syncv1alpha1.HookPhase{syncv1alpha1.HookRunning, syncv1alpha1.HookSucceeded, syncv1alpha1.HookFailed}
		r.HookPhase, r.Released = phases[src.pick(len(phases))], src.pick(2) == 0
		return
	}
	healths := []health.Status{health.Healthy, health.Progressing, health.Degraded, health.Unknown, health.Missing, ""}
	r.Health, r.HealthSince, r.Generation = healths[src.pick(len(healths))], &since, int64(src.next())
}
