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
	"maps"
	"slices"
	"strings"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

// OutcomeReader reads what a finished hook left behind (SPEC §6 "Hook
// outcome kept"): for a Job or a Pod, how its pod ended and the end of its
// log. Executor asks for it in the call that first observes the hook
// finished, while the hook's finalizer still keeps it, so the outcome is
// persisted with the hook's result, before any delete policy runs.
type OutcomeReader interface {
	// Outcome returns the outcome of the live hook name of task t, which
	// ended with result (Succeeded or Failed), its log bounded by limit, or
	// nil for a kind that runs no pod. What cannot be read is said in the
	// outcome's message, never returned as an error: the evidence must not
	// fail a step.
	Outcome(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task, name string,
		result syncv1alpha1.HookPhase, limit LogLimit) *syncv1alpha1.HookOutcome
}

// LogLimit bounds the log kept of one hook: its last Lines lines, and of
// those at most the last Bytes bytes.
type LogLimit struct {
	Lines int
	Bytes int
}

// The log kept of a failed hook, and the smaller one of a hook that
// succeeded (status holds one per hook of every started step).
var (
	FailedHookLog    = LogLimit{Lines: 20, Bytes: 2048}
	SucceededHookLog = LogLimit{Lines: 5, Bytes: 512}
)

// maxOutcomeField bounds the names and the reason of an outcome.
const maxOutcomeField = 253

// truncatedHead marks a log whose beginning was cut.
const truncatedHead = "... "

// readOutcomes records the outcome of every hook that decision d sees
// finish now, in d.Resources, so that record puts it in status and in the
// HookFailed event. Hooks are read in parallel.
func (e *Executor) readOutcomes(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, d Decision) {
	if e.Outcomes == nil {
		return
	}
	var todo []int
	for i, r := range d.Resources {
		if l.Tasks[i].IsHook() && finished(&r) && r.Outcome == nil && !finished(&op.Status.Resources[i]) {
			todo = append(todo, i)
		}
	}
	got := make([]*syncv1alpha1.HookOutcome, len(todo))
	e.parallel(len(todo), func(k int) {
		i := todo[k]
		r := d.Resources[i]
		limit := SucceededHookLog
		if r.HookPhase == syncv1alpha1.HookFailed {
			limit = FailedHookLog
		}
		got[k] = boundOutcome(e.Outcomes.Outcome(ctx, op, l.Tasks[i], r.Name, r.HookPhase, limit), limit)
	})
	for k, i := range todo {
		if got[k] != nil {
			r := d.Resources[i]
			r.Outcome = got[k]
			d.Resources[i] = r
		}
	}
}

// withOutcome appends to the message of a HookFailed decision what the
// failed hook's outcome says (pod, container, reason, exit code), so that
// status.message and status.failedStep name what failed, not only the
// Job's condition. The log, and a note of what could not be read, stay in
// the hook's entry and its event.
func withOutcome(l *Layout, d *Decision) {
	if d.Reason != syncv1alpha1.ReasonHookFailed {
		return
	}
	for _, i := range slices.Sorted(maps.Keys(d.Resources)) {
		r := d.Resources[i]
		if !l.Tasks[i].IsHook() || r.HookPhase != syncv1alpha1.HookFailed || r.Outcome == nil ||
			!strings.HasPrefix(d.Message, "hook "+hookID(l.Tasks[i], r)+" failed: ") {
			continue
		}
		o := *r.Outcome
		o.Message = "" // what could not be read: the entry and the event say it
		if s := OutcomeSummary(&o); s != "" {
			d.Message = Truncate(d.Message+"; "+s, MaxMessage)
		}
		return
	}
}

// boundOutcome holds an outcome to the sizes status allows, whatever the
// reader returned.
func boundOutcome(o *syncv1alpha1.HookOutcome, limit LogLimit) *syncv1alpha1.HookOutcome {
	if o == nil {
		return nil
	}
	o.Pod = Truncate(o.Pod, maxOutcomeField)
	o.Container = Truncate(o.Container, maxOutcomeField)
	o.Reason = Truncate(o.Reason, maxOutcomeField)
	o.Message = Truncate(o.Message, MaxMessage)
	o.Log = TailLog(o.Log, limit)
	return o
}

// TailLog returns the end of log: its last limit.Lines lines and, of
// those, at most the last limit.Bytes bytes (cut at a character, marked
// with a leading "... "). A trailing newline is dropped.
func TailLog(log string, limit LogLimit) string {
	log = strings.TrimRight(log, "\n")
	if limit.Lines > 0 {
		lines := strings.Split(log, "\n")
		if len(lines) > limit.Lines {
			log = strings.Join(lines[len(lines)-limit.Lines:], "\n")
		}
	}
	return tailBytes(log, limit.Bytes)
}

// tailBytes keeps the last n bytes of s, cut at a character boundary and
// marked with truncatedHead.
func tailBytes(s string, n int) string {
	if n <= 0 || len(s) <= n {
		return s
	}
	head := truncatedHead
	if n <= len(head) { // no room for the marker: the bare tail
		head = ""
	}
	cut := len(s) - n + len(head)
	for cut < len(s) && !utf8Start(s[cut]) {
		cut++
	}
	return head + s[cut:]
}

// OutcomeSummary is one line about an outcome: the pod and container, the
// termination reason and exit code, and what could not be read.
func OutcomeSummary(o *syncv1alpha1.HookOutcome) string {
	var parts []string
	if o.Pod != "" {
		where := "pod " + o.Pod
		if o.Container != "" {
			where += " container " + o.Container
		}
		parts = append(parts, where)
	}
	var end []string
	if o.Reason != "" {
		end = append(end, o.Reason)
	}
	if o.ExitCode != nil {
		end = append(end, fmt.Sprintf("exit code %d", *o.ExitCode))
	}
	if len(end) > 0 {
		parts = append(parts, strings.Join(end, ", "))
	}
	if o.Message != "" {
		parts = append(parts, o.Message)
	}
	return strings.Join(parts, ": ")
}

// hookFailedMessage is the message of a HookFailed event: the hook and why
// it failed, its outcome and as much of the end of its log as the event
// holds (MaxMessage, the API server's limit of an event's note).
func hookFailedMessage(t *plan.Task, r syncv1alpha1.ResourceStatus) string {
	msg := fmt.Sprintf("hook %s failed: %s", hookID(t, r), r.Message)
	o := r.Outcome
	if o == nil {
		return Truncate(msg, MaxMessage)
	}
	msg = Truncate(msg, MaxMessage/4)
	if s := OutcomeSummary(o); s != "" {
		msg = Truncate(msg+"; "+s, MaxMessage/2)
	}
	const logPrefix = "; log:\n"
	if room := MaxMessage - len(msg) - len(logPrefix); o.Log != "" && room > len(truncatedHead) {
		msg += logPrefix + tailBytes(o.Log, room)
	}
	return msg
}
