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

package scale

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manager"
	"github.com/syncwave/syncwave/test/cluster"
)

// bench is one control plane (kube-apiserver + etcd) and the real manager
// binary, shared by the scale benchmarks of one run.
var bench struct {
	once sync.Once
	c    *cluster.Cluster
	cl   client.WithWatch
	mgr  *exec.Cmd
	err  error
}

func TestMain(m *testing.M) {
	ctrllog.SetLogger(logr.Discard())
	code := m.Run()
	if bench.mgr != nil {
		_ = bench.mgr.Process.Kill()
		_, _ = bench.mgr.Process.Wait()
	}
	if bench.c != nil {
		_ = bench.c.Stop()
	}
	os.Exit(code)
}

func setupBench(b *testing.B) {
	b.Helper()
	bench.once.Do(func() {
		c, err := cluster.Start(context.Background(), cluster.Options{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}})
		if err != nil {
			bench.err = err
			return
		}
		bench.c = c
		bin := filepath.Join(c.LogDir, "manager")
		build := exec.Command("go", "build", "-o", bin, "github.com/syncwave/syncwave/cmd/manager")
		if out, err := build.CombinedOutput(); err != nil {
			bench.err = fmt.Errorf("build manager: %w: %s", err, out)
			return
		}
		log, err := os.Create(filepath.Join(c.LogDir, "manager.log"))
		if err != nil {
			bench.err = err
			return
		}
		cmd := exec.Command(bin, "--kubeconfig", c.KubeconfigPath, "--metrics-bind-address", "0", "--health-probe-bind-address", "0")
		cmd.Stdout, cmd.Stderr = log, log
		cmd.Env = append(os.Environ(), "POD_NAMESPACE=default")
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if bench.err = cmd.Start(); bench.err != nil {
			return
		}
		bench.mgr = cmd
		// The floor's client is not rate limited, as the manager's is not.
		cfg := rest.CopyConfig(c.Config)
		cfg.QPS, cfg.Burst = -1, -1
		bench.cl, bench.err = client.NewWithWatch(cfg, client.Options{Scheme: manager.Scheme()})
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
}

// peakRSS is the manager's peak resident set (VmHWM) in MiB.
func peakRSS(b *testing.B) float64 {
	b.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", bench.mgr.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kb)
			return kb / 1024
		}
	}
	return 0
}

// size is the stored SyncOperation (spec and status, no managed fields)
// in KiB.
func size(b *testing.B, op *syncv1alpha1.SyncOperation) float64 {
	b.Helper()
	op = op.DeepCopy()
	op.ManagedFields = nil
	raw, err := json.Marshal(op)
	if err != nil {
		b.Fatal(err)
	}
	return float64(len(raw)) / 1024
}

// cleanup removes what a run wrote (envtest has no namespace controller),
// so the manager's caches hold one run's objects at a time.
func cleanup(b *testing.B, namespaces ...string) {
	b.Helper()
	for _, ns := range namespaces {
		if err := bench.cl.DeleteAllOf(context.Background(), &corev1.ConfigMap{}, client.InNamespace(ns)); err != nil {
			b.Fatal(err)
		}
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func msf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// runLarge times one operation of n ConfigMaps in 20 waves from ConfigMap
// sources, create to Succeeded, next to a parallel apply of the same
// objects in the same iteration.
func runLarge(b *testing.B, n int) {
	b.Helper()
	setupBench(b)
	objs := configMaps("cm-", n, 20)
	var ours, floor, checked []time.Duration
	var kib float64
	var budget requestCounts
	var cpu string
	var runs []string        // one line in the end: go test keeps 10 lines of a benchmark's log
	for i := range b.N + 1 { // the first is a warm-up
		ns, bulkNS, checkedNS := bench.c.NamespaceT(b, "scale-"), bench.c.NamespaceT(b, "floor-"), bench.c.NamespaceT(b, "checked-")
		refs := sources(b, bench.cl, ns, "bundle", objs)
		op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns},
			Spec: syncv1alpha1.SyncOperationSpec{Sources: refs, Timeout: &metav1.Duration{Duration: 10 * time.Minute}}}
		reqs, cpu0 := apiRequests(b), cpuNow(b)
		start := time.Now()
		if err := bench.cl.Create(context.Background(), op); err != nil {
			b.Fatal(err)
		}
		got := waitTerminal(b, bench.cl, ns, map[string]bool{"op": true}, 10*time.Minute)["op"]
		d := time.Since(start)
		if got.Status.Phase != syncv1alpha1.OperationSucceeded {
			b.Fatalf("operation %s: %s", got.Status.Phase, got.Status.Message)
		}
		budget = apiRequestsSettled(b).since(reqs)
		cpu1 := cpuNow(b)
		f := cluster.BulkApply(b, bench.cl, bulkNS, objs)
		cpu2 := cpuNow(b)
		c := cluster.CheckedApply(b, bench.cl, checkedNS, objs)
		cpu = cpuLine(cpu1.since(cpu0), cpu2.since(cpu1), cpuNow(b).since(cpu2))
		if i > 0 {
			ours, floor, checked = append(ours, d), append(floor, f), append(checked, c)
			kib = size(b, got)
		}
		runs = append(runs, fmt.Sprintf("run %d: start (read, pin, dry-run) %v, steps %v, to Succeeded seen %v; parallel apply %v, dry-run then apply %v",
			i, got.Status.StartedAt.Sub(start).Round(time.Millisecond), got.Status.FinishedAt.Sub(got.Status.StartedAt.Time).Round(time.Millisecond),
			d.Round(time.Millisecond), f.Round(time.Millisecond), c.Round(time.Millisecond)))
		cleanup(b, ns, bulkNS, checkedNS)
	}
	mo, mf, mc := median(ours), median(floor), median(checked)
	b.ReportMetric(msf(mo), "ms/operation")
	b.ReportMetric(msf(mf), "ms/parallel-apply")
	b.ReportMetric(float64(mo)/float64(mf), "x-parallel-apply")
	b.ReportMetric(float64(mo)/float64(mc), "x-dry-run-then-apply")
	b.Logf("%s", strings.Join(runs, "; "))
	b.Logf("API requests per object of the operation (last run): %s", budget.per(n))
	b.Logf("last run's %s", cpu)
	b.ReportMetric(kib, "KiB/object")
	b.ReportMetric(peakRSS(b), "MiB-peak-rss")
	b.Logf("%d ConfigMaps in 20 waves: syncwave %v (runs %v), parallel apply %v (runs %v): %.2fx; dry-run then apply %v: %.2fx; SyncOperation %.0f KiB; manager peak RSS %.0f MiB",
		n, mo, ours, mf, floor, float64(mo)/float64(mf), mc, float64(mo)/float64(mc), kib, peakRSS(b))
}

