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
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// outcomeYAML: a PreSync Job deleted when it succeeds and a PostSync Job
// deleted when it fails.
const outcomeYAML = `
apiVersion: v1
kind: ConfigMap
metadata: {name: api-config}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/hook-delete-policy: HookSucceeded
---
apiVersion: batch/v1
kind: Job
metadata:
  generateName: smoke-
  annotations:
    argocd.argoproj.io/hook: PostSync
    argocd.argoproj.io/hook-delete-policy: HookFailed
`

// podReader reads outcomes from the fake world: only while the hook object
// exists, as pods go with their Job. Its log has 40 lines.
type podReader struct {
	w     *world
	calls map[string]int
}

func (r *podReader) Outcome(_ context.Context, _ *syncv1alpha1.SyncOperation, t *plan.Task, name string,
	result syncv1alpha1.HookPhase, _ operation.LogLimit) *syncv1alpha1.HookOutcome {
	k := key(t, name)
	r.calls[k]++
	if _, ok := r.w.objects[k]; !ok {
		return &syncv1alpha1.HookOutcome{Message: "no pod of Job " + name + " found"}
	}
	var lines []string
	for i := range 39 {
		lines = append(lines, fmt.Sprintf("%s line %02d %s", name, i, strings.Repeat("x", 60)))
	}
	lines = append(lines, "ERROR: relation users is locked")
	code := int32(0)
	if result == syncv1alpha1.HookFailed {
		code = 3
	}
	return &syncv1alpha1.HookOutcome{Pod: name + "-abcde", Container: "main", Reason: "Error", ExitCode: &code,
		Log: strings.Join(lines, "\n") + "\n"}
}

// runOutcomes drives op to its end, throwing away the status of every
// other transition (a crash before the status write), and returns the
// persisted operation and the events of the kept transitions.
func runOutcomes(t *testing.T, l *operation.Layout, w worldLike, r *podReader, spec syncv1alpha1.SyncOperationSpec) (*syncv1alpha1.SyncOperation, []operation.Event) {
	t.Helper()
	clk := clocktesting.NewFakeClock(t0)
	persisted := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1",
		CreationTimestamp: metav1.NewTime(t0)}, Spec: spec}
	var events []operation.Event
	run := func() *syncv1alpha1.SyncOperation {
		op := persisted.DeepCopy()
		op.Status.Resources = l.Expand(&op.Status, func(t *plan.Task) string { return w.Name(op, t) })
		ex := &operation.Executor{Applier: w, Hooks: w, Observer: w, Judge: w, Clock: clk, Outcomes: r}
		out, err := ex.Run(context.Background(), op, l, operation.Timing{Timeout: time.Hour})
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		op.Status.Resources = l.Compact(&op.Status)
		events = append(events, out.Events...)
		return op
	}
	for i := 0; !persisted.Status.Phase.Terminal() || operation.NeedsHousekeeping(&persisted.Status); i++ {
		if i > 2000 {
			t.Fatalf("operation did not finish: %+v", persisted.Status)
		}
		clk.Step(100 * time.Millisecond)
		n := len(events)
		run() // lost
		events = events[:n]
		persisted = run()
	}
	return persisted, events
}

func hookEntry(g Gomega, op *syncv1alpha1.SyncOperation, name string) syncv1alpha1.ResourceStatus {
	for _, r := range op.Status.Resources {
		if r.Name == name {
			return r
		}
	}
	g.Expect(name).To(BeEmpty(), "no status entry for %s", name)
	return syncv1alpha1.ResourceStatus{}
}

