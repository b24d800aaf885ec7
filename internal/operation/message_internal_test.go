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
	"strings"
	"testing"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

func TestAppendMsgKeepsBothWithinTheBound(t *testing.T) {
	long := strings.Repeat("x", 2*MaxMessage)
	later := "SyncFail step failed: hook Job prod/notify failed: BackoffLimitExceeded"
	got := appendMsg(Truncate(long, MaxMessage), later)
	if len(got) > MaxMessage {
		t.Errorf("%d bytes, more than %d", len(got), MaxMessage)
	}
	if !strings.HasSuffix(got, "; "+later) {
		t.Errorf("the later message is lost: ...%s", got[len(got)-80:])
	}
	if got := appendMsg("a", "b"); got != "a; b" {
		t.Errorf("short messages: %q", got)
	}
	if got := appendMsg(Truncate(long, MaxMessage), strings.Repeat("y", 2*MaxMessage)); len(got) > MaxMessage {
		t.Errorf("two long messages: %d bytes", len(got))
	}
}

func TestSucceededMessage(t *testing.T) {
	one := &plan.Plan{Steps: []plan.Step{{Tasks: []plan.Task{{}}}}}
	two := &plan.Plan{Steps: []plan.Step{{Tasks: []plan.Task{{}, {}}}, {Tasks: []plan.Task{{}}}}}
	sync := &syncv1alpha1.SyncOperation{}
	kept := &syncv1alpha1.SyncOperation{Spec: syncv1alpha1.SyncOperationSpec{Application: "shop"}}
	keptPlan := &plan.Plan{Steps: one.Steps, Kept: []plan.Entry{{}, {}}}
	retried := &syncv1alpha1.SyncOperation{Status: syncv1alpha1.SyncOperationStatus{RetryCount: 1}}
	retriedTwice := &syncv1alpha1.SyncOperation{Status: syncv1alpha1.SyncOperationStatus{RetryCount: 2}}
	teardown := &syncv1alpha1.SyncOperation{Spec: syncv1alpha1.SyncOperationSpec{Application: "shop", Action: syncv1alpha1.ActionDelete}}
	for _, c := range []struct {
		op   *syncv1alpha1.SyncOperation
		p    *plan.Plan
		want string
	}{
		{sync, one, "successfully synced 1 task in 1 step"},
		{sync, two, "successfully synced 3 tasks in 2 steps"},
		{retried, one, "successfully synced 1 task in 1 step (after 1 retry)"},
		{retriedTwice, two, "successfully synced 3 tasks in 2 steps (after 2 retries)"},
		{teardown, two, "application shop torn down: 3 tasks in 2 steps"},
		{kept, keptPlan, "successfully synced 1 task in 1 step; 2 objects of application shop that the manifests no longer contain left in place (spec.prune is false)"},
	} {
		if got := succeededMessage(c.op, NewLayout(c.p)); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func TestStartedMessage(t *testing.T) {
	if got, want := startedMessage(1, 1), "started: 1 step, 1 task"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := startedMessage(4, 6), "started: 4 steps, 6 tasks"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestWithOutcomeNamesThePodNotTheReadingNote(t *testing.T) {
	hook := plan.Task{ID: plan.ObjectID{Group: "batch", Kind: "Job", Namespace: "prod", Name: "backup"}, Hook: &plan.Hook{}}
	l := NewLayout(&plan.Plan{Steps: []plan.Step{{Tasks: []plan.Task{hook}}}})
	code := int32(2)
	d := Decision{Reason: syncv1alpha1.ReasonHookFailed, Message: "hook batch/Job/prod/backup failed: BackoffLimitExceeded",
		Resources: map[int]syncv1alpha1.ResourceStatus{0: {ResourceRef: syncv1alpha1.ResourceRef{Name: "backup"}, HookPhase: syncv1alpha1.HookFailed, Outcome: &syncv1alpha1.HookOutcome{
			Pod: "backup-x", Container: "main", Reason: "Error", ExitCode: &code, Message: "cannot read the logs of pod prod/backup-x: forbidden"}}}}
	withOutcome(l, &d)
	if want := "hook batch/Job/prod/backup failed: BackoffLimitExceeded; pod backup-x container main: Error, exit code 2"; d.Message != want {
		t.Errorf("got %q, want %q", d.Message, want)
	}
	d.Reason, d.Message = syncv1alpha1.ReasonTimeout, "step PreDelete/0 exceeded its timeout"
	if withOutcome(l, &d); d.Message != "step PreDelete/0 exceeded its timeout" {
		t.Errorf("not a hook failure, changed: %q", d.Message)
	}
}
