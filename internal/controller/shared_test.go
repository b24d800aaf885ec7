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

package controller_test

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// TestSharedResource: an object that another application manages is
// taken over with a SharedResource warning event, or, with the sync option
// FailOnSharedResource=true, refused at the start with nothing applied
// (as in Argo CD).
func TestSharedResource(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	shared := `{apiVersion: v1, kind: ConfigMap, metadata: {name: shared}}`
	a := create(t, ns, "a-1", syncv1alpha1.SyncOperationSpec{Application: "a", Manifests: objects(t, shared)})
	g.Eventually(phaseOf(a), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationSucceeded))

	strict := create(t, ns, "b-1", syncv1alpha1.SyncOperationSpec{Application: "b", SyncOptions: []string{"FailOnSharedResource=true"},
		Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: b-own}}`, shared)})
	g.Eventually(phaseOf(strict), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationFailed))
	g.Expect(strict.Status.Reason).To(Equal(syncv1alpha1.ReasonApplyFailed))
	g.Expect(strict.Status.Message).To(ContainSubstring("nothing was applied"))
	g.Expect(strict.Status.Message).To(ContainSubstring("ConfigMap/" + ns + "/shared is managed by application a (label syncwave.dev/application on the live object); FailOnSharedResource=true refuses to take it over"))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "b-own")).To(BeFalse())

	takeover := create(t, ns, "b-2", syncv1alpha1.SyncOperationSpec{Application: "b", Manifests: objects(t, shared)})
	g.Eventually(phaseOf(takeover), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationSucceeded))
	live := &corev1.ConfigMap{}
	g.Expect(exists(t, live, ns, "shared")).To(BeTrue())
	g.Expect(live.Labels).To(HaveKeyWithValue(syncv1alpha1.LabelApplication, "b"))
	g.Eventually(notesOf(takeover, "SharedResource"), 5*time.Second, 50*time.Millisecond).Should(ConsistOf(
		"Warning 1 object(s) of other applications are taken over (FailOnSharedResource=true refuses that): ConfigMap/" + ns + "/shared is managed by application a (label syncwave.dev/application on the live object)"))
}

// TestUnknownSpecSyncOptionIsAnEvent: a misspelt name in spec.syncOptions
// is said in a Warning PlanWarning event when the operation starts.
func TestUnknownSpecSyncOptionIsAnEvent(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{SyncOptions: []string{"CreateNamspace=true"},
		Manifests: objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}}`)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Eventually(notesOf(op, "PlanWarning"), 5*time.Second, 50*time.Millisecond).Should(ConsistOf(
		`Warning SW010: unknown sync option "CreateNamspace" in spec.syncOptions: it has no effect (check the spelling; names are case-sensitive, e.g. Prune, Replace, ServerSideApply)`))
}

// notesOf returns a func that lists "type note" of the events of op with
// the given reason.
func notesOf(op *syncv1alpha1.SyncOperation, reason string) func() []string {
	return func() []string {
		events := &corev1.EventList{}
		_ = k8s.List(context.Background(), events)
		var notes []string
		for _, e := range events.Items {
			if e.InvolvedObject.UID == op.UID && e.Reason == reason {
				notes = append(notes, e.Type+" "+e.Message)
			}
		}
		return notes
	}
}
