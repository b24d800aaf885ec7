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
	"slices"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// TestEveryStepHasItsEvents: the events of one reason about different
// steps or objects are separate events, each with its own note; the
// events API would otherwise fold them into a series of the first one
// ("step Sync/0 started", count 3) and the later notes would be lost.
func TestEveryStepHasItsEvents(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: a, annotations: {argocd.argoproj.io/sync-wave: "0"}}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: b, annotations: {argocd.argoproj.io/sync-wave: "1"}}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: c, annotations: {argocd.argoproj.io/sync-wave: "2"}}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: h1, annotations: {argocd.argoproj.io/hook: PostSync}}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: h2, annotations: {argocd.argoproj.io/hook: PostSync}}}`,
	)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	notes := func(reason string) func() []string {
		return func() []string {
			list := &eventsv1.EventList{}
			if err := k8s.List(context.Background(), list, client.InNamespace(ns)); err != nil {
				return []string{err.Error()}
			}
			var out []string
			for _, e := range list.Items {
				if e.Regarding.Name == op.Name && e.Reason == reason {
					out = append(out, e.Note)
				}
			}
			slices.Sort(out)
			return out
		}
	}
	g.Eventually(notes("StepStarted"), 10*time.Second, 50*time.Millisecond).Should(Equal([]string{
		"step PostSync/0 started", "step Sync/0 started", "step Sync/1 started", "step Sync/2 started"}))
	g.Eventually(notes("StepSucceeded"), 10*time.Second, 50*time.Millisecond).Should(HaveLen(4))
	g.Eventually(notes("HookCreated"), 10*time.Second, 50*time.Millisecond).Should(Equal([]string{
		"hook ConfigMap/" + ns + "/h1 created", "hook ConfigMap/" + ns + "/h2 created"}))
}
