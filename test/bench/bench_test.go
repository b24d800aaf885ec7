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

package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manager"
	"github.com/syncwave/syncwave/test/cluster"
)

// shared is one simulated cluster with the controller running in this
// process, for every benchmark of the package (a benchmark function runs
// more than once).
var shared struct {
	once sync.Once
	c    *cluster.Cluster
	cl   client.Client
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.c != nil {
		_ = shared.c.Stop()
	}
	os.Exit(code)
}

func setup(b *testing.B) (*cluster.Cluster, client.Client) {
	b.Helper()
	shared.once.Do(func() {
		ctrllog.SetLogger(logr.Discard())
		c, err := cluster.Start(context.Background(), cluster.Options{Simulated: true,
			CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}})
		if err != nil {
			shared.err = err
			return
		}
		shared.c = c
		o := manager.DefaultOptions()
		o.MetricsBindAddress, o.HealthProbeBindAddress = "0", "0"
		o.Registry = prometheus.NewRegistry()
		go func() { _ = manager.Run(context.Background(), c.Config, o) }()
		shared.cl, shared.err = c.Client(manager.Scheme())
	})
	if shared.err != nil {
		b.Fatal(shared.err)
	}
	return shared.c, shared.cl
}

func configMaps(waves, perWave int) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for w := range waves {
		for i := range perWave {
			u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
				"metadata": map[string]any{"name": fmt.Sprintf("w%02d-cm%02d", w, i),
					"annotations": map[string]any{syncv1alpha1.AnnotationSyncWave: fmt.Sprint(w)}},
				"data": map[string]any{"key": fmt.Sprintf("value %d/%d", w, i)}}}
			out = append(out, u)
		}
	}
	return out
}

func raw(objs []*unstructured.Unstructured) []runtime.RawExtension {
	out := make([]runtime.RawExtension, 0, len(objs))
	for _, o := range objs {
		b, _ := json.Marshal(o.Object)
		out = append(out, runtime.RawExtension{Raw: b})
	}
	return out
}

// runOp creates an operation and waits (watching) until it is terminal.
func runOp(b *testing.B, cl client.WithWatch, ns string, ms []runtime.RawExtension) (*syncv1alpha1.SyncOperation, time.Duration) {
	b.Helper()
	ctx := context.Background()
	list := &syncv1alpha1.SyncOperationList{}
	w, err := cl.Watch(ctx, list, client.InNamespace(ns))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { w.Stop() }()
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns}, Spec: syncv1alpha1.SyncOperationSpec{Manifests: ms}}
	start := time.Now()
	if err := cl.Create(ctx, op); err != nil {
		b.Fatal(err)
	}
	timeout := time.After(5 * time.Minute)
	for {
		select {
		case ev, open := <-w.ResultChan():
			got, ok := ev.Object.(*syncv1alpha1.SyncOperation)
			if !open {
				// The API server ended the watch: read, then watch again.
				got, ok = &syncv1alpha1.SyncOperation{}, true
				if err := cl.Get(ctx, client.ObjectKeyFromObject(op), got); err != nil {
					b.Fatal(err)
				}
				if w, err = cl.Watch(ctx, list, client.InNamespace(ns), &client.ListOptions{Raw: &metav1.ListOptions{ResourceVersion: got.ResourceVersion}}); err != nil {
					b.Fatal(err)
				}
			}
			if ok && got.Status.Phase.Terminal() {
				d := time.Since(start)
				if got.Status.Phase != syncv1alpha1.OperationSucceeded {
					b.Fatalf("operation %s: %s", got.Status.Phase, got.Status.Message)
				}
				return got, d
			}
		case <-timeout:
			b.Fatal("operation did not finish")
		}
	}
}

// kubectlApply runs "kubectl apply --server-side" of every object, the way
// a person or a CI job applies a directory, and returns how long it took.
func kubectlApply(b *testing.B, c *cluster.Cluster, ns string, objs []*unstructured.Unstructured) time.Duration {
	b.Helper()
	var buf bytes.Buffer
	for _, o := range objs {
		y, err := yaml.Marshal(o.Object)
		if err != nil {
			b.Fatal(err)
		}
		buf.WriteString("---\n")
		buf.Write(y)
	}
	f := filepath.Join(b.TempDir(), "all.yaml")
	if err := os.WriteFile(f, buf.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	cmd := exec.Command(filepath.Join(c.AssetsDir, "kubectl"), "--kubeconfig", c.KubeconfigPath, "apply", "--server-side", "-n", ns, "-f", f)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("kubectl apply: %v: %s", err, out)
	}
	return time.Since(start)
}