func TestHookOutcomeKeptBeforeTheDeletePolicy(t *testing.T) {
	g := NewWithT(t)
	l := buildLayout(t, outcomeYAML)
	w := newWorld("smoke-fixed")
	r := &podReader{w: w, calls: map[string]int{}}
	op, events := runOutcomes(t, l, w, r, syncv1alpha1.SyncOperationSpec{})

	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(w.objects).NotTo(HaveKey("Job/prod/smoke-fixed"), "HookFailed deleted the failed hook")
	g.Expect(w.objects).NotTo(HaveKey("Job/prod/migrate"), "HookSucceeded deleted the migration")

	smoke := hookEntry(g, op, "smoke-fixed")
	g.Expect(smoke.HookPhase).To(Equal(syncv1alpha1.HookFailed))
	// With no SyncFail step, blockedBy still shows the hook as it ended,
	// not as it was last seen running.
	g.Expect(op.Status.BlockedBy).To(HaveLen(1))
	g.Expect(op.Status.BlockedBy[0].Name).To(Equal("smoke-fixed"))
	g.Expect(op.Status.BlockedBy[0].HookPhase).To(Equal(syncv1alpha1.HookFailed))
	g.Expect(op.Status.BlockedBy[0].Message).To(HavePrefix(smoke.Message))
	o := smoke.Outcome
	g.Expect(o).NotTo(BeNil(), "the outcome was read while the hook still existed")
	g.Expect(o.Message).To(BeEmpty())
	g.Expect(o.Pod).To(Equal("smoke-fixed-abcde"))
	g.Expect(o.ExitCode).To(Equal(ptr.To[int32](3)))
	g.Expect(o.Log).To(HaveSuffix("ERROR: relation users is locked"))
	g.Expect(len(o.Log)).To(BeNumerically("<=", operation.FailedHookLog.Bytes))
	g.Expect(strings.Count(o.Log, "\n") + 1).To(BeNumerically("<=", operation.FailedHookLog.Lines))

	migrate := hookEntry(g, op, "migrate")
	g.Expect(migrate.Outcome).NotTo(BeNil())
	g.Expect(migrate.Outcome.ExitCode).To(Equal(ptr.To[int32](0)))
	g.Expect(len(migrate.Outcome.Log)).To(BeNumerically("<=", operation.SucceededHookLog.Bytes), "a success keeps less")
	g.Expect(strings.Count(migrate.Outcome.Log, "\n") + 1).To(BeNumerically("<=", operation.SucceededHookLog.Lines))

	g.Expect(events).To(ContainElement(HaveField("Message", "started: 3 steps, 3 tasks")))
	var failed []string
	for _, e := range events {
		if e.Reason == operation.EventHookFailed {
			failed = append(failed, e.Message)
		}
	}
	g.Expect(failed).To(HaveLen(1), "one HookFailed event, and it carries the outcome")
	g.Expect(failed[0]).To(ContainSubstring("hook batch/Job/prod/smoke-fixed failed: BackoffLimitExceeded"))
	g.Expect(failed[0]).To(ContainSubstring("pod smoke-fixed-abcde container main: Error, exit code 3"))
	g.Expect(failed[0]).To(HaveSuffix("\nERROR: relation users is locked"))
	g.Expect(len(failed[0])).To(BeNumerically("<=", operation.MaxMessage), "an event's note holds 1 KiB")
	g.Expect(r.calls).To(HaveKeyWithValue("Job/prod/smoke-fixed", BeNumerically(">=", 1)))
	// The operation's message names the pod and the exit code too, not
	// only the Job's condition; the log stays in the entry and the event.
	g.Expect(op.Status.Message).To(Equal("hook batch/Job/prod/smoke-fixed failed: BackoffLimitExceeded; pod smoke-fixed-abcde container main: Error, exit code 3"))
}

