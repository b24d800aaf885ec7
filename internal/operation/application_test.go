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
	"slices"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
)

// appOp is an operation of application "web" created at t0+created
// seconds, in phase (finished at t0+finished seconds when terminal).
func appOp(name string, created int, phase syncv1alpha1.OperationPhase, finished int) syncv1alpha1.SyncOperation {
	op := syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "prod", UID: types.UID(name),
		CreationTimestamp: metav1.NewTime(t0.Add(time.Duration(created) * time.Second))},
		Spec:   syncv1alpha1.SyncOperationSpec{Application: "web", ConcurrencyPolicy: syncv1alpha1.ConcurrencyQueue},
		Status: syncv1alpha1.SyncOperationStatus{Phase: phase}}
	if phase.Terminal() {
		at := metav1.NewMicroTime(t0.Add(time.Duration(finished) * time.Second))
		op.Status.FinishedAt = &at
	}
	return op
}

// admitted sets the resourceVersion at which op was admitted.
func admitted(op syncv1alpha1.SyncOperation, version string) syncv1alpha1.SyncOperation {
	op.Status.AdmittedVersion = version
	op.ResourceVersion = version + "9" // later writes
	return op
}

// created sets op's resourceVersion, admittedVersion left empty.
func created(op syncv1alpha1.SyncOperation, version string) syncv1alpha1.SyncOperation {
	op.ResourceVersion = version
	return op
}

func opNames(ops []*syncv1alpha1.SyncOperation) []string {
	out := []string{}
	for _, o := range ops {
		out = append(out, o.Name)
	}
	return out
}

