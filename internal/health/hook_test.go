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

package health_test

import (
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
)

func TestHookCompletion(t *testing.T) {
	widgetDegraded := health.AssessorFunc(func(obj *unstructured.Unstructured) (health.Result, bool, error) {
		if obj.GetKind() != "Widget" {
			return health.Result{}, false, nil
		}
		return health.Result{Status: health.Degraded, Message: "widget broke", Source: health.SourceLua}, true, nil
	})
	failing := health.AssessorFunc(func(*unstructured.Unstructured) (health.Result, bool, error) {
		return health.Result{Source: health.SourceLua}, true, errors.New("script error")
	})

	tests := map[string]struct {
		fixture  string // testdata/<fixture>.yaml; empty means a nil object
		deleted  bool   // set a deletionTimestamp
		assessor health.Assessor
		want     syncv1alpha1.HookPhase
		wantMsg  string // a substring of the message
	}{
		"job complete":               {fixture: "job-healthy", want: syncv1alpha1.HookSucceeded, wantMsg: "job completed"},
		"job backoff limit":          {fixture: "job-degraded-backofflimit", want: syncv1alpha1.HookFailed, wantMsg: "BackoffLimitExceeded: Job has reached the specified backoff limit"},
		"job deadline":               {fixture: "job-degraded-deadline", want: syncv1alpha1.HookFailed, wantMsg: "DeadlineExceeded"},
		"job failing, pods left":     {fixture: "job-degraded-failuretarget", want: syncv1alpha1.HookRunning, wantMsg: "job is running"},
		"job running":                {fixture: "job-progressing", want: syncv1alpha1.HookRunning, wantMsg: "1 active"},
		"job suspended":              {fixture: "job-suspended", want: syncv1alpha1.HookRunning, wantMsg: "suspended"},
		"job complete, being gone":   {fixture: "job-healthy", deleted: true, want: syncv1alpha1.HookSucceeded},
		"job failed, being gone":     {fixture: "job-degraded-backofflimit", deleted: true, want: syncv1alpha1.HookFailed, wantMsg: "BackoffLimitExceeded"},
		"job running, deleted":       {fixture: "job-progressing", deleted: true, want: syncv1alpha1.HookFailed, wantMsg: "job was deleted before it finished"},
		"job suspended, deleted":     {fixture: "job-suspended", deleted: true, want: syncv1alpha1.HookFailed, wantMsg: "job was deleted before it finished"},
		"job ignores lua":            {fixture: "job-healthy", assessor: failing, want: syncv1alpha1.HookSucceeded},
		"pod succeeded":              {fixture: "pod-healthy-succeeded", want: syncv1alpha1.HookSucceeded},
		"pod failed":                 {fixture: "pod-degraded-failed", want: syncv1alpha1.HookFailed, wantMsg: "exit code 2"},
		"pod evicted":                {fixture: "pod-degraded-evicted", want: syncv1alpha1.HookFailed, wantMsg: "Evicted"},
		"pod running to completion":  {fixture: "pod-progressing-run-to-completion", want: syncv1alpha1.HookRunning},
		"pod ready is still running": {fixture: "pod-healthy-running", want: syncv1alpha1.HookRunning, wantMsg: "Healthy"},
		"pod image pull backoff":     {fixture: "pod-degraded-imagepull", want: syncv1alpha1.HookRunning, wantMsg: "Degraded: container \"init\": ImagePullBackOff"},
		"no status kind":             {fixture: "mycrd-healthy-no-status", want: syncv1alpha1.HookSucceeded},
		"configmap":                  {fixture: "configmap-healthy", want: syncv1alpha1.HookSucceeded},
		"no opinion at all":          {fixture: "mycrd-progressing-ready-false", assessor: health.Chain(), want: syncv1alpha1.HookSucceeded},
		"generic ready":              {fixture: "mycrd-healthy-ready", want: syncv1alpha1.HookSucceeded},
		"generic not ready":          {fixture: "mycrd-progressing-ready-false", want: syncv1alpha1.HookRunning, wantMsg: "Progressing: not ready: Provisioning"},
		"generic stalled":            {fixture: "mycrd-degraded-stalled", want: syncv1alpha1.HookFailed, wantMsg: "size must be positive"},
		"generic being deleted":      {fixture: "mycrd-healthy-ready", deleted: true, want: syncv1alpha1.HookSucceeded},
		"lua override":               {fixture: "mycrd-healthy-ready", assessor: health.Chain(widgetDegraded, health.Builtin(), health.Generic()), want: syncv1alpha1.HookFailed, wantMsg: "widget broke"},
		"assessor error":             {fixture: "mycrd-healthy-ready", assessor: failing, want: syncv1alpha1.HookRunning, wantMsg: "Unknown: script error"},
		"builtin kind by health":     {fixture: "deployment-healthy", want: syncv1alpha1.HookSucceeded},
		"builtin kind in progress":   {fixture: "deployment-progressing-rollout", want: syncv1alpha1.HookRunning, wantMsg: "1 of 3 updated replicas are available"},
		"builtin kind degraded":      {fixture: "deployment-degraded-deadline", want: syncv1alpha1.HookFailed, wantMsg: "ProgressDeadlineExceeded"},
		"nil object":                 {want: syncv1alpha1.HookPending, wantMsg: "does not exist"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			var obj *unstructured.Unstructured
			if tc.fixture != "" {
				obj = fixture(t, tc.fixture)
			}
			if tc.deleted {
				ts := metav1.Unix(1767225600, 0)
				obj.SetDeletionTimestamp(&ts)
			}
			got, msg := health.HookCompletion(obj, tc.assessor)
			g.Expect(got).To(Equal(tc.want), "message: %s", msg)
			g.Expect(msg).NotTo(BeEmpty())
			g.Expect(msg).To(ContainSubstring(tc.wantMsg))
			if tc.deleted {
				g.Expect(obj.GetDeletionTimestamp()).NotTo(BeNil(), "the caller's object must not be changed")
			}
		})
	}
}

func TestHookCompletionUnreadable(t *testing.T) {
	for _, name := range []string{"job-healthy", "pod-healthy-succeeded"} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			obj := fixture(t, name)
			g.Expect(unstructured.SetNestedField(obj.Object, "soon", "status", "conditions")).To(Succeed())
			g.Expect(unstructured.SetNestedField(obj.Object, int64(3), "status", "phase")).To(Succeed())
			got, msg := health.HookCompletion(obj, nil)
			g.Expect(got).To(Equal(syncv1alpha1.HookRunning))
			g.Expect(msg).To(ContainSubstring("reading"))
		})
	}
}
