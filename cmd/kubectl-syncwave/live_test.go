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
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manager"
	"github.com/syncwave/syncwave/internal/manifest"
	pinned "github.com/syncwave/syncwave/internal/snapshot"
	"github.com/syncwave/syncwave/internal/source/files"
	testcluster "github.com/syncwave/syncwave/test/cluster"
)

// The live tests run the CLI through run() against a real control plane
// (the envtest level: kube-apiserver + etcd) with the syncwave controller
// running in this process. The control plane starts on first use, once for
// the package, so the unit tests of this package need none; TestMain stops
// it after the tests.

// liveEnv is the shared control plane and controller of the live tests.
type liveEnv struct {
	once    sync.Once
	err     error
	cluster *testcluster.Cluster
	client  client.Client
	cancel  context.CancelFunc
	done    chan error
}

var live liveEnv

func TestMain(m *testing.M) {
	// Neither the controller nor the CLI's client should warn that no
	// logger was set.
	ctrllog.SetLogger(logr.Discard())
	code := m.Run()
	if err := live.stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func (e *liveEnv) start() {
	ctx, cancel := context.WithCancel(context.Background())
	c, err := testcluster.Start(ctx, testcluster.Options{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}})
	if err != nil {
		cancel()
		e.err = fmt.Errorf("start the control plane: %w", err)
		return
	}
	e.cluster, e.cancel = c, cancel
	s, err := newScheme()
	if err == nil {
		e.client, err = c.Client(s)
	}
	if err != nil {
		e.err = err
		return
	}
	o := manager.DefaultOptions()
	o.MetricsBindAddress, o.HealthProbeBindAddress = "0", "0"
	o.Registry = prometheus.NewRegistry()
	o.PrunePropagation = "Background" // no garbage collector here finishes foreground deletions
	e.done = make(chan error, 1)
	go func() { e.done <- manager.Run(ctx, c.Config, o) }()
}

// stop ends the controller and the control plane, if they were started.
func (e *liveEnv) stop() error {
	if e.cluster == nil {
		return nil
	}
	e.cancel()
	var err error
	if e.done != nil {
		if runErr := <-e.done; runErr != nil {
			err = fmt.Errorf("controller: %w", runErr)
		}
	}
	if stopErr := e.cluster.Stop(); stopErr != nil {
		err = fmt.Errorf("stop the control plane: %w", stopErr)
	}
	return err
}

// liveNamespace starts the control plane on first use and returns a new
// namespace for the test.
func liveNamespace(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	live.once.Do(live.start)
	if live.err != nil {
		t.Fatal(live.err)
	}
	return live.cluster.NamespaceT(t, "cli-")
}

// liveRunTimeout only keeps a hanging command from blocking the test
// binary until go test's own timeout; it measures nothing.
const liveRunTimeout = 3 * time.Minute

// kubectlSyncwave runs the CLI with the connection flags of the live
// cluster and the namespace ns, as `kubectl syncwave ARGS -n NS` would.
func kubectlSyncwave(t *testing.T, ns string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return kubectlSyncwaveStdin(t, ns, "", args...)
}

// kubectlSyncwaveStdin is kubectlSyncwave with stdin as standard input.
func kubectlSyncwaveStdin(t *testing.T, ns, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	args = append(args, "--kubeconfig", live.cluster.KubeconfigPath, "-n", ns)
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(args, strings.NewReader(stdin), &out, &errOut) }()
	select {
	case code = <-done:
	case <-time.After(liveRunTimeout):
		t.Fatalf("kubectl syncwave %s did not return", strings.Join(args, " "))
	}
	t.Logf("kubectl syncwave %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args[:len(args)-4], " "), code, out.String(), errOut.String())
	return out.String(), errOut.String(), code
}

// writeManifests writes files (name -> content) into a new directory.
func writeManifests(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// getOperation reads the operation with the test's client.
func getOperation(g Gomega, ns, name string) *syncv1alpha1.SyncOperation {
	op := &syncv1alpha1.SyncOperation{}
	g.Expect(live.client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, op)).To(Succeed())
	return op
}

// bigObject is one ConfigMap of the large manifest set.
type bigObject struct {
	name string
	wave int
}

// largeManifestSet returns n ConfigMaps of about 10 KiB each, spread over
// waves -2..2, written in an order that is neither by wave nor by name,
// as YAML documents split over files documents each.
func largeManifestSet(t *testing.T, n, files int) ([]bigObject, map[string]string) {
	t.Helper()
	objs := make([]bigObject, n)
	contents := make([]strings.Builder, files)
	line := strings.Repeat("0123456789abcdef", 8) // 128 bytes
	for i := range objs {
		// 7919 is prime, so i -> 7919*i mod n is a permutation of the names.
		objs[i] = bigObject{name: fmt.Sprintf("big-%03d", (7919*i)%n), wave: (3*i)%5 - 2}
		cm := map[string]any{
			"apiVersion": "v1",
			"kind":       "ConfigMap",
			"metadata": map[string]any{
				"name":        objs[i].name,
				"annotations": map[string]any{"argocd.argoproj.io/sync-wave": fmt.Sprint(objs[i].wave)},
			},
			"data": map[string]any{
				"index":   fmt.Sprint(i),
				"payload": strings.Repeat(line, 80), // 10 KiB
			},
		}
		b, err := yaml.Marshal(cm)
		if err != nil {
			t.Fatal(err)
		}
		f := &contents[i*files/n]
		fmt.Fprintf(f, "# document of object %d\n---\n%s", i, b)
	}
	out := map[string]string{}
	for i := range contents {
		out[fmt.Sprintf("part-%d.yaml", i)] = contents[i].String()
	}
	return objs, out
}

