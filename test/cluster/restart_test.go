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

package cluster

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TestRestartAndSlowEtcd: kube-apiserver and etcd restart on the same
// ports with their data, a client made before the restart works again
// after it, and the etcd proxy slows every storage call down by its delay.
func TestRestartAndSlowEtcd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	t.Parallel()
	g := NewWithT(t)
	ctx := context.Background()
	c := StartT(t, Options{EtcdProxy: true})
	cl := c.ClientT(t, nil)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "before"}, Data: map[string]string{"k": "v"}}
	g.Expect(cl.Create(ctx, cm)).To(Succeed())
	host := c.Config.Host

	down, err := c.RestartAPIServer(200 * time.Millisecond)
	g.Expect(err).NotTo(HaveOccurred())
	t.Logf("kube-apiserver was down for %s", down.Round(time.Millisecond))
	g.Expect(c.Config.Host).To(Equal(host), "same address")
	got := &corev1.ConfigMap{}
	g.Eventually(func() error { return cl.Get(ctx, client.ObjectKeyFromObject(cm), got) }, 30*time.Second, 50*time.Millisecond).Should(Succeed())
	g.Expect(got.Data).To(Equal(cm.Data), "the data survived the restart")

	g.Expect(c.RestartControlPlane(100 * time.Millisecond)).To(Succeed())
	g.Eventually(func() error { return cl.Get(ctx, client.ObjectKeyFromObject(cm), got) }, 30*time.Second, 50*time.Millisecond).Should(Succeed())
	g.Expect(got.UID).To(Equal(cm.UID), "etcd kept its data")

	c.EtcdProxy().SetDelay(300 * time.Millisecond)
	start := time.Now()
	g.Expect(cl.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "slow"}})).To(Succeed())
	g.Expect(time.Since(start)).To(BeNumerically(">=", 300*time.Millisecond), "a write waits for slow etcd")
	c.EtcdProxy().SetDelay(0)
	// A chunk read while the delay was on may still wait once.
	g.Expect(cl.Get(ctx, client.ObjectKeyFromObject(cm), got)).To(Succeed())
	start = time.Now()
	g.Expect(cl.Delete(ctx, got)).To(Succeed())
	g.Expect(time.Since(start)).To(BeNumerically("<", 300*time.Millisecond), "no delay once it is off")
}
