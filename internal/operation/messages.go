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
	"fmt"
	"strings"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// rejectedMessage bounds the message of a start that the dry-run refused:
// the count and the first few errors; status.resources has each one.
func rejectedMessage(rejected []string) string {
	return fmt.Sprintf("server-side dry-run rejected %d object(s), nothing was applied: ", len(rejected)) +
		firstOf(rejected, " (see status.resources)")
}

// firstOf joins the first three items, each bounded, and counts the rest
// ("; and N more" and more).
func firstOf(items []string, more string) string {
	const shown = 3
	first := items[:min(shown, len(items))]
	for i := range first {
		first[i] = Truncate(first[i], MaxMessage/shown)
	}
	msg := strings.Join(first, "; ")
	if n := len(items) - shown; n > 0 {
		msg += fmt.Sprintf("; and %d more%s", n, more)
	}
	return msg
}

// sharedMessage is the SharedResource event of the objects that other
// applications manage and the operation takes over.
func sharedMessage(shared []string) string {
	return fmt.Sprintf("%d object(s) of other applications are taken over (FailOnSharedResource=true refuses that): ", len(shared)) +
		firstOf(shared, "")
}

// appendMsg joins two messages with "; " within MaxMessage; b is left out
// when a already says it.
func appendMsg(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "" || strings.Contains(a, b):
		return a
	}
	if len(a)+len("; ")+len(b) > MaxMessage {
		// Both stay within MaxMessage: what came later is not lost to
		// the cut of a long first message.
		b = Truncate(b, MaxMessage/2)
		a = Truncate(a, MaxMessage-len("; ")-len(b))
	}
	return a + "; " + b
}

// succeededMessage is the message of a Succeeded operation: what it did,
// in how many steps, after how many retries.
func succeededMessage(op *syncv1alpha1.SyncOperation, l *Layout) string {
	n := 0
	for _, st := range l.Plan.Steps {
		n += len(st.Tasks)
	}
	done := fmt.Sprintf("%s in %s", counted(n, "task"), counted(len(l.Plan.Steps), "step"))
	switch r := op.Status.RetryCount; {
	case r == 1:
		done += " (after 1 retry)"
	case r > 1:
		done += fmt.Sprintf(" (after %d retries)", r)
	}
	if op.Spec.IsDelete() {
		return fmt.Sprintf("application %s torn down: %s", op.Spec.Application, done)
	}
	if k := len(l.Plan.Kept); k > 0 {
		done += fmt.Sprintf("; %s of application %s that the manifests no longer contain left in place (spec.prune is false)",
			counted(k, "object"), op.Spec.Application)
	}
	return "successfully synced " + done
}

// startedMessage is the message of the OperationStarted event.
func startedMessage(steps, tasks int) string {
	return "started: " + counted(steps, "step") + ", " + counted(tasks, "task")
}

// counted is "1 task", "2 tasks".
func counted(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