// TestARetriedHookFailureIsOneHookFailedEvent: with spec.retry, each
// failure of the hook is one HookFailed event (with its outcome), and the
// retry that follows it a Warning Retrying event, never a second
// HookFailed event.
func TestARetriedHookFailureIsOneHookFailedEvent(t *testing.T) {
	g := NewWithT(t)
	l := buildLayout(t, outcomeYAML)
	w := &flaky{world: newWorld("")}
	r := &podReader{w: w.world, calls: map[string]int{}}
	op, events := runOutcomes(t, l, w, r, syncv1alpha1.SyncOperationSpec{Retry: &syncv1alpha1.RetryStrategy{Limit: 1}})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	var failed, retrying []string
	for _, e := range events {
		switch e.Reason {
		case operation.EventHookFailed:
			failed = append(failed, e.Message)
		case operation.EventRetrying:
			retrying = append(retrying, e.Type+" "+e.Message)
		}
	}
	g.Expect(failed).To(HaveLen(1), "the one failure of the hook")
	g.Expect(failed[0]).To(ContainSubstring("exit code 3"))
	g.Expect(retrying).To(HaveLen(2), "the failure a retry will try again, then the retry")
	g.Expect(retrying[0]).To(HavePrefix("Warning hook batch/Job/prod/smoke-fixed failed: BackoffLimitExceeded; pod smoke-fixed-abcde container main: Error, exit code 3; retry 1 of 1 in 5s"))
	g.Expect(retrying[1]).To(Equal("Normal retrying step PostSync/0 (retry 1 of 1)"))
}

func TestTailLog(t *testing.T) {
	g := NewWithT(t)
	lim := operation.LogLimit{Lines: 2, Bytes: 20}
	g.Expect(operation.TailLog("a\nb\nc\n", lim)).To(Equal("b\nc"), "the last lines, no trailing newline")
	g.Expect(operation.TailLog("", lim)).To(Equal(""))
	long := operation.TailLog(strings.Repeat("é", 30), lim)
	g.Expect(long).To(HavePrefix("... "), "a cut is marked")
	g.Expect(len(long)).To(BeNumerically("<=", 20))
	g.Expect(utf8.ValidString(long)).To(BeTrue(), "cut at a character")
	g.Expect(operation.TailLog("x\ny", operation.LogLimit{})).To(Equal("x\ny"), "no limit")
	for n := 1; n <= 5; n++ { // limits shorter than the marker
		got := operation.TailLog(strings.Repeat("é", 30), operation.LogLimit{Bytes: n})
		g.Expect(len(got)).To(BeNumerically("<=", n), "limit %d", n)
		g.Expect(utf8.ValidString(got)).To(BeTrue(), "limit %d", n)
		short := operation.Truncate(strings.Repeat("é", 30), n)
		g.Expect(len(short)).To(BeNumerically("<=", n), "Truncate to %d", n)
		g.Expect(utf8.ValidString(short)).To(BeTrue(), "Truncate to %d", n)
	}
}

func TestOutcomeSummary(t *testing.T) {
	g := NewWithT(t)
	g.Expect(operation.OutcomeSummary(&syncv1alpha1.HookOutcome{Pod: "p", Container: "c", Reason: "OOMKilled", ExitCode: ptr.To[int32](137)})).
		To(Equal("pod p container c: OOMKilled, exit code 137"))
	g.Expect(operation.OutcomeSummary(&syncv1alpha1.HookOutcome{Message: "cannot list the pods of Job ns/j as u: forbidden"})).
		To(Equal("cannot list the pods of Job ns/j as u: forbidden"))
}

// TestAHookDeletedBeforeItWasSeenFails: a hook deleted past its finalizer
// before the controller ever looked at it (in the window before the
// informer of its kind synced, when reads go to the API server) fails the
// step at once; it waited with "hook object not found yet" until the
// timeout.
func TestAHookDeletedBeforeItWasSeenFails(t *testing.T) {
	g := NewWithT(t)
	w := newWorld("")
	w.vanish = map[string]bool{"smoke": true}
	l := buildLayout(t, pruneV2)
	clk := clocktesting.NewFakeClock(t0)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "uid-1"}}
	for range 10 {
		next, err := transition(l, w, clk, op, operation.Timing{Timeout: time.Hour})
		g.Expect(err).NotTo(HaveOccurred())
		op = next
		if op.Status.Phase.Terminal() {
			break
		}
		clk.Step(100 * time.Millisecond)
	}
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed), op.Status.Message)
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonHookFailed))
	g.Expect(op.Status.Message).To(ContainSubstring("hook batch/Job/prod/smoke failed: the hook object was deleted before it finished"))
	g.Expect(w.created).To(HaveKeyWithValue("Job/prod/smoke", 1))
}