// kappBinary is kapp, when it was built (hack/kapp.sh; SYNCWAVE_KAPP
// overrides), else "".
func kappBinary() string {
	if p := os.Getenv("SYNCWAVE_KAPP"); p != "" {
		return p
	}
	home, _ := os.UserHomeDir()
	p := filepath.Join(home, ".cache", "syncwave", "tools", "kapp-"+kappVersion)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

// kappVersion is the kapp that hack/kapp.sh builds.
const kappVersion = "v0.64.0"

// kappDeploy deploys objs as one kapp app with the same order as the sync
// waves: each wave a change group that is upserted after the previous one
// (kapp.k14s.io/change-group and change-rule), and returns how long it took.
func kappDeploy(b *testing.B, kapp string, c *cluster.Cluster, ns string, objs []*unstructured.Unstructured) time.Duration {
	b.Helper()
	var buf bytes.Buffer
	for _, o := range objs {
		u := o.DeepCopy()
		ann := u.GetAnnotations()
		w := ann[syncv1alpha1.AnnotationSyncWave]
		delete(ann, syncv1alpha1.AnnotationSyncWave)
		ann["kapp.k14s.io/change-group"] = "syncwave.dev/wave-" + w
		if n, _ := strconv.Atoi(w); n > 0 {
			ann["kapp.k14s.io/change-rule"] = fmt.Sprintf("upsert after upserting syncwave.dev/wave-%d", n-1)
		}
		u.SetAnnotations(ann)
		y, err := yaml.Marshal(u.Object)
		if err != nil {
			b.Fatal(err)
		}
		buf.WriteString("---\n")
		buf.Write(y)
	}
	f := filepath.Join(b.TempDir(), "all.yaml")
	if err := os.WriteFile(f, buf.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	cmd := exec.Command(kapp, "deploy", "--kubeconfig", c.KubeconfigPath, "-a", "w1", "-n", ns, "--into-ns", ns, "-f", f, "-y", "--tty=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("kapp deploy: %v: %s", err, out)
	}
	return time.Since(start)
}

// transitions returns, for each step after the first, the time from the
// end of the previous step to the start of the step (status.steps).
func transitions(op *syncv1alpha1.SyncOperation) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(op.Status.Steps); i++ {
		prev, cur := op.Status.Steps[i-1], op.Status.Steps[i]
		if prev.FinishedAt == nil || cur.StartedAt == nil {
			continue
		}
		out = append(out, cur.StartedAt.Sub(prev.FinishedAt.Time))
	}
	return out
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p)
	return s[i]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkW1Waves: 20 waves of 10 ConfigMaps as one operation, next to one
// bulk server-side apply of the same 200 objects in the same run.
func BenchmarkW1Waves(b *testing.B) {
	c, cl := setup(b)
	wcl, err := client.NewWithWatch(c.Config, client.Options{Scheme: manager.Scheme()})
	if err != nil {
		b.Fatal(err)
	}
	objs := configMaps(20, 10)
	ms2 := raw(objs)
	var ours, bulk, checked, kubectl, kappd, trans []time.Duration
	kapp := kappBinary()
	// One warm-up of each, so that informers and connections exist.
	_, _ = runOp(b, wcl, c.NamespaceT(b, "warm-"), ms2)
	cluster.BulkApply(b, cl, c.NamespaceT(b, "warmbulk-"), objs)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		op, d := runOp(b, wcl, c.NamespaceT(b, "w1-"), ms2)
		ours = append(ours, d)
		if st := op.Status.Steps; len(st) > 0 && st[0].StartedAt != nil && st[len(st)-1].FinishedAt != nil {
			first, last := st[0].StartedAt.Time, st[len(st)-1].FinishedAt.Time
			b.Logf("created → first step %v (admit, pin, dry-run), steps %v, last step → seen Succeeded %v",
				first.Sub(start).Round(time.Millisecond), last.Sub(first).Round(time.Millisecond), start.Add(d).Sub(last).Round(time.Millisecond))
		}
		trans = append(trans, transitions(op)...)
		bulk = append(bulk, cluster.BulkApply(b, cl, c.NamespaceT(b, "bulk-"), objs))
		checked = append(checked, cluster.CheckedApply(b, cl, c.NamespaceT(b, "checked-"), objs))
		kubectl = append(kubectl, kubectlApply(b, c, c.NamespaceT(b, "kubectl-"), objs))
		if kapp != "" {
			kappd = append(kappd, kappDeploy(b, kapp, c, c.NamespaceT(b, "kapp-"), objs))
		}
	}
	b.StopTimer()
	b.ReportMetric(ms(median(ours)), "syncwave-ms")
	b.ReportMetric(ms(median(bulk)), "bulk-ms")
	b.ReportMetric(float64(median(ours))/float64(median(bulk)), "ratio-vs-bulk")
	b.ReportMetric(ms(median(checked)), "dry-run-then-bulk-ms")
	b.ReportMetric(float64(median(ours))/float64(median(checked)), "ratio-vs-dry-run-then-bulk")
	b.ReportMetric(ms(median(kubectl)), "kubectl-ms")
	b.ReportMetric(float64(median(ours))/float64(median(kubectl)), "ratio-vs-kubectl")
	if len(kappd) > 0 {
		b.ReportMetric(ms(median(kappd)), "kapp-ms")
		b.ReportMetric(float64(median(ours))/float64(median(kappd)), "ratio-vs-kapp")
	} else {
		b.Log("kapp not built (hack/kapp.sh): no kapp figure")
	}
	b.ReportMetric(ms(percentile(trans, 0.5)), "transition-p50-ms")
	b.ReportMetric(ms(percentile(trans, 0.99)), "transition-p99-ms")
	b.ReportMetric(0, "ns/op")
}