// BenchmarkLarge2000: 2,000 ConfigMaps in 20 waves.
func BenchmarkLarge2000(b *testing.B) { runLarge(b, 2000) }

// BenchmarkLarge10000: 10,000 ConfigMaps in 20 waves.
func BenchmarkLarge10000(b *testing.B) { runLarge(b, 10000) }

// BenchmarkMany100x20: 100 operations of 20 ConfigMaps (2 waves) created
// together, until the last one Succeeded, next to a parallel apply of the
// same 2,000 objects.
func BenchmarkMany100x20(b *testing.B) {
	setupBench(b)
	var ours, floor, checked []time.Duration
	var budget requestCounts
	var cpu string
	for i := range b.N + 1 {
		ns, bulkNS, checkedNS := bench.c.NamespaceT(b, "many-"), bench.c.NamespaceT(b, "floor-"), bench.c.NamespaceT(b, "checked-")
		var all []*unstructured.Unstructured
		names := map[string]bool{}
		ops := make([]*syncv1alpha1.SyncOperation, 100)
		for k := range ops {
			objs := configMaps(fmt.Sprintf("op%03d-", k), 20, 2)
			all = append(all, objs...)
			var ms []runtime.RawExtension
			for _, o := range objs {
				raw, _ := json.Marshal(o.Object)
				ms = append(ms, runtime.RawExtension{Raw: raw})
			}
			name := fmt.Sprintf("op%03d", k)
			names[name] = true
			ops[k] = &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
				Spec: syncv1alpha1.SyncOperationSpec{Manifests: ms}}
		}
		reqs, cpu0 := apiRequests(b), cpuNow(b)
		start := time.Now()
		var wg sync.WaitGroup
		for _, op := range ops {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := bench.cl.Create(context.Background(), op); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
		done := waitTerminal(b, bench.cl, ns, names, 10*time.Minute)
		d := time.Since(start)
		for _, op := range done {
			if op.Status.Phase != syncv1alpha1.OperationSucceeded {
				b.Fatalf("%s: %s", op.Name, op.Status.Message)
			}
		}
		budget = apiRequestsSettled(b).since(reqs)
		cpu1 := cpuNow(b)
		f := cluster.BulkApply(b, bench.cl, bulkNS, all)
		cpu2 := cpuNow(b)
		c := cluster.CheckedApply(b, bench.cl, checkedNS, all)
		cpu = cpuLine(cpu1.since(cpu0), cpu2.since(cpu1), cpuNow(b).since(cpu2))
		if i > 0 {
			ours, floor, checked = append(ours, d), append(floor, f), append(checked, c)
		}
		cleanup(b, ns, bulkNS, checkedNS)
	}
	mo, mf, mc := median(ours), median(floor), median(checked)
	b.ReportMetric(msf(mo), "ms/100-operations")
	b.ReportMetric(msf(mf), "ms/parallel-apply")
	b.ReportMetric(float64(mo)/float64(mf), "x-parallel-apply")
	b.ReportMetric(float64(mo)/float64(mc), "x-dry-run-then-apply")
	b.Logf("100 operations x 20 ConfigMaps: syncwave %v (runs %v), parallel apply %v (runs %v): %.2fx; dry-run then apply %v: %.2fx",
		mo, ours, mf, floor, float64(mo)/float64(mf), mc, float64(mo)/float64(mc))
	b.Logf("API requests per operation (last run): %s", budget.per(100))
	b.Logf("last run's %s", cpu)
}
