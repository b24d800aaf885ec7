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

package controller_test

import (
	"context"
	"testing"
	"time"

	"github.com/syncwave/syncwave/internal/kubeconfig/kubeconfigtest"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// remoteOp is an operation of one ConfigMap on the cluster of the
// kubeconfig in Secret "remote".
func remoteOp(ns string, timeout time.Duration) *syncv1alpha1.SyncOperation {
	return &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns},
		Spec: syncv1alpha1.SyncOperationSpec{
			Manifests:  []runtime.RawExtension{{Raw: []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app"}}`)}},
			KubeConfig: &syncv1alpha1.KubeConfigReference{SecretRef: syncv1alpha1.SecretKeyReference{Name: "remote"}},
			Timeout:    &metav1.Duration{Duration: timeout}}}
}

func kubeconfigSecret(ns string, kc []byte) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "remote", Namespace: ns}, Data: map[string][]byte{"value": kc}}
}

// TestRemoteKubeconfigWaitsThenRefusesExec: an operation whose kubeconfig
// Secret does not exist yet waits Pending naming it; a kubeconfig that runs
// an exec plugin fails it with InvalidManifests; nothing is applied.
func TestRemoteKubeconfigWaitsThenRefusesExec(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := remoteOp(ns, time.Minute)
	g.Expect(k8s.Create(context.Background(), op)).To(Succeed())
	g.Eventually(func() string {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		return op.Status.Message
	}, 10*time.Second, 20*time.Millisecond).Should(Equal("waiting for the kubeconfig spec.kubeConfig.secretRef (Secret " + ns + "/remote) to exist"))
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationPending))

	exec := kubeconfigtest.New("https://127.0.0.1:1", "    exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh, args: [-c, 'touch /tmp/pwned']}\n")
	g.Expect(k8s.Create(context.Background(), kubeconfigSecret(ns, exec))).To(Succeed())
	g.Eventually(func() bool {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		return op.Status.Phase.Terminal()
	}, 20*time.Second, 20*time.Millisecond).Should(BeTrue())
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonInvalidManifests))
	g.Expect(op.Status.Message).To(ContainSubstring("spec.kubeConfig.secretRef (Secret " + ns + "/remote): Secret " + ns + "/remote key value: kubeconfig: user \"u\" runs an exec plugin"))
	g.Expect(op.Status.Snapshot).To(BeNil())
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "app")).To(BeFalse())
}

// TestUnreachableClusterKeepsTheOperationPending: a remote cluster that
// does not answer keeps an operation that has not started Pending, saying
// so, until its timeout; nothing is pinned or applied.
func TestUnreachableClusterKeepsTheOperationPending(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	g.Expect(k8s.Create(context.Background(), kubeconfigSecret(ns, kubeconfigtest.New("https://127.0.0.1:1", "    token: abc\n")))).To(Succeed())
	op := remoteOp(ns, 4*time.Second)
	g.Expect(k8s.Create(context.Background(), op)).To(Succeed())
	g.Eventually(func() string {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		return op.Status.Message
	}, 10*time.Second, 20*time.Millisecond).Should(ContainSubstring("the cluster of spec.kubeConfig (Secret " + ns + "/remote) is unreachable since"))
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationPending))
	g.Eventually(func() bool {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		return op.Status.Phase.Terminal()
	}, 20*time.Second, 50*time.Millisecond).Should(BeTrue())
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTimeout))
	g.Expect(op.Status.Message).To(And(ContainSubstring("connection refused"), ContainSubstring("gave up after the operation's timeout of 4s; nothing was applied")))
	g.Expect(op.Status.Snapshot).To(BeNil())
}
