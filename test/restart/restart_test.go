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

package restart_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manager"
	"github.com/syncwave/syncwave/test/cluster"
	"github.com/syncwave/syncwave/test/restart"
)

var managerBinary string

func TestMain(m *testing.M) {
	ctrllog.SetLogger(logr.Discard())
	dir, err := os.MkdirTemp("", "syncwave-restart-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if managerBinary, err = restart.BuildManager(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

type env struct {
	c   *cluster.Cluster
	cl  client.Client
	dyn dynamic.Interface
}

// manager starts a manager for the test and kills it at the end.
func (e *env) manager(t *testing.T) *restart.Manager {
	t.Helper()
	m, err := restart.StartManager(managerBinary, e.c.KubeconfigPath,
		filepath.Join(e.c.LogDir, "manager-"+strings.ReplaceAll(t.Name(), "/", "_")+".log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Kill)
	return m
}

func (e *env) create(t *testing.T, ns string, d restart.Durations) *syncv1alpha1.SyncOperation {
	t.Helper()
	raw, err := restart.Operation(ns, d)
	if err != nil {
		t.Fatal(err)
	}
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "op"},
		Spec: syncv1alpha1.SyncOperationSpec{Manifests: raw}}
	if err := e.cl.Create(context.Background(), op); err != nil {
		t.Fatalf("create the operation: %v", err)
	}
	return op
}

// get reads an object, retrying while the API server is away.
func (e *env) get(t *testing.T, key client.ObjectKey, obj client.Object) {
	t.Helper()
	NewWithT(t).Eventually(func() error { return e.cl.Get(context.Background(), key, obj) }, 60*time.Second, 50*time.Millisecond).Should(Succeed())
}

// waitFor waits until cond holds for the object (absent counts as false).
func (e *env) waitFor(t *testing.T, key client.ObjectKey, obj client.Object, what string, cond func() bool) {
	t.Helper()
	NewWithT(t).Eventually(func() bool { return e.cl.Get(context.Background(), key, obj) == nil && cond() },
		60*time.Second, 20*time.Millisecond).Should(BeTrue(), what)
}

// done waits until op is terminal, checking on every look that it is not
// Failed (a slow or absent API server must never fail it).
func (e *env) done(t *testing.T, op *syncv1alpha1.SyncOperation) *syncv1alpha1.SyncOperation {
	t.Helper()
	got := &syncv1alpha1.SyncOperation{}
	NewWithT(t).Eventually(func(g Gomega) {
		g.Expect(e.cl.Get(context.Background(), client.ObjectKeyFromObject(op), got)).To(Succeed())
		if got.Status.Phase == syncv1alpha1.OperationFailed {
			StopTrying(fmt.Sprintf("the operation failed: %s: %s", got.Status.Reason, got.Status.Message)).Now()
		}
		g.Expect(got.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded))
	}, 90*time.Second, 50*time.Millisecond).Should(Succeed())
	return got
}

func (e *env) record(t *testing.T, ns string) *restart.Recorder {
	t.Helper()
	var r *restart.Recorder
	NewWithT(t).Eventually(func() (err error) {
		r, err = restart.Record(context.Background(), e.dyn, ns, restart.Kinds...)
		return err
	}, 60*time.Second, 100*time.Millisecond).Should(Succeed())
	t.Cleanup(r.Stop)
	return r
}

// checkHooks asserts, from the Recorder started after the disruption, that
// no hook was created again: the migration Job is the one created before
// (no ADDED event, the same UID), the PostSync hook was created once, and
// no hook keeps the syncwave finalizer.
func (e *env) checkHooks(t *testing.T, ns string, r *restart.Recorder, migrateUID string) {
	t.Helper()
	g := NewWithT(t)
	g.Expect(r.Added("Job", restart.Migrate)).To(BeZero(), "the PreSync hook is not created again")
	g.Expect(r.UIDs("Job", restart.Migrate)).To(Equal([]string{migrateUID}), "the PreSync hook keeps its UID")
	smokes := map[string]int{}
	for _, ev := range r.Events() {
		if ev.Kind == "Job" && strings.HasPrefix(ev.Name, restart.Smoke) && ev.Type == "ADDED" {
			smokes[ev.Name]++
		}
	}
	g.Expect(smokes).To(HaveLen(1), "one PostSync hook")
	for name, n := range smokes {
		g.Expect(n).To(Equal(1), "the PostSync hook %s is created once", name)
	}
	g.Eventually(func() []string {
		j := &batchv1.Job{}
		if err := e.cl.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: restart.Migrate}, j); err != nil {
			return []string{err.Error()}
		}
		return j.Finalizers
	}, 20*time.Second, 50*time.Millisecond).ShouldNot(ContainElement(syncv1alpha1.HookFinalizer), "the hook's finalizer is removed")
}

