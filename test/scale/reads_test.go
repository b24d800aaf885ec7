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
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manager"
	"github.com/syncwave/syncwave/test/cluster"
)

// counting counts the requests that read (GET, LIST) without watching.
type counting struct {
	next  http.RoundTripper
	reads atomic.Int64
}

func (c *counting) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet && req.URL.Query().Get("watch") != "true" {
		c.reads.Add(1)
	}
	return c.next.RoundTrip(req)
}

func reconciles(t *testing.T) float64 {
	t.Helper()
	mfs, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() != "controller_runtime_reconcile_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "controller" && l.GetValue() == "syncoperation" {
					total += m.GetCounter().GetValue()
				}
			}
		}
	}
	return total
}

// stuck is a Deployment in the last wave that never rolls out here (no
// kube-controller-manager): the operation waits on it for ever.
func stuck() *unstructured.Unstructured {
	d := &appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "stuck", Annotations: map[string]string{syncv1alpha1.AnnotationSyncWave: "20"}},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To(int32(1)), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "stuck"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "stuck"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}}}
	m, _ := runtimeToMap(d)
	return &unstructured.Unstructured{Object: m}
}

// TestReadsPerReconcileDoNotGrow: in steady state (an operation waiting on
// its last object), a reconcile reads nothing from the API server but what
// it judges from the cache, whether the operation has 200 or 2,000 objects.
func TestReadsPerReconcileDoNotGrow(t *testing.T) {
	ctrllog.SetLogger(logr.Discard())
	c := cluster.StartT(t, cluster.Options{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}})
	cl := c.ClientT(t, manager.Scheme())
	cfg := rest.CopyConfig(c.Config)
	counter := &counting{}
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { counter.next = rt; return counter }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	o := manager.DefaultOptions()
	o.MetricsBindAddress, o.HealthProbeBindAddress = "0", "0"
	o.Registry = prometheus.NewRegistry()
	go func() { done <- manager.Run(ctx, cfg, o) }()
	t.Cleanup(func() { cancel(); <-done })

	perReconcile := map[int]float64{}
	for _, n := range []int{200, 2000} {
		g := NewWithT(t)
		ns := c.NamespaceT(t, fmt.Sprintf("reads-%d-", n))
		objs := append(configMaps("cm-", n, 20), stuck())
		op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns},
			Spec: syncv1alpha1.SyncOperationSpec{Sources: sources(t, cl, ns, "bundle", objs)}}
		g.Expect(cl.Create(ctx, op)).To(Succeed())
		g.Eventually(func() string {
			_ = cl.Get(ctx, client.ObjectKeyFromObject(op), op)
			return op.Status.Step
		}, 2*time.Minute, 50*time.Millisecond).Should(Equal("Sync/20"), "the operation reaches its last step")
		g.Eventually(func() string { _ = cl.Get(ctx, client.ObjectKeyFromObject(op), op); return op.Status.Message },
			time.Minute, 50*time.Millisecond).Should(ContainSubstring("waiting for healthy state"))
		time.Sleep(time.Second) // let the last writes settle

		// Steady state: each touch of the waiting Deployment is a watch
		// event, hence a reconcile that judges it and changes nothing.
		const touches = 20
		before, r0 := counter.reads.Load(), reconciles(t)
		g.Expect(before).To(BeNumerically(">", 0), "the counter sees the reads of the start (sources, pinned plan)")
		for i := range touches {
			d := &appsv1.Deployment{}
			g.Expect(cl.Get(ctx, client.ObjectKey{Namespace: ns, Name: "stuck"}, d)).To(Succeed())
			d.Labels["touch"] = fmt.Sprint(i)
			g.Expect(cl.Update(ctx, d)).To(Succeed())
			want := r0 + float64(i+1)
			g.Eventually(func() float64 { return reconciles(t) }, 10*time.Second, 5*time.Millisecond).Should(BeNumerically(">=", want))
		}
		reads, recs := counter.reads.Load()-before, reconciles(t)-r0
		perReconcile[n] = float64(reads) / recs
		t.Logf("%d objects: %d API reads in %.0f reconciles: %.2f reads per reconcile", n+1, reads, recs, perReconcile[n])
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationRunning))
	}
	g := NewWithT(t)
	g.Expect(perReconcile[2000]).To(BeNumerically("<=", perReconcile[200]+0.5), "reads per reconcile grow with the operation: %v", perReconcile)
	g.Expect(perReconcile[2000]).To(BeNumerically("<", 1), "a steady-state reconcile reads from the cache only")
}

func runtimeToMap(obj any) (map[string]any, error) {
	return runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
}
