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
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/resourceversion"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// Verdict is what an operation of an application may do now.
type Verdict string

// The verdicts of Admit.
const (
	// VerdictRun: nothing of the application is ahead; start.
	VerdictRun Verdict = "Run"
	// VerdictWait: stay Pending until the operations ahead have finished.
	VerdictWait Verdict = "Wait"
	// VerdictReplace: terminate Admission.Terminate, then wait for them.
	VerdictReplace Verdict = "Replace"
	// VerdictConflict: fail at once with reason Conflict (Forbid).
	VerdictConflict Verdict = "Conflict"
)

// Admission is the decision of Admit.
type Admission struct {
	Verdict Verdict
	// Ahead are the operations the operation waits for: those running,
	// then those queued before it, in creation order.
	Ahead []*syncv1alpha1.SyncOperation
	// Terminate are the operations of Ahead that Replace must still
	// terminate (spec.terminate not yet set).
	Terminate []*syncv1alpha1.SyncOperation
	// Message says what the operation waits for, or why it failed.
	Message string
}

// Before is the queue order of an application, its order of creation:
// creationTimestamp, which has whole seconds; within one second the
// resourceVersion at which each operation was admitted (AdmittedVersion),
// which the API server assigns in the order it creates objects, so that
// operations created from CI in the same second (often with generateName,
// whose names are random) run in the order they were created; then the
// name, for operations admitted by an older controller.
func Before(a, b *syncv1alpha1.SyncOperation) bool {
	return CompareCreation(a, b) < 0
}

// CompareCreation orders a and b as Before does, as a comparison (-1, 0, 1).
func CompareCreation(a, b *syncv1alpha1.SyncOperation) int {
	return cmp.Or(a.CreationTimestamp.Compare(b.CreationTimestamp.Time), compareAdmitted(a, b), cmp.Compare(a.Name, b.Name))
}

// compareAdmitted compares the admitted resourceVersions of a and b; 0
// when either is unknown.
func compareAdmitted(a, b *syncv1alpha1.SyncOperation) int {
	c, err := resourceversion.CompareResourceVersion(AdmittedVersion(a), AdmittedVersion(b))
	if err != nil {
		return 0
	}
	return c
}

// AdmittedVersion is status.admittedVersion, or, for an operation that the
// controller has not admitted yet, its resourceVersion (that of its
// creation, unless it was changed since); "" when unknown.
func AdmittedVersion(op *syncv1alpha1.SyncOperation) string {
	if v := op.Status.AdmittedVersion; v != "" {
		return v
	}
	if op.Status.Phase == "" {
		return op.ResourceVersion
	}
	return ""
}

// started reports whether an operation has begun its steps.
func started(op *syncv1alpha1.SyncOperation) bool {
	return op.Status.Phase == syncv1alpha1.OperationRunning || op.Status.Phase == syncv1alpha1.OperationTerminating
}

// runs reports whether op holds its application: it has begun its steps,
// or it is the one admitted (held) that has not yet written so.
func runs(op *syncv1alpha1.SyncOperation, held types.UID) bool {
	return started(op) || (held != "" && op.UID == held)
}

// Admit decides whether op, not yet started, may start (SPEC §13): at most
// one operation of an application runs at a time, and queued ones start in
// creation order. peers are the operations of op's application in its
// namespace (op itself may be among them). held is the operation that was
// last admitted, if the caller knows one that may not show it yet (its
// Running phase is written at the end of its first step). A peer
// is ahead of op when it runs or is held, or when it is queued and was
// created before op; operations being deleted or finished are not. It is a
// pure function.
func Admit(op *syncv1alpha1.SyncOperation, peers []syncv1alpha1.SyncOperation, held types.UID) Admission {
	var running, queued []*syncv1alpha1.SyncOperation
	for i := range peers {
		p := &peers[i]
		if p.UID == op.UID || p.Status.Phase.Terminal() || !p.DeletionTimestamp.IsZero() {
			continue
		}
		switch {
		case runs(p, held):
			running = append(running, p)
		case Before(p, op):
			queued = append(queued, p)
		}
	}
	slices.SortFunc(running, CompareCreation)
	slices.SortFunc(queued, CompareCreation)
	ahead := append(running, queued...)
	if len(ahead) == 0 {
		return Admission{Verdict: VerdictRun}
	}
	a := Admission{Ahead: ahead}
	app := op.Spec.Application
	switch op.Spec.ConcurrencyPolicy {
	case syncv1alpha1.ConcurrencyForbid:
		a.Verdict = VerdictConflict
		a.Message = fmt.Sprintf("SyncOperation %s of application %s is %s and concurrencyPolicy is Forbid", names(ahead), app, describe(ahead[0], held))
	case syncv1alpha1.ConcurrencyReplace:
		a.Verdict = VerdictWait
		var spared []*syncv1alpha1.SyncOperation
		for _, p := range ahead {
			switch {
			case op.Spec.DryRun && !p.Spec.DryRun:
				// A preview changes nothing: it never ends a sync.
				spared = append(spared, p)
			case !p.Spec.Terminate:
				a.Terminate = append(a.Terminate, p)
			}
		}
		if len(a.Terminate) > 0 {
			a.Verdict = VerdictReplace
		}
		a.Message = fmt.Sprintf("replacing: waiting for SyncOperation %s of application %s to terminate", names(ahead), app)
		if len(spared) > 0 {
			a.Message = fmt.Sprintf("queued: waiting for SyncOperation %s of application %s (%s) to finish; a dry run does not replace a sync",
				names(spared), app, describe(spared[0], held))
		}
	default:
		a.Verdict = VerdictWait
		a.Message = fmt.Sprintf("queued: waiting for SyncOperation %s of application %s (%s) to finish", names(ahead), app, describe(ahead[0], held))
	}
	return a
}

