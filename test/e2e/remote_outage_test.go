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
	"fmt"
	"slices"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// stuckWithAlert is a Deployment that stays Progressing for five minutes
// and a SyncFail hook (a ConfigMap) that records the failure.
func stuckWithAlert(t *testing.T) []runtime.RawExtension {
	t.Helper()
	return []runtime.RawExtension{
		slowDeployment(t, "stuck", 300, ""),
		obj(t, "v1", "ConfigMap", "alert", map[string]string{syncv1alpha1.AnnotationHook: "SyncFail"}, map[string]any{"data": map[string]any{"k": "v"}}),
	}
}

// hubOps runs n operations of 10 ConfigMaps in two waves on the hub
// itself, one after the other, and returns how long each took.
func hubOps(t *testing.T, hub *env, n int) []time.Duration {
	t.Helper()
	var out []time.Duration
	for range n {
		ns := hub.c.NamespaceT(t, "hub-local-")
		var m []runtime.RawExtension
		for i := range 10 {
			m = append(m, configMap(t, fmt.Sprintf("cm-%d", i), fmt.Sprint(i%2)))
		}
		begin := time.Now()
		op := hub.createOp(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: m})
		op = hub.waitDone(t, op, 60*time.Second)
		out = append(out, time.Since(begin))
		NewWithT(t).Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	}
	return out
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func (hr *hubAndRemote) get(t *testing.T, op *syncv1alpha1.SyncOperation) *syncv1alpha1.SyncOperation {
	t.Helper()
	got := &syncv1alpha1.SyncOperation{}
	if err := hr.hub.cl.Get(context.Background(), client.ObjectKeyFromObject(op), got); err != nil {
		t.Fatal(err)
	}
	return got
}

func (hr *hubAndRemote) onRemote(ns, name string, obj client.Object) bool {
	err := hr.remote.cl.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, obj)
	return err == nil
}

// testRemoteOutage kills the remote API server while two operations wait
// for a Deployment there: both wait Unknown, naming the cluster; the one
// whose timeout and SyncFail step both pass while the cluster is down ends
// Failed without its SyncFail hook, saying why; the other, timed out while
// the cluster was down, runs its SyncFail hook on the remote once it is
// back. Operations on the hub itself go on meanwhile.
func testRemoteOutage(t *testing.T, hr *hubAndRemote) {
	t.Helper()
	g := NewWithT(t)
	hub := hr.hub
	hub.startController(t, "--unreachable-cluster-grace=30s")
	before := hubOps(t, hub, 3)

	nsBack, nsGone := hr.namespace(t, "remote-back-", ""), hr.namespace(t, "remote-gone-", "")
	spec := func(timeout time.Duration) syncv1alpha1.SyncOperationSpec {
		s := remoteSpec(stuckWithAlert(t))
		s.Timeout = &metav1.Duration{Duration: timeout}
		return s
	}
	back := hub.createOp(t, nsBack, spec(15*time.Second))
	gone := hub.createOp(t, nsGone, spec(5*time.Second))
	g.Eventually(func() bool {
		return hr.onRemote(nsBack, "stuck", &appsv1.Deployment{}) && hr.onRemote(nsGone, "stuck", &appsv1.Deployment{})
	}, 30*time.Second, 50*time.Millisecond).Should(BeTrue(), func() string {
		return fmt.Sprintf("both operations wrote their first step on the remote; status: %+v / %+v", hr.get(t, back).Status, hr.get(t, gone).Status)
	})

	g.Expect(hr.remote.c.KillAPIServer()).To(Succeed())
	stopped := time.Now()
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			_ = hr.remote.c.StartAPIServer()
		}
	})
	g.Eventually(func() string {
		for _, b := range hr.get(t, back).Status.BlockedBy {
			if b.Name == "stuck" && b.Health == syncv1alpha1.HealthUnknown {
				return b.Message
			}
		}
		return ""
	}, 20*time.Second, 100*time.Millisecond).Should(And(ContainSubstring("unreachable since"), ContainSubstring("Secret "+nsBack+"/remote")),
		func() string {
			return fmt.Sprintf("the step waits, Unknown, saying why; status %+v", hr.get(t, back).Status)
		})
	t.Logf("while the remote is down: %s", hr.get(t, back).Status.BlockedBy[0].Message)

	during := hubOps(t, hub, 3)
	t.Logf("operations on the hub itself (10 ConfigMaps, 2 waves): median %v before the outage %v, %v during it %v",
		median(before), before, median(during), during)
	g.Expect(median(during)).To(BeNumerically("<", 10*time.Second), "the hub's own operations are not held by the unreachable cluster")

	g.Eventually(func() syncv1alpha1.OperationPhase { return hr.get(t, gone).Status.Phase }, 90*time.Second, 200*time.Millisecond).
		Should(Equal(syncv1alpha1.OperationFailed))
	got := hr.get(t, gone)
	g.Expect(got.Status.Reason).To(Equal(syncv1alpha1.ReasonTimeout))
	// Its SyncFail step had its own timeout to reach the cluster, in vain.
	g.Expect(got.Status.Message).To(And(ContainSubstring("exceeded its timeout of 5s"), ContainSubstring("unreachable since"),
		ContainSubstring("SyncFail step failed"), ContainSubstring("connection refused")))
	t.Logf("given up %v after the outage began: %s", time.Since(stopped).Round(time.Second), got.Status.Message)
	// The other one timed out while the cluster was down and waits in its
	// SyncFail step for the cluster to come back.
	g.Eventually(func() string {
		if c := hr.get(t, back).Status.Current; c != nil {
			return string(c.Phase)
		}
		return ""
	}, 40*time.Second, 200*time.Millisecond).Should(Equal("SyncFail"))
	g.Expect(hr.get(t, back).Status.Phase.Terminal()).To(BeFalse())
	t.Logf("waiting in SyncFail: %s", hr.get(t, back).Status.Message)

	g.Expect(hr.remote.c.StartAPIServer()).To(Succeed())
	restarted = true
	t.Logf("remote API server down for %v", time.Since(stopped).Round(time.Second))
	g.Eventually(func() syncv1alpha1.OperationPhase { return hr.get(t, back).Status.Phase }, 60*time.Second, 200*time.Millisecond).
		Should(Equal(syncv1alpha1.OperationFailed))
	got = hr.get(t, back)
	g.Expect(got.Status.Reason).To(Equal(syncv1alpha1.ReasonTimeout), got.Status.Message)
	g.Expect(hr.onRemote(nsBack, "alert", &corev1.ConfigMap{})).To(BeTrue(), "the SyncFail hook ran on the remote once it was back")
	g.Expect(got.Status.Message).NotTo(ContainSubstring("SyncFail step failed"))
	err := hr.remote.cl.Get(context.Background(), client.ObjectKey{Namespace: nsGone, Name: "alert"}, &corev1.ConfigMap{})
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "the operation that gave up ran no SyncFail hook: %v", err)
	g.Expect(hr.onRemote(nsBack, "alert", &corev1.ConfigMap{})).To(BeTrue())
}