// applied is what a finished step left on an object: its resourceVersion
// and the time of syncwave's managedFields entry.
func applied(obj client.Object) string {
	for _, mf := range obj.GetManagedFields() {
		if mf.Manager == syncv1alpha1.FieldManager {
			return obj.GetResourceVersion() + "@" + mf.Time.UTC().Format(time.RFC3339)
		}
	}
	return obj.GetResourceVersion() + "@none"
}

// TestRestart runs the disruptions one after the other on one simulated
// cluster whose etcd sits behind a delaying proxy, each with its own
// namespace and manager.
func TestRestart(t *testing.T) {
	c := cluster.StartT(t, cluster.Options{Simulated: true, EtcdProxy: true,
		CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")},
		// A slow etcd then also hits the API server's request timeout.
		APIServerArgs: map[string]string{"request-timeout": "4s"}})
	e := &env{c: c, cl: c.ClientT(t, manager.Scheme()), dyn: dynamic.NewForConfigOrDie(c.Config)}

	t.Run("APIServerDuringHook", func(t *testing.T) { restartDuringHook(t, e) })
	t.Run("APIServerBetweenSteps", func(t *testing.T) { restartBetweenSteps(t, e) })
	t.Run("SlowEtcd", func(t *testing.T) { slowEtcd(t, e) })
}

// restartDuringHook restarts kube-apiserver while the PreSync hook's pod
// runs.
func restartDuringHook(t *testing.T, e *env) {
	t.Helper()
	g := NewWithT(t)
	ns := e.c.NamespaceT(t, "hook-")
	e.manager(t)
	op := e.create(t, ns, restart.Durations{Migrate: "2500ms", Worker: "100ms", Smoke: "100ms"})
	migrate := &batchv1.Job{}
	e.waitFor(t, client.ObjectKey{Namespace: ns, Name: restart.Migrate}, migrate, "the PreSync hook is created", func() bool { return true })
	g.Expect(migrate.Status.Succeeded).To(BeZero(), "the hook still runs")

	down, err := e.c.RestartAPIServer(100 * time.Millisecond)
	g.Expect(err).NotTo(HaveOccurred())
	back := time.Now()
	t.Logf("kube-apiserver was away for %s", down.Round(time.Millisecond))
	r := e.record(t, ns)
	e.done(t, op)
	t.Logf("the operation finished %s after the API server came back", time.Since(back).Round(time.Millisecond))
	e.checkHooks(t, ns, r, string(migrate.UID))
	for _, name := range []string{restart.ConfigA, restart.ConfigB, restart.Worker} {
		kind := "ConfigMap"
		if name == restart.Worker {
			kind = "Job"
		}
		g.Expect(r.Added(kind, name)).To(Equal(1), "%s/%s is created once, after the restart", kind, name)
	}
}