// expectedDigest is the planDigest of the manifests of dir read in the
// order create packs them: files in lexical order, documents in order.
func expectedDigest(t *testing.T, dir string) string {
	t.Helper()
	inputs, err := files.Read(files.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	docs, err := documents(inputs)
	if err != nil {
		t.Fatal(err)
	}
	var objs []manifest.Object
	for _, d := range docs {
		o, err := manifest.Parse(d.source, d.data)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o...)
	}
	return manifest.Digest(objs)
}

func TestLiveCreateSplitsLargeManifestSet(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)
	ctx := context.Background()

	const n = 320
	objs, files := largeManifestSet(t, n, 4)
	dir := writeManifests(t, files)
	total := 0
	for _, f := range files {
		total += len(f)
	}
	g.Expect(total).To(BeNumerically(">", 3<<20), "the manifest set is over 3 MiB")

	stdout, stderr, code := kubectlSyncwave(t, ns, "create", "big", "-f", dir, "--wait")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stderr).To(BeEmpty())
	g.Expect(stdout).To(MatchRegexp(`syncoperation\.syncwave\.dev/big created \(%d manifests in \d+ ConfigMaps\)`, n))
	g.Expect(stdout).To(ContainSubstring("Succeeded"))

	op := getOperation(g, ns, "big")
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonSucceeded))

	// Several ConfigMaps, each under the object limit and owned by the
	// operation, referenced in order.
	var cms corev1.ConfigMapList
	g.Expect(live.client.List(ctx, &cms, client.InNamespace(ns),
		client.MatchingLabels{"app.kubernetes.io/managed-by": "kubectl-syncwave"})).To(Succeed())
	g.Expect(len(cms.Items)).To(BeNumerically(">=", 3))
	g.Expect(op.Spec.Sources).To(HaveLen(len(cms.Items)))
	byName := map[string]corev1.ConfigMap{}
	for _, cm := range cms.Items {
		byName[cm.Name] = cm
	}
	var keys []string // every data key, ConfigMap after ConfigMap
	for i, src := range op.Spec.Sources {
		name := fmt.Sprintf("big-manifests-%d", i)
		g.Expect(src.ConfigMapRef).NotTo(BeNil())
		g.Expect(src.ConfigMapRef.Name).To(Equal(name))
		g.Expect(src.ConfigMapRef.Key).To(BeEmpty())
		cm, ok := byName[name]
		g.Expect(ok).To(BeTrue(), "ConfigMap %s exists", name)
		raw, err := json.Marshal(cm)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(len(raw)).To(BeNumerically("<", 1<<20), "ConfigMap %s is under 1 MiB", name)
		g.Expect(cm.OwnerReferences).To(ContainElement(SatisfyAll(
			HaveField("APIVersion", syncv1alpha1.GroupVersion.String()),
			HaveField("Kind", "SyncOperation"),
			HaveField("Name", "big"),
			HaveField("UID", op.UID),
		)), "ConfigMap %s is owned by the operation", name)
		keys = append(keys, slices.Sorted(maps.Keys(cm.Data))...)
	}
	g.Expect(keys).To(HaveLen(n))
	g.Expect(slices.IsSorted(keys)).To(BeTrue(), "the documents are spread over the ConfigMaps in order")

	// The controller read every document back in the order written: the
	// plan digest covers the objects in input order.
	g.Expect(op.Status.PlanDigest).To(Equal(expectedDigest(t, dir)))

	// status.resources: every object, in plan order (wave, then name).
	want := slices.Clone(objs)
	slices.SortFunc(want, func(a, b bigObject) int {
		return cmp.Or(cmp.Compare(a.wave, b.wave), strings.Compare(a.name, b.name))
	})
	rows, err := pinned.Resources(context.Background(), live.client, op)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(rows).To(HaveLen(n))
	for i, r := range rows {
		g.Expect(r.Kind).To(Equal("ConfigMap"))
		g.Expect(r.Namespace).To(Equal(ns))
		g.Expect(r.Name).To(Equal(want[i].name), "resource %d", i)
		g.Expect(r.Wave).To(BeEquivalentTo(want[i].wave), "resource %d (%s)", i, r.Name)
		g.Expect(r.SyncPhase).To(Equal(syncv1alpha1.SyncPhaseSync))
		g.Expect(r.Status).To(Equal(syncv1alpha1.ResultSynced))
		g.Expect(r.Health).To(Equal(syncv1alpha1.HealthHealthy))
	}
	// get -o json has every row too, as the table does.
	stdout, stderr, code = kubectlSyncwave(t, ns, "get", "big", "-o", "json")
	g.Expect(code).To(Equal(0), stderr)
	var printed syncv1alpha1.SyncOperation
	g.Expect(json.Unmarshal([]byte(stdout), &printed)).To(Succeed())
	g.Expect(printed.Status.Resources).To(HaveLen(n))
	g.Expect(len(op.Status.Resources)).To(BeNumerically("<", n), "status itself lists only those worth a look")
	g.Expect(op.Status.Summary).NotTo(BeNil())
	g.Expect(op.Status.Summary.Total).To(BeEquivalentTo(n))
	g.Expect(op.Status.Summary.Healthy).To(BeEquivalentTo(n))

	// Every object exists in the cluster, with its data.
	for i, o := range objs {
		cm := &corev1.ConfigMap{}
		g.Expect(live.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: o.name}, cm)).To(Succeed())
		g.Expect(cm.Data).To(HaveKeyWithValue("index", fmt.Sprint(i)))
		g.Expect(cm.Data["payload"]).To(HaveLen(10 << 10))
	}
}

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
	g.Expect(lines[len(lines)-1]).To(MatchRegexp(`^\[\d+[a-zµ.0-9]*\] Succeeded, .*2/2 done: Succeeded`))

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
