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

package controller

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	jsonpatch "github.com/evanphx/json-patch/v5"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clocktesting "k8s.io/utils/clock/testing"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/operation"
)

func res(name string, health syncv1alpha1.HealthStatus) syncv1alpha1.ResourceStatus {
	return syncv1alpha1.ResourceStatus{ResourceRef: syncv1alpha1.ResourceRef{Kind: "ConfigMap", Namespace: "ns", Name: name},
		SyncPhase: syncv1alpha1.SyncPhaseSync, Health: health}
}

// TestStatusPatchWritesWhatChanged: applying the patch to the old status
// gives the new one, and a health flip of one entry is one small op.
func TestStatusPatchWritesWhatChanged(t *testing.T) {
	var many []syncv1alpha1.ResourceStatus
	for i := range 300 {
		many = append(many, res(fmt.Sprintf("cm-%03d", i), syncv1alpha1.HealthProgressing))
	}
	flipped := append([]syncv1alpha1.ResourceStatus(nil), many...)
	flipped[150].Health = syncv1alpha1.HealthHealthy
	cases := map[string]struct {
		before, after syncv1alpha1.SyncOperationStatus
		maxOps        int
	}{
		"from nothing": {after: syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationPending}, maxOps: 1},
		"one health flip": {
			before: syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning, Resources: many},
			after:  syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning, Resources: flipped},
			maxOps: 1,
		},
		"entries go and come": {
			before: syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning, Message: "a",
				Resources: []syncv1alpha1.ResourceStatus{res("a", "Healthy"), res("b", "Progressing"), res("d", "Progressing")}},
			after: syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning,
				Resources: []syncv1alpha1.ResourceStatus{res("b", "Healthy"), res("c", "Progressing"), res("d", "Progressing"), res("e", "Missing")}},
			maxOps: 5,
		},
		"steps by position": {
			before: syncv1alpha1.SyncOperationStatus{Steps: []syncv1alpha1.StepResult{{Phase: "Sync", Tasks: 2}, {Phase: "Sync", Wave: 1, Tasks: 1}}},
			after:  syncv1alpha1.SyncOperationStatus{Steps: []syncv1alpha1.StepResult{{Phase: "Sync", Tasks: 2, Synced: 2}, {Phase: "Sync", Wave: 1, Tasks: 1}}},
			maxOps: 1,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			ops, err := statusPatch(&tc.before, &tc.after)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(len(ops)).To(BeNumerically("<=", tc.maxOps), "%+v", ops)
			doc, _ := json.Marshal(map[string]any{"status": tc.before})
			if len(ops) > 0 && ops[0].Path == "/status" {
				doc = []byte("{}")
			}
			raw, _ := json.Marshal(ops)
			p, err := jsonpatch.DecodePatch(raw)
			g.Expect(err).NotTo(HaveOccurred())
			patched, err := p.Apply(doc)
			g.Expect(err).NotTo(HaveOccurred())
			var got struct {
				Status syncv1alpha1.SyncOperationStatus `json:"status"`
			}
			g.Expect(json.Unmarshal(patched, &got)).To(Succeed())
			want, _ := json.Marshal(tc.after)
			have, _ := json.Marshal(got.Status)
			g.Expect(string(have)).To(Equal(string(want)))
		})
	}
}

// TestFitKeepsStatusWritable: a status that would not fit loses entries
// from the end of status.resources, and its message says so.
func TestFitKeepsStatusWritable(t *testing.T) {
	g := NewWithT(t)
	st := &syncv1alpha1.SyncOperationStatus{Message: "waiting"}
	for i := range 2000 {
		r := res(fmt.Sprintf("cm-%04d", i), syncv1alpha1.HealthDegraded)
		r.Message = strings.Repeat("x", 1000)
		st.Resources = append(st.Resources, r)
	}
	fit(st)
	raw, _ := json.Marshal(st)
	g.Expect(len(raw)).To(BeNumerically("<=", maxStatusBytes))
	g.Expect(st.Resources).NotTo(BeEmpty())
	g.Expect(st.Message).To(MatchRegexp(`^waiting \(\d+ status.resources entries left out to fit the object limit\)$`))
}

// TestBoundMessagesKeepsOutsideStringsWithinTheCRD: strings that come from
// outside the controller (a Flux producer's revision, a field path of the
// user's object) and more blockedBy entries than the CRD allows are
// shortened, so that the status write is never refused for them.
func TestBoundMessagesKeepsOutsideStringsWithinTheCRD(t *testing.T) {
	g := NewWithT(t)
	st := &syncv1alpha1.SyncOperationStatus{Message: strings.Repeat("m", 5000)}
	for i := range 25 {
		st.BlockedBy = append(st.BlockedBy, syncv1alpha1.BlockedResource{Message: strings.Repeat("b", 2000), ResourceRef: syncv1alpha1.ResourceRef{Name: fmt.Sprint(i)}})
	}
	r := res("cm", syncv1alpha1.HealthHealthy)
	r.ChangedFields = []string{"data[" + strings.Repeat("k", 253) + "]", "data.short"}
	st.Resources = append(st.Resources, r)
	st.Revisions = []syncv1alpha1.SourceRevision{{Source: "ExternalArtifact/ns/a", Revision: strings.Repeat("r", 5000), Digest: "sha256:" + strings.Repeat("d", 300)}}
	boundMessages(st)
	g.Expect(len(st.Message)).To(BeNumerically("<=", 1024))
	g.Expect(st.BlockedBy).To(HaveLen(syncv1alpha1.MaxBlockedBy))
	g.Expect(st.BlockedBy[19].Name).To(Equal("19"), "the first ones are kept")
	g.Expect(len(st.BlockedBy[0].Message)).To(BeNumerically("<=", 1024))
	g.Expect(len(st.Resources[0].ChangedFields[0])).To(BeNumerically("<=", 256))
	g.Expect(st.Resources[0].ChangedFields[1]).To(Equal("data.short"))
	g.Expect(len(st.Revisions[0].Revision)).To(BeNumerically("<=", 1024))
	g.Expect(len(st.Revisions[0].Digest)).To(BeNumerically("<=", 200))
}