func TestAdmit(t *testing.T) {
	pending, running, done := syncv1alpha1.OperationPending, syncv1alpha1.OperationRunning, syncv1alpha1.OperationSucceeded
	cases := []struct {
		name    string
		self    syncv1alpha1.SyncOperation
		policy  syncv1alpha1.ConcurrencyPolicy
		peers   []syncv1alpha1.SyncOperation
		verdict operation.Verdict
		ahead   []string
		held    types.UID // the operation admitted last
	}{
		{"alone", appOp("b", 2, pending, 0), "", nil, operation.VerdictRun, nil, ""},
		{"finished peers do not count", appOp("b", 2, pending, 0), "", []syncv1alpha1.SyncOperation{appOp("a", 1, done, 2)}, operation.VerdictRun, nil, ""},
		{"queued behind the running one", appOp("b", 2, pending, 0), "", []syncv1alpha1.SyncOperation{appOp("a", 1, running, 0)}, operation.VerdictWait, []string{"a"}, ""},
		{"a later running one blocks too", appOp("b", 2, pending, 0), "", []syncv1alpha1.SyncOperation{appOp("c", 3, running, 0)}, operation.VerdictWait, []string{"c"}, ""},
		{"creation order among queued", appOp("c", 3, pending, 0), "", []syncv1alpha1.SyncOperation{appOp("d", 4, pending, 0), appOp("b", 2, pending, 0), appOp("a", 1, running, 0)},
			operation.VerdictWait, []string{"a", "b"}, ""},
		{"the first queued runs", appOp("a", 1, pending, 0), "", []syncv1alpha1.SyncOperation{appOp("b", 2, pending, 0), appOp("c", 3, pending, 0)}, operation.VerdictRun, nil, ""},
		{"same second: by name", appOp("b", 1, pending, 0), "", []syncv1alpha1.SyncOperation{appOp("a", 1, pending, 0)}, operation.VerdictWait, []string{"a"}, ""},
		{"same second: in the order of creation, not of name", admitted(appOp("a", 1, pending, 0), "20"), "", []syncv1alpha1.SyncOperation{admitted(appOp("b", 1, pending, 0), "10")},
			operation.VerdictWait, []string{"b"}, ""},
		{"same second: created first, admitted or not", admitted(appOp("b", 1, pending, 0), "10"), "", []syncv1alpha1.SyncOperation{admitted(appOp("a", 1, pending, 0), "20")},
			operation.VerdictRun, nil, ""},
		{"versions compare as numbers", admitted(appOp("a", 1, pending, 0), "10"), "", []syncv1alpha1.SyncOperation{admitted(appOp("b", 1, pending, 0), "9")},
			operation.VerdictWait, []string{"b"}, ""},
		{"one not admitted yet counts by its resourceVersion", admitted(appOp("a", 1, pending, 0), "20"), "", []syncv1alpha1.SyncOperation{created(appOp("b", 1, "", 0), "15")},
			operation.VerdictWait, []string{"b"}, ""},
		{"an operation admitted by an older controller: by name", admitted(appOp("b", 1, pending, 0), "10"), "", []syncv1alpha1.SyncOperation{created(appOp("a", 1, pending, 0), "20")},
			operation.VerdictWait, []string{"a"}, ""},
		{"same second, but the other one was admitted first", appOp("a", 1, pending, 0), "", []syncv1alpha1.SyncOperation{appOp("b", 1, pending, 0)}, operation.VerdictWait, []string{"b"}, "b"},
		{"a held one that finished does not count", appOp("a", 1, pending, 0), "", []syncv1alpha1.SyncOperation{appOp("b", 1, done, 2)}, operation.VerdictRun, nil, "b"},
		{"forbid sees the held one", appOp("c", 3, pending, 0), syncv1alpha1.ConcurrencyForbid, []syncv1alpha1.SyncOperation{appOp("d", 3, pending, 0)}, operation.VerdictConflict, []string{"d"}, "d"},
		{"forbid", appOp("b", 2, pending, 0), syncv1alpha1.ConcurrencyForbid, []syncv1alpha1.SyncOperation{appOp("a", 1, running, 0)}, operation.VerdictConflict, []string{"a"}, ""},
		{"forbid alone runs", appOp("b", 2, pending, 0), syncv1alpha1.ConcurrencyForbid, []syncv1alpha1.SyncOperation{appOp("a", 1, done, 1)}, operation.VerdictRun, nil, ""},
		{"replace", appOp("b", 2, pending, 0), syncv1alpha1.ConcurrencyReplace, []syncv1alpha1.SyncOperation{appOp("a", 1, running, 0)}, operation.VerdictReplace, []string{"a"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			self := tc.self
			if tc.policy != "" {
				self.Spec.ConcurrencyPolicy = tc.policy
			}
			peers := append(slices.Clone(tc.peers), self) // the cache lists the operation itself too
			a := operation.Admit(&self, peers, tc.held)
			g.Expect(a.Verdict).To(Equal(tc.verdict))
			if tc.ahead == nil {
				g.Expect(a.Ahead).To(BeEmpty())
				return
			}
			g.Expect(opNames(a.Ahead)).To(Equal(tc.ahead))
			g.Expect(a.Message).To(ContainSubstring("prod/" + tc.ahead[0]))
		})
	}
	t.Run("a dry run does not replace a sync, it waits for it", func(t *testing.T) {
		g := NewWithT(t)
		a := appOp("a", 1, running, 0)
		preview := appOp("a-preview", 1, running, 0)
		preview.Spec.DryRun = true
		b := appOp("b", 2, pending, 0)
		b.Spec.ConcurrencyPolicy, b.Spec.DryRun = syncv1alpha1.ConcurrencyReplace, true
		adm := operation.Admit(&b, []syncv1alpha1.SyncOperation{a, preview}, "")
		g.Expect(opNames(adm.Terminate)).To(Equal([]string{"a-preview"}), "another dry run is replaced")
		g.Expect(adm.Verdict).To(Equal(operation.VerdictReplace))
		g.Expect(adm.Message).To(Equal("queued: waiting for SyncOperation prod/a of application web (running) to finish; a dry run does not replace a sync"))
		adm = operation.Admit(&b, []syncv1alpha1.SyncOperation{a}, "")
		g.Expect(adm.Verdict).To(Equal(operation.VerdictWait))
		g.Expect(adm.Terminate).To(BeEmpty())
		// A sync with Replace still replaces a running dry run.
		c := appOp("c", 3, pending, 0)
		c.Spec.ConcurrencyPolicy = syncv1alpha1.ConcurrencyReplace
		adm = operation.Admit(&c, []syncv1alpha1.SyncOperation{preview}, "")
		g.Expect(opNames(adm.Terminate)).To(Equal([]string{"a-preview"}))
	})
	t.Run("replace waits once the running one terminates", func(t *testing.T) {
		g := NewWithT(t)
		a := appOp("a", 1, running, 0)
		a.Spec.Terminate = true
		b := appOp("b", 2, pending, 0)
		b.Spec.ConcurrencyPolicy = syncv1alpha1.ConcurrencyReplace
		adm := operation.Admit(&b, []syncv1alpha1.SyncOperation{a}, "")
		g.Expect(adm.Verdict).To(Equal(operation.VerdictWait))
		g.Expect(adm.Terminate).To(BeEmpty())
	})
}

