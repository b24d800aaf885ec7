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

package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/test/cluster"
)

// smokeLog is what the failing smoke test pod "prints" (kwok serves it).
var smokeLog = []string{
	"running smoke tests against http://product-api",
	"GET /products ok",
	"FAIL: GET /healthz returned 503 Service Unavailable",
}

// TestFailedHookOutcomeOutlivesTheHook: a PostSync Job with HookFailed
// whose pod exits 3 after logging a line is deleted by its policy, and its
// exit code and that line are still in status, in the HookFailed event and
// in `kubectl syncwave logs` (SPEC §6 "Hook outcome kept").
func TestFailedHookOutcomeOutlivesTheHook(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	plugin := filepath.Join(t.TempDir(), "kubectl-syncwave")
	var buildOut strings.Builder
	// Without symbols and DWARF: the link takes about half the time.
	build := exec.Command("go", "build", "-ldflags=-s -w", "-o", plugin, "github.com/syncwave/syncwave/cmd/kubectl-syncwave")
	build.Stdout, build.Stderr = &buildOut, &buildOut
	g.Expect(build.Start()).To(Succeed()) // while the cluster starts
	e := newEnv(t)
	g.Expect(build.Wait()).To(Succeed(), "build kubectl-syncwave: %s", &buildOut)
	ns := e.c.NamespaceT(t, "hooklog-")
	g.Expect(e.c.ServePodLogs(ctx, ns, smokeLog...)).To(Succeed())
	e.startController(t)

	smoke := map[string]any{"apiVersion": "batch/v1", "kind": "Job",
		"metadata": map[string]any{"name": "smoke", "namespace": ns, "annotations": map[string]any{
			syncv1alpha1.AnnotationHook: "PostSync", syncv1alpha1.AnnotationHookDeletePolicy: "HookFailed"}},
		"spec": map[string]any{"backoffLimit": 0, "template": map[string]any{
			"metadata": map[string]any{"annotations": map[string]any{cluster.AnnotationFate: cluster.FateFail, cluster.AnnotationExitCode: "3"}},
			"spec":     map[string]any{"restartPolicy": "Never", "containers": []any{map[string]any{"name": "smoke", "image": "curl"}}}}}}
	config := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "api-config", "namespace": ns}}
	op := e.createOp(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: []runtimeRaw{toRaw(t, config), toRaw(t, smoke)}})
	op = e.waitDone(t, op, 30*time.Second)
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonHookFailed), op.Status.Message)
	g.Eventually(gone(e, ns, "smoke"), 10*time.Second, 50*time.Millisecond).Should(BeTrue(), "HookFailed deletes the Job")

	g.Expect(e.cl.Get(ctx, client.ObjectKeyFromObject(op), op)).To(Succeed())
	var o *syncv1alpha1.HookOutcome
	for _, r := range op.Status.Resources {
		if r.Kind == "Job" && r.Name == "smoke" {
			o = r.Outcome
		}
	}
	g.Expect(o).NotTo(BeNil(), "status keeps the outcome of the deleted hook")
	t.Logf("status outcome: pod %s container %s reason %s exit %d message %q\nlog:\n%s", o.Pod, o.Container, o.Reason, *o.ExitCode, o.Message, o.Log)
	g.Expect(o.Container).To(Equal("smoke"))
	g.Expect(*o.ExitCode).To(BeEquivalentTo(3))
	g.Expect(o.Message).To(BeEmpty())
	g.Expect(o.Log).To(Equal(strings.Join(smokeLog, "\n")))

	// Events are sent asynchronously: wait for it rather than read once.
	g.Eventually(func() []string {
		var events eventsv1.EventList
		g.Expect(e.cl.List(ctx, &events, client.InNamespace(ns))).To(Succeed())
		var failed []string
		for _, ev := range events.Items {
			if ev.Reason == "HookFailed" && strings.Contains(ev.Note, "exit code 3") {
				failed = append(failed, ev.Note)
			}
		}
		return failed
	}, 5*time.Second, 50*time.Millisecond).Should(ContainElement(HaveSuffix(smokeLog[2])), "the HookFailed event ends with the log")

	out, err := exec.Command(plugin, "logs", "op", "smoke", "-n", ns, "--kubeconfig", e.c.KubeconfigPath).CombinedOutput()
	t.Logf("kubectl syncwave logs op smoke:\n%s", out)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(out)).To(ContainSubstring("Job " + ns + "/smoke (PostSync/0): Failed"))
	g.Expect(string(out)).To(ContainSubstring("Exit code: 3"))
	g.Expect(string(out)).To(ContainSubstring("    " + smokeLog[2] + "\n"))
}