// notes records the notes of the events emitted.
type notes []string

func (n *notes) Eventf(_, _ runtime.Object, _, _, _, note string, args ...any) {
	*n = append(*n, fmt.Sprintf(note, args...))
}

func (n *notes) AnnotatedEventf(regarding, related runtime.Object, _ map[string]string, typ, reason, action, note string, args ...any) {
	n.Eventf(regarding, related, typ, reason, action, note, args...)
}

// TestEventNotesFitTheAPI: the API server refuses an events.k8s.io note
// over 1024 bytes, so a long message (every bad object of an invalid
// input) is shortened, not lost with its event.
func TestEventNotesFitTheAPI(t *testing.T) {
	g := NewWithT(t)
	var got notes
	r := &SyncOperationReconciler{Recorder: &got}
	long := "InvalidManifests: " + strings.Repeat("spec.manifests[7]: bad; ", 200)
	r.record(&syncv1alpha1.SyncOperation{}, &operation.Outcome{Events: []operation.Event{{Type: "Warning", Reason: "OperationFailed", Message: long}, {Type: "Normal", Reason: "StepStarted", Message: "short"}}})
	g.Expect(got).To(HaveLen(2))
	g.Expect(len(got[0])).To(BeNumerically("<=", 1024))
	g.Expect(got[0]).To(HavePrefix("InvalidManifests: spec.manifests[7]"))
	g.Expect(got[1]).To(Equal("short"))
}

// TestWaitForSourcesKeepsBlockedByWithinTheCRD: more missing sources than
// status.blockedBy may hold are all named in the message, as far as it
// goes, and the first of them in blockedBy.
func TestWaitForSourcesKeepsBlockedByWithinTheCRD(t *testing.T) {
	g := NewWithT(t)
	now := time.Unix(10000, 0)
	r := &SyncOperationReconciler{Clock: clocktesting.NewFakePassiveClock(now), DefaultTimeout: time.Hour}
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "op", CreationTimestamp: metav1.NewTime(now)}}
	we := &waitError{}
	for i := range 30 {
		we.missing = append(we.missing, manifest.MissingSource{Kind: "ConfigMap", Namespace: "ns", Name: fmt.Sprintf("part-%02d", i), Field: fmt.Sprintf("spec.sources[%d]", i)})
	}
	we.missing = append(we.missing, manifest.MissingSource{Kind: "Secret", Namespace: "ns", Name: "last", Field: "spec.sources[30]"})
	after := r.waitForSources(op, we)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationPending))
	g.Expect(op.Status.BlockedBy).To(HaveLen(syncv1alpha1.MaxBlockedBy))
	g.Expect(op.Status.Message).To(HavePrefix("waiting for the source ConfigMap ns/part-00 (spec.sources[0]), ConfigMap ns/part-01"))
	g.Expect(after).To(Equal(secretSourceRetry), "a Secret past the 20th still sets when to look again")
}

// A failed operation keeps its total: tasks of the steps it never reached
// are Skipped but counted; Skip hooks and SyncFail hooks that did not run
// are not.
func TestSummarizeKeepsTheTotalOfAFailedOperation(t *testing.T) {
	res := func(phase syncv1alpha1.SyncPhase, status syncv1alpha1.ResultStatus, hook bool) syncv1alpha1.ResourceStatus {
		r := syncv1alpha1.ResourceStatus{SyncPhase: phase, Status: status}
		if hook {
			r.HookType = syncv1alpha1.HookType(phase)
		}
		return r
	}
	st := &syncv1alpha1.SyncOperationStatus{Resources: []syncv1alpha1.ResourceStatus{
		res(syncv1alpha1.SyncPhasePreSync, syncv1alpha1.ResultSynced, true),   // the failed hook
		res(syncv1alpha1.SyncPhaseSync, syncv1alpha1.ResultSkipped, false),    // never reached
		res(syncv1alpha1.SyncPhaseSync, syncv1alpha1.ResultSkipped, false),    // never reached
		res(syncv1alpha1.SyncPhaseSyncFail, syncv1alpha1.ResultSkipped, true), // did not run
		res(syncv1alpha1.SyncPhaseSync, syncv1alpha1.ResultSkipped, true),     // a Skip hook
	}}
	st.Resources[0].HookPhase = syncv1alpha1.HookFailed
	summarize(st, 4)
	if st.Progress != "0/3" || st.Summary.Total != 3 || st.Summary.HooksFailed != 1 {
		t.Errorf("progress %s, summary %+v; want 0/3 with 1 hook failed", st.Progress, *st.Summary)
	}
	summarize(st, 0) // a dry run: nothing is applied
	if st.Progress != "0/1" {
		t.Errorf("dry run: progress %s, want 0/1 (only what was written counts)", st.Progress)
	}
}
