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

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

const succeedingManifests = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  annotations:
    argocd.argoproj.io/sync-wave: "0"
data:
  mode: live
---
apiVersion: v1
kind: Secret
metadata:
  name: credentials
  annotations:
    argocd.argoproj.io/sync-wave: "1"
stringData:
  password: hunter2
`

func TestLiveWatchSucceeded(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)
	dir := writeManifests(t, map[string]string{"app.yaml": succeedingManifests})

	stdout, stderr, code := kubectlSyncwave(t, ns, "create", "ok", "-f", dir)
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stdout).To(Equal("syncoperation.syncwave.dev/ok created (2 manifests in 1 ConfigMap)\n"))

	stdout, stderr, code = kubectlSyncwave(t, ns, "watch", "ok")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stderr).To(BeEmpty())
	// Plain lines (stdout is no terminal), the last one the result.
	g.Expect(stdout).NotTo(ContainSubstring("\x1b["))
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	g.Expect(lines[len(lines)-1]).To(MatchRegexp(`^\[\d+[a-zµ.0-9]*\] Succeeded, .*2/2 done: successfully synced 2 tasks in `))

	// get: the table of the finished operation.
	stdout, stderr, code = kubectlSyncwave(t, ns, "get", "ok")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stdout).To(MatchRegexp(`(?m)^Name:\s+ok$`))
	g.Expect(stdout).To(MatchRegexp(`(?m)^Namespace:\s+%s$`, ns))
	g.Expect(stdout).To(MatchRegexp(`(?m)^Phase:\s+Succeeded$`))
	g.Expect(stdout).To(MatchRegexp(`(?m)^Progress:\s+2/2$`))
	g.Expect(stdout).To(MatchRegexp(`(?m)^Summary:\s+2 total, 2 synced, 2 healthy; hooks: 0 succeeded, 0 failed$`))
	g.Expect(stdout).To(MatchRegexp(`(?m)^NAME\s+KIND\s+PHASE/WAVE\s+STATUS\s+HEALTH\s+HOOK\s+MESSAGE$`))
	g.Expect(stdout).To(MatchRegexp(`(?m)^%s/settings\s+ConfigMap\s+Sync/0\s+Synced\s+Healthy`, ns))
	g.Expect(stdout).To(MatchRegexp(`(?m)^%s/credentials\s+Secret\s+Sync/1\s+Synced\s+Healthy`, ns))
	g.Expect(strings.Index(stdout, "/settings")).To(BeNumerically("<", strings.Index(stdout, "/credentials")))
	g.Expect(stdout).To(MatchRegexp(`(?m)^Conditions:$`))
	g.Expect(stdout).To(MatchRegexp(`(?m)^\s+Ready\s+True\s+Succeeded\b`))
	g.Expect(stdout).NotTo(ContainSubstring("Blocked by:"))

	// get -o json: the operation itself.
	stdout, stderr, code = kubectlSyncwave(t, ns, "get", "ok", "-o", "json")
	g.Expect(code).To(Equal(0), stderr)
	var got syncv1alpha1.SyncOperation
	g.Expect(json.Unmarshal([]byte(stdout), &got)).To(Succeed())
	g.Expect(got.APIVersion).To(Equal("syncwave.dev/v1alpha1"))
	g.Expect(got.Kind).To(Equal("SyncOperation"))
	g.Expect(got.Name).To(Equal("ok"))
	g.Expect(got.Namespace).To(Equal(ns))
	g.Expect(got.ManagedFields).To(BeEmpty())
	g.Expect(got.Spec.Sources).To(HaveLen(1))
	g.Expect(got.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded))
	g.Expect(got.Status.Resources).To(HaveLen(2))
	g.Expect(got.Status.Resources[0].Name).To(Equal("settings"))
	g.Expect(got.Status.Resources[1].Name).To(Equal("credentials"))
	g.Expect(got.Status.Conditions).To(ContainElement(SatisfyAll(
		HaveField("Type", "Ready"), HaveField("Status", metav1.ConditionTrue), HaveField("Reason", syncv1alpha1.ReasonSucceeded))))
	g.Expect(got.Status).To(Equal(getOperation(g, ns, "ok").Status))

	// terminate on a finished operation changes nothing.
	stdout, stderr, code = kubectlSyncwave(t, ns, "terminate", "ok")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stdout).To(Equal("syncoperation.syncwave.dev/ok already Succeeded\n"))
	g.Expect(getOperation(g, ns, "ok").Spec.Terminate).To(BeFalse())
}

func TestLiveWatchFailed(t *testing.T) {
	ns := liveNamespace(t)
	tests := []struct {
		name      string
		manifests string
		reason    string
		message   string // a part of the operation's message
	}{{
		name: "invalid-wave",
		manifests: `apiVersion: v1
kind: ConfigMap
metadata:
  name: early
  annotations:
    argocd.argoproj.io/sync-wave: "soon"
data: {}
`,
		reason:  syncv1alpha1.ReasonInvalidManifests,
		message: "soon",
	}, {
		name: "invalid-port",
		manifests: `apiVersion: v1
kind: ConfigMap
metadata:
  name: fine