func describe(op *syncv1alpha1.SyncOperation, held types.UID) string {
	if runs(op, held) {
		return "running"
	}
	return "queued ahead"
}

func names(ops []*syncv1alpha1.SyncOperation) string {
	const shown = 3
	n := make([]string, 0, shown)
	for _, o := range ops[:min(shown, len(ops))] {
		n = append(n, o.Namespace+"/"+o.Name)
	}
	s := strings.Join(n, ", ")
	if len(ops) > shown {
		s += fmt.Sprintf(" and %d more", len(ops)-shown)
	}
	return s
}

// LastSucceeded returns the application's Succeeded operation that
// finished last (creation order breaks ties), or nil.
// A dry run changed nothing, so it is never the one. except is left out
// (the operation asking).
func LastSucceeded(peers []syncv1alpha1.SyncOperation, except *syncv1alpha1.SyncOperation) *syncv1alpha1.SyncOperation {
	return lastFinished(peers, except, func(p *syncv1alpha1.SyncOperation) bool {
		return p.Status.Phase == syncv1alpha1.OperationSucceeded
	})
}

// lastFinished returns, of the real operations (not dry runs) in peers
// that finished and that match, the one that finished last (creation order
// breaks ties), or nil. except is left out.
func lastFinished(peers []syncv1alpha1.SyncOperation, except *syncv1alpha1.SyncOperation, match func(*syncv1alpha1.SyncOperation) bool) *syncv1alpha1.SyncOperation {
	var best *syncv1alpha1.SyncOperation
	for i := range peers {
		p := &peers[i]
		if p.Status.FinishedAt == nil || p.Spec.DryRun || (except != nil && p.UID == except.UID) || !match(p) {
			continue
		}
		if best == nil || compareFinished(p, best) > 0 {
			best = p
		}
	}
	return best
}

// compareFinished orders finished operations by when they finished
// (status.finishedAt, to the microsecond), then by creation.
func compareFinished(a, b *syncv1alpha1.SyncOperation) int {
	return cmp.Or(a.Status.FinishedAt.Compare(b.Status.FinishedAt.Time), CompareCreation(a, b))
}

// Collect chooses which finished operations to delete (SPEC §2, §13): of
// ops (the operations of one application, or one operation without an
// application), those past their ttlSecondsAfterFinished, and, when limit
// is not negative, those beyond the newest limit finished ones. The
// application's last Succeeded operation is always kept, and so is the
// one that holds its inventory (InventoryHolder: a Failed one after it):
// the next prune needs it. next is how long until the next TTL of a kept
// operation expires (0: none). It is a pure function.
func Collect(ops []syncv1alpha1.SyncOperation, limit int, now time.Time) (victims []*syncv1alpha1.SyncOperation, next time.Duration) {
	var finished []*syncv1alpha1.SyncOperation
	for i := range ops {
		if ops[i].Status.Phase.Terminal() && ops[i].Status.FinishedAt != nil && ops[i].DeletionTimestamp.IsZero() {
			finished = append(finished, &ops[i])
		}
	}
	slices.SortFunc(finished, func(a, b *syncv1alpha1.SyncOperation) int { return compareFinished(b, a) }) // newest first
	var keep, holder *syncv1alpha1.SyncOperation
	if len(finished) > 0 && finished[0].Spec.Application != "" {
		keep, holder = LastSucceeded(ops, nil), InventoryHolder(ops, nil)
	}
	for rank, op := range finished {
		if op == keep || op == holder {
			continue
		}
		if limit >= 0 && rank >= limit {
			victims = append(victims, op)
			continue
		}
		ttl := op.Spec.TTLSecondsAfterFinished
		if ttl == nil {
			continue
		}
		at := op.Status.FinishedAt.Add(time.Duration(*ttl) * time.Second)
		if !now.Before(at) {
			victims = append(victims, op)
		} else if d := at.Sub(now); next == 0 || d < next {
			next = d
		}
	}
	return victims, next
}