func TestCollect(t *testing.T) {
	now := t0.Add(time.Hour)
	t.Run("history limit keeps the newest and the last Succeeded", func(t *testing.T) {
		g := NewWithT(t)
		ops := []syncv1alpha1.SyncOperation{appOp("s1", 1, syncv1alpha1.OperationSucceeded, 10)}
		for i := 2; i <= 6; i++ {
			ops = append(ops, appOp("f"+string(rune('0'+i)), i, syncv1alpha1.OperationFailed, 10+i))
		}
		ops = append(ops, appOp("run", 7, syncv1alpha1.OperationRunning, 0))
		victims, next := operation.Collect(ops, 3, now)
		g.Expect(opNames(victims)).To(Equal([]string{"f3", "f2"}), "the newest 3 finished stay, s1 too, the running one is never touched")
		g.Expect(next).To(BeZero())
	})
	t.Run("ttl", func(t *testing.T) {
		g := NewWithT(t)
		old := appOp("old", 1, syncv1alpha1.OperationFailed, 10)
		old.Spec.TTLSecondsAfterFinished = ptr.To[int32](60)
		fresh := appOp("fresh", 2, syncv1alpha1.OperationFailed, 3590)
		fresh.Spec.TTLSecondsAfterFinished = ptr.To[int32](60)
		last := appOp("last", 3, syncv1alpha1.OperationSucceeded, 20)
		last.Spec.TTLSecondsAfterFinished = ptr.To[int32](0)
		victims, next := operation.Collect([]syncv1alpha1.SyncOperation{old, fresh, last}, -1, now)
		g.Expect(opNames(victims)).To(Equal([]string{"old"}), "the last Succeeded outlives its TTL")
		g.Expect(next).To(Equal(50 * time.Second))
	})
	t.Run("a dry run is not the last Succeeded", func(t *testing.T) {
		g := NewWithT(t)
		real := appOp("real", 1, syncv1alpha1.OperationSucceeded, 10)
		preview := appOp("preview", 2, syncv1alpha1.OperationSucceeded, 20)
		preview.Spec.DryRun = true
		failed := appOp("failed", 3, syncv1alpha1.OperationFailed, 30)
		ops := []syncv1alpha1.SyncOperation{real, preview, failed}
		g.Expect(operation.LastSucceeded(ops, nil).Name).To(Equal("real"), "the inventory is the last real operation's")
		victims, _ := operation.Collect(ops, 1, now)
		g.Expect(opNames(victims)).To(Equal([]string{"preview"}), "the history limit keeps the real one, whose plan is the inventory")
	})
	t.Run("without an application only the TTL counts", func(t *testing.T) {
		g := NewWithT(t)
		op := appOp("solo", 1, syncv1alpha1.OperationSucceeded, 10)
		op.Spec.Application = ""
		op.Spec.TTLSecondsAfterFinished = ptr.To[int32](5)
		victims, _ := operation.Collect([]syncv1alpha1.SyncOperation{op}, -1, now)
		g.Expect(opNames(victims)).To(Equal([]string{"solo"}))
	})
}