data: {}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 70000
`,
		reason:  syncv1alpha1.ReasonApplyFailed,
		message: "web",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			dir := writeManifests(t, map[string]string{"app.yaml": tt.manifests})
			_, stderr, code := kubectlSyncwave(t, ns, "create", tt.name, "-f", dir)
			g.Expect(code).To(Equal(0), stderr)

			stdout, stderr, code := kubectlSyncwave(t, ns, "watch", tt.name)
			g.Expect(code).To(Equal(1))
			lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			g.Expect(lines[len(lines)-1]).To(MatchRegexp(`^\[[^]]+\] Failed\b.*: %s: .*%s`, tt.reason, tt.message))
			g.Expect(stderr).To(Equal(fmt.Sprintf("Error: SyncOperation %s/%s Failed (%s): operation did not succeed\n", ns, tt.name, tt.reason)))

			op := getOperation(g, ns, tt.name)
			g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
			g.Expect(op.Status.Reason).To(Equal(tt.reason))

			// Nothing was applied: validation failed before the first step.
			err := live.client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "fine"}, &corev1.ConfigMap{})
			g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "ConfigMap fine was not applied: %v", err)

			// create --wait follows it the same way.
			_, stderr, code = kubectlSyncwave(t, ns, "create", tt.name+"-again", "-f", dir, "--wait")
			g.Expect(code).To(Equal(1))
			g.Expect(stderr).To(ContainSubstring("Failed (%s): operation did not succeed", tt.reason))
		})
	}
}

// blockingManifests: a Sync hook Job in wave 0, which never completes on
// the envtest level (no Job controller), and a ConfigMap in wave 1.
const blockingManifests = `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: Sync
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation
    argocd.argoproj.io/sync-wave: "0"
spec:
  backoffLimit: 0
  activeDeadlineSeconds: 600
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: registry.example/migrate:1
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: after
  annotations:
    argocd.argoproj.io/sync-wave: "1"
data: {}
`

func TestLiveTerminate(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)
	ctx := context.Background()
	dir := writeManifests(t, map[string]string{"app.yaml": blockingManifests})

	_, stderr, code := kubectlSyncwave(t, ns, "create", "stuck", "-f", dir)
	g.Expect(code).To(Equal(0), stderr)

	// get -o json while it runs: wait until the hook blocks the step.
	var running syncv1alpha1.SyncOperation
	g.Eventually(func(g Gomega) {
		stdout, stderr, code := kubectlSyncwave(t, ns, "get", "stuck", "-o", "json")
		g.Expect(code).To(Equal(0), stderr)
		running = syncv1alpha1.SyncOperation{}
		g.Expect(json.Unmarshal([]byte(stdout), &running)).To(Succeed())
		g.Expect(running.Status.Phase).To(Equal(syncv1alpha1.OperationRunning))
		g.Expect(running.Status.BlockedBy).To(ContainElement(SatisfyAll(
			HaveField("Kind", "Job"), HaveField("Name", "migrate"), HaveField("HookPhase", syncv1alpha1.HookRunning))))
	}, time.Minute, 200*time.Millisecond).Should(Succeed())
	g.Expect(running.Status.Step).To(Equal("Sync/0"))

	// The table shows the running step and what blocks it.
	stdout, stderr, code := kubectlSyncwave(t, ns, "get", "stuck")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stdout).To(MatchRegexp(`(?m)^Phase:\s+(Running|Terminating)$`))
	g.Expect(stdout).To(MatchRegexp(`(?m)^%s/migrate\s+Job\s+Sync/0\s+Synced\s+\S+\s+Running\b`, ns))
	g.Expect(stdout).To(MatchRegexp(`(?m)^%s/after\s+ConfigMap\s+Sync/1\b`, ns))
	g.Expect(stdout).To(MatchRegexp(`(?m)^Blocked by:$`))
	g.Expect(stdout).To(MatchRegexp(`(?m)^\s+Job\.batch/%s/migrate\s+.*Running`, ns))

	stdout, stderr, code = kubectlSyncwave(t, ns, "terminate", "stuck")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stdout).To(Equal("syncoperation.syncwave.dev/stuck terminating\n"))

	stdout, _, code = kubectlSyncwave(t, ns, "watch", "stuck")
	g.Expect(code).To(Equal(1))
	g.Expect(stdout).To(MatchRegexp(`(?m)^\[[^]]+\] Failed\b.*: Terminated\b.*$`))

	op := getOperation(g, ns, "stuck")
	g.Expect(op.Spec.Terminate).To(BeTrue())
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTerminated))

	// No later step started, and the running hook was deleted.
	err := live.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "after"}, &corev1.ConfigMap{})
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "ConfigMap after was not applied: %v", err)
	g.Eventually(func() bool {
		err := live.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "migrate"}, &batchv1.Job{})
		return apierrors.IsNotFound(err)
	}, time.Minute, 200*time.Millisecond).Should(BeTrue(), "the running hook Job is deleted")

	stdout, _, code = kubectlSyncwave(t, ns, "terminate", "stuck")
	g.Expect(code).To(Equal(0))
	g.Expect(stdout).To(Equal("syncoperation.syncwave.dev/stuck already Failed\n"))
}
