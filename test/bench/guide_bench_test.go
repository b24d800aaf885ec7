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
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manager"
)

// guideObjects are the guide's three steps: a PreSync Job, a 3-replica
// Deployment, a PostSync Job.
func guideObjects(ns string) (*batchv1.Job, *appsv1.Deployment, *batchv1.Job) {
	job := func(name string) *batchv1.Job {
		return &batchv1.Job{TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec: batchv1.JobSpec{BackoffLimit: ptr.To(int32(0)), Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}}}
	}
	lbl := map[string]string{"app": "api"}
	dep := &appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: ns},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To(int32(3)), Selector: &metav1.LabelSelector{MatchLabels: lbl},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: lbl},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}}}
	return job("migrate"), dep, job("smoke")
}

// direct runs the three steps by hand, the fastest a client can: create,
// then poll-free wait on a watch until done.
func direct(b *testing.B, cl client.WithWatch, ns string) time.Duration {
	b.Helper()
	pre, dep, post := guideObjects(ns)
	start := time.Now()
	for _, o := range []client.Object{pre, dep, post} {
		waitDone(b, cl, o)
	}
	return time.Since(start)
}

func waitDone(b *testing.B, cl client.WithWatch, o client.Object) {
	b.Helper()
	ctx := context.Background()
	var list client.ObjectList = &batchv1.JobList{}
	if _, ok := o.(*appsv1.Deployment); ok {
		list = &appsv1.DeploymentList{}
	}
	w, err := cl.Watch(ctx, list, client.InNamespace(o.GetNamespace()))
	if err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	if err := cl.Create(ctx, o); err != nil {
		b.Fatal(err)
	}
	for ev := range w.ResultChan() {
		switch x := ev.Object.(type) {
		case *batchv1.Job:
			if x.Name != o.GetName() {
				continue
			}
			for _, c := range x.Status.Conditions {
				if c.Type == batchv1.JobComplete && c.Status == corev1.ConditionTrue {
					return
				}
			}
		case *appsv1.Deployment:
			if x.Status.ObservedGeneration >= x.Generation && x.Status.AvailableReplicas == 3 && x.Status.UpdatedReplicas == 3 {
				return
			}
		}
	}
}

// BenchmarkW2Guide: the guide's three steps as one operation next to the
// same objects created and awaited by hand, one after the other.
func BenchmarkW2Guide(b *testing.B) {
	c, _ := setup(b)
	wcl, err := client.NewWithWatch(c.Config, client.Options{Scheme: manager.Scheme()})
	if err != nil {
		b.Fatal(err)
	}
	manifests := func(ns string) []runtime.RawExtension {
		pre, dep, post := guideObjects(ns)
		pre.Annotations = map[string]string{syncv1alpha1.AnnotationHook: "PreSync"}
		post.Annotations = map[string]string{syncv1alpha1.AnnotationHook: "PostSync"}
		var out []runtime.RawExtension
		for _, o := range []any{pre, dep, post} {
			bs, _ := json.Marshal(o)
			out = append(out, runtime.RawExtension{Raw: bs})
		}
		return out
	}
	ns := c.NamespaceT(b, "warm-")
	_, _ = runOp(b, wcl, ns, manifests(ns))
	var ours, hand, trans []time.Duration
	b.ResetTimer()
	for range b.N {
		ns := c.NamespaceT(b, "w2-")
		seen := watchMilestones(b, wcl, ns)
		_, d := runOp(b, wcl, ns, manifests(ns))
		ours = append(ours, d)
		trans = append(trans, seen.transitions(b)...)
		hand = append(hand, direct(b, wcl, c.NamespaceT(b, "hand-")))
	}
	b.StopTimer()
	b.ReportMetric(ms(median(ours)), "syncwave-ms")
	b.ReportMetric(ms(median(hand)), "by-hand-ms")
	b.ReportMetric(ms(median(ours)-median(hand)), "overhead-ms")
	b.ReportMetric(ms(percentile(trans, 0.5)), "transition-p50-ms")
	b.ReportMetric(ms(percentile(trans, 1)), "transition-max-ms")
	b.ReportMetric(0, "ns/op")
}

// milestones are the moments a watch of this process saw each step end and
// the next one start: the step-transition latency seen from outside.
type milestones struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func (m *milestones) mark(k string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.seen[k]; !ok {
		m.seen[k] = time.Now()
	}
}

func watchMilestones(b *testing.B, cl client.WithWatch, ns string) *milestones {
	b.Helper()
	m := &milestones{seen: map[string]time.Time{}}
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	for _, list := range []client.ObjectList{&batchv1.JobList{}, &appsv1.DeploymentList{}} {
		w, err := cl.Watch(ctx, list, client.InNamespace(ns))
		if err != nil {
			b.Fatal(err)
		}
		go func() {
			defer w.Stop()
			for ev := range w.ResultChan() {
				switch x := ev.Object.(type) {
				case *batchv1.Job:
					m.mark("created/" + x.Name)
					for _, c := range x.Status.Conditions {
						if c.Type == batchv1.JobComplete && c.Status == corev1.ConditionTrue {
							m.mark("done/" + x.Name)
						}
					}
				case *appsv1.Deployment:
					m.mark("created/" + x.Name)
					if x.Status.ObservedGeneration >= x.Generation && x.Status.AvailableReplicas == 3 && x.Status.UpdatedReplicas == 3 {
						m.mark("done/" + x.Name)
					}
				}
			}
		}()
	}
	return m
}

// transitions: migrate done -> api created, api available -> smoke created.
func (m *milestones) transitions(b *testing.B) []time.Duration {
	b.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []time.Duration
	for _, p := range [][2]string{{"done/migrate", "created/api"}, {"done/api", "created/smoke"}} {
		from, ok1 := m.seen[p[0]]
		to, ok2 := m.seen[p[1]]
		if !ok1 || !ok2 {
			b.Fatalf("milestones missing: %v", m.seen)
		}
		out = append(out, to.Sub(from))
	}
	return out
}