// restartBetweenSteps restarts kube-apiserver while Sync wave 1 waits for
// its Job: wave 0 is finished and must not be applied again.
func restartBetweenSteps(t *testing.T, e *env) {
	t.Helper()
	g := NewWithT(t)
	ns := e.c.NamespaceT(t, "steps-")
	e.manager(t)
	op := e.create(t, ns, restart.Durations{Migrate: "100ms", Worker: "2500ms", Smoke: "100ms"})
	worker := &batchv1.Job{}
	e.waitFor(t, client.ObjectKey{Namespace: ns, Name: restart.Worker}, worker, "wave 1 is applied", func() bool { return true })
	configA, migrate := &corev1.ConfigMap{}, &batchv1.Job{}
	e.get(t, client.ObjectKey{Namespace: ns, Name: restart.ConfigA}, configA)
	e.get(t, client.ObjectKey{Namespace: ns, Name: restart.Migrate}, migrate)
	before := applied(configA)

	down, err := e.c.RestartAPIServer(100 * time.Millisecond)
	g.Expect(err).NotTo(HaveOccurred())
	t.Logf("kube-apiserver was away for %s", down.Round(time.Millisecond))
	r := e.record(t, ns)
	e.done(t, op)
	e.checkHooks(t, ns, r, string(migrate.UID))
	g.Expect(r.Writes("ConfigMap", restart.ConfigA)).To(BeEmpty(), "the finished wave 0 is not written again")
	e.get(t, client.ObjectKeyFromObject(configA), configA)
	g.Expect(applied(configA)).To(Equal(before), "resourceVersion and managedFields time of wave 0 unchanged")
	g.Expect(r.Added("Job", restart.Worker)).To(BeZero(), "wave 1's Job is not created again")
	g.Expect(r.UIDs("Job", restart.Worker)).To(Equal([]string{string(worker.UID)}))
	g.Expect(r.Added("ConfigMap", restart.ConfigB)).To(Equal(1), "wave 2 is applied once")
}

// slowEtcd delays every etcd reply while the operation runs, long enough
// for the API server's request timeout to hit: the operation may wait
// (Unknown, retries) but never fails, and finishes once etcd is fast.
func slowEtcd(t *testing.T, e *env) {
	t.Helper()
	g := NewWithT(t)
	ns := e.c.NamespaceT(t, "slow-")
	m := e.manager(t)
	r := e.record(t, ns)
	op := e.create(t, ns, restart.Durations{Migrate: "2s", Worker: "2s", Smoke: "100ms"})
	migrate := &batchv1.Job{}
	e.waitFor(t, client.ObjectKey{Namespace: ns, Name: restart.Migrate}, migrate, "the PreSync hook is created", func() bool { return true })

	proxy := e.c.EtcdProxy()
	proxy.SetDelay(2500 * time.Millisecond)
	t.Cleanup(func() { proxy.SetDelay(0) })
	slowUntil := time.Now().Add(5 * time.Second)
	seen := map[string]bool{}
	for time.Now().Before(slowUntil) {
		got := &syncv1alpha1.SyncOperation{}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := e.cl.Get(ctx, client.ObjectKeyFromObject(op), got)
		cancel()
		if err != nil {
			seen["read error: "+firstLine(err.Error())] = true
			continue
		}
		g.Expect(got.Status.Phase).NotTo(Equal(syncv1alpha1.OperationFailed), "a slow etcd never fails the operation: %s", got.Status.Message)
		for _, b := range got.Status.BlockedBy {
			seen[string(b.Health)+": "+firstLine(b.Message)] = true
		}
	}
	proxy.SetDelay(0)
	got := e.done(t, op)
	t.Logf("while etcd was slow: %v", keys(seen))
	t.Logf("manager log lines about timeouts: %d, reconciler errors (retried): %d",
		strings.Count(m.LogText(), "timeout"), strings.Count(m.LogText(), "reconciler error"))
	g.Expect(r.Added("Job", restart.Migrate)).To(Equal(1), "the PreSync hook is created once")
	g.Expect(r.Added("Job", restart.Worker)).To(Equal(1))
	g.Expect(r.Added("ConfigMap", restart.ConfigA)).To(Equal(1))
	g.Expect(got.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
