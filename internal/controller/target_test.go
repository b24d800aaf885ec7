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

package controller

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/kubeconfig/kubeconfigtest"
	"github.com/syncwave/syncwave/internal/operation"
)

// TestStartedOperationWaitsForItsBadKubeconfig: a started operation whose
// kubeconfig Secret went bad, with no connection of this process to go on
// with (after a restart), says so and waits, then ends Failed past its
// timeout and the grace; it is never left Running without a word.
func TestStartedOperationWaitsForItsBadKubeconfig(t *testing.T) {
	g := NewWithT(t)
	exec := kubeconfigtest.New("https://127.0.0.1:1", "    exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh}\n")
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "remote"}, Data: map[string][]byte{"value": exec}}
	started := time.Unix(10000, 0)
	clock := clocktesting.NewFakePassiveClock(started.Add(10 * time.Second))
	r := &SyncOperationReconciler{APIReader: fake.NewClientBuilder().WithObjects(sec).Build(), Remotes: &Remotes{},
		Clock: clock, DefaultTimeout: time.Minute, UnreachableGrace: time.Minute}
	at := metav1.NewTime(started)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "op", UID: types.UID("u")},
		Spec: syncv1alpha1.SyncOperationSpec{KubeConfig: &syncv1alpha1.KubeConfigReference{SecretRef: syncv1alpha1.SecretKeyReference{Name: "remote"}}},
		Status: syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning, StartedAt: &at,
			Snapshot: &syncv1alpha1.SnapshotRef{Kind: "ConfigMap", Name: "op-plan"}}}

	out := &operation.Outcome{}
	tg, wait, err := r.resolveTarget(context.Background(), op, out)
	if err != nil {
		t.Fatal(err.Error())
	}
	g.Expect(tg).To(BeNil())
	g.Expect(wait).To(BeTrue())
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationRunning))
	g.Expect(op.Status.Message).To(HavePrefix("waiting: the kubeconfig cannot be used: spec.kubeConfig.secretRef (Secret ns/remote)"))
	g.Expect(op.Status.Message).To(ContainSubstring(`runs an exec plugin`))
	g.Expect(out.RequeueAfter).To(Equal(clusterRetry), "the Secret may be mended: looked at again")

	clock.SetTime(started.Add(3 * time.Minute))
	out = &operation.Outcome{}
	_, wait, err = r.resolveTarget(context.Background(), op, out)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(wait).To(BeTrue())
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTimeout))
	g.Expect(op.Status.Message).To(ContainSubstring("the operation's timeout of 1m0s passed and the kubeconfig cannot be used"))
}

// TestImpersonationDisabled: spec.serviceAccountName on a controller
// without impersonation fails the operation, naming the field.
func TestImpersonationDisabled(t *testing.T) {
	g := NewWithT(t)
	r := &SyncOperationReconciler{Clock: clocktesting.NewFakePassiveClock(time.Unix(10000, 0))}
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "op"},
		Spec: syncv1alpha1.SyncOperationSpec{ServiceAccountName: "deployer"}}
	out := &operation.Outcome{}
	_, wait, err := r.resolveTarget(context.Background(), op, out)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(wait).To(BeTrue())
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonInvalidManifests))
	g.Expect(op.Status.Message).To(ContainSubstring("spec.serviceAccountName: impersonation is disabled in this controller"))
}

// TestStartedOperationProbesAClusterMarkedUnreachable: one request that
// failed (a slow webhook, a timeout) marks the remote cluster unreachable;
// a started operation asks the cluster again (/readyz) and goes on when it
// answers, rather than waiting until some informer's next request does;
// when the probe fails too, the step goes on and reports its objects
// Unknown, their cluster unreachable since when.
func TestStartedOperationProbesAClusterMarkedUnreachable(t *testing.T) {
	g := NewWithT(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer srv.Close()
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "remote"},
		Data: map[string][]byte{"value": kubeconfigtest.New(srv.URL, "    token: t\n")}}
	r := &SyncOperationReconciler{APIReader: fake.NewClientBuilder().WithObjects(sec).Build(), Remotes: &Remotes{},
		Clock: clocktesting.NewFakePassiveClock(time.Unix(10000, 0)), DefaultTimeout: time.Minute}
	at := metav1.NewTime(time.Unix(10000, 0))
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "op", UID: types.UID("u")},
		Spec: syncv1alpha1.SyncOperationSpec{KubeConfig: &syncv1alpha1.KubeConfigReference{SecretRef: syncv1alpha1.SecretKeyReference{Name: "remote"}}},
		Status: syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning, StartedAt: &at,
			Snapshot: &syncv1alpha1.SnapshotRef{Kind: "ConfigMap", Name: "op-plan"}}}

	tg, wait, err := r.resolveTarget(context.Background(), op, &operation.Outcome{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(wait).To(BeFalse())
	later := time.Now().Add(probeInterval) // past the interval since the first probe
	tg.remote.reach.now = func() time.Time { return later }
	tg.remote.reach.record(errors.New("context deadline exceeded"))
	g.Expect(tg.remote.reach.Unreachable()).To(HaveOccurred())

	tg, wait, err = r.resolveTarget(context.Background(), op, &operation.Outcome{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(wait).To(BeFalse(), "the cluster answers its probe: %s", op.Status.Message)
	g.Expect(tg.remote.reach.Unreachable()).To(Succeed())

	// A cluster that really stopped: the probe fails, and the step still
	// goes on, so that its objects say since when the cluster is down.
	srv.Close()
	later = later.Add(probeInterval)
	tg.remote.reach.record(errors.New("connection refused"))
	later = later.Add(probeInterval)
	tg, wait, err = r.resolveTarget(context.Background(), op, &operation.Outcome{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(wait).To(BeFalse(), "a started operation's step goes on while its cluster is down")
	g.Expect(tg.remote.reach.Unreachable()).To(MatchError(ContainSubstring("unreachable since")))
}
