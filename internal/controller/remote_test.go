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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/syncwave/syncwave/internal/kubeconfig/kubeconfigtest"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
)

func TestReachabilityProbesANewConnection(t *testing.T) {
	g := NewWithT(t)
	probes := 0
	r := &reachability{probe: func(context.Context) error { probes++; return errors.New("connection refused") }}
	g.Expect(r.Check(context.Background())).To(MatchError(ContainSubstring("connection refused")))
	g.Expect(probes).To(Equal(1), "a cluster never heard from is asked before it is used")
}

func TestReachabilityFollowsRequestsAndProbesAtMostEveryInterval(t *testing.T) {
	g := NewWithT(t)
	now := time.Unix(1000, 0)
	probes := 0
	probeErr := errors.New("dial tcp 10.0.0.1:6443: connect: connection refused")
	r := &reachability{now: func() time.Time { return now }, probe: func(context.Context) error { probes++; return probeErr }}

	fail := true
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer up.Close()
	rt := r.wrap(roundTripper(func(req *http.Request) (*http.Response, error) {
		if fail {
			return nil, probeErr
		}
		return http.DefaultTransport.RoundTrip(req)
	}))
	req, _ := http.NewRequest(http.MethodGet, up.URL, nil)

	r.record(nil)
	g.Expect(r.Check(context.Background())).To(Succeed(), "a cluster that answered and is not known to be down is not probed")
	g.Expect(probes).To(Equal(0))
	_, err := rt.RoundTrip(req)
	g.Expect(err).To(HaveOccurred())
	g.Expect(r.Unreachable()).To(MatchError(ContainSubstring("unreachable since 1970-01-01T00:16:40Z: dial tcp")))

	g.Expect(r.Check(context.Background())).To(HaveOccurred())
	g.Expect(probes).To(Equal(1))
	now = now.Add(time.Second)
	g.Expect(r.Check(context.Background())).To(HaveOccurred())
	g.Expect(probes).To(Equal(1), "within the probe interval a reconcile fails fast")
	now = now.Add(probeInterval)
	probeErr = nil
	g.Expect(r.Check(context.Background())).To(Succeed(), "a probe that gets an answer marks it reachable")
	g.Expect(probes).To(Equal(2))

	// A request its caller cancelled says nothing of the cluster.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _ = rt.RoundTrip(req.WithContext(ctx))
	g.Expect(r.Unreachable()).To(Succeed())
	// Nor does a pod's log that the kubelet does not serve in time.
	probeErr = context.DeadlineExceeded
	logs, _ := http.NewRequest(http.MethodGet, up.URL+"/api/v1/namespaces/ns/pods/migrate-x/log?container=main", nil)
	_, _ = rt.RoundTrip(logs)
	g.Expect(r.Unreachable()).To(Succeed(), "a kubelet that does not answer is not the API server")
	fail = false
	resp, err := rt.RoundTrip(req)
	g.Expect(err).NotTo(HaveOccurred())
	_ = resp.Body.Close()
	g.Expect(r.Unreachable()).To(Succeed())
}

func TestRemotesShareAConnectionPerKubeconfigAndCloseTheLast(t *testing.T) {
	g := NewWithT(t)
	m := &Remotes{}
	a := kubeconfigtest.New("https://10.0.0.1:6443", "    token: a\n")
	b := kubeconfigtest.New("https://10.0.0.2:6443", "    token: b\n")
	c1, err := m.Connect("op-1", types.NamespacedName{Namespace: "ns", Name: "op-1"}, a, "Secret ns/a key value")
	g.Expect(err).NotTo(HaveOccurred())
	c2, err := m.Connect("op-2", types.NamespacedName{Namespace: "ns", Name: "op-2"}, a, "Secret ns/a key value")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c2).To(BeIdenticalTo(c1), "one connection per kubeconfig content")
	_, err = m.Connect("op-3", types.NamespacedName{Namespace: "ns", Name: "op-3"}, b, "Secret ns/b key value")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(m.Clusters()).To(Equal(2))

	// A rotated Secret: op-2 moves to the new content; a stays for op-1.
	rotated, err := m.Connect("op-2", types.NamespacedName{Namespace: "ns", Name: "op-2"}, b, "Secret ns/a key value")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(m.Current("op-2")).To(BeIdenticalTo(rotated))
	g.Expect(m.Clusters()).To(Equal(2))
	m.Release("op-1")
	g.Expect(m.Clusters()).To(Equal(1), "a connection without operations is closed")
	m.Release(types.UID("op-2"))
	m.Release("op-3")
	g.Expect(m.Clusters()).To(Equal(0))
	g.Expect(m.Current("op-3")).To(BeNil())

	_, err = m.Connect("op-4", types.NamespacedName{Namespace: "ns", Name: "op-4"}, []byte("kind: Config\nusers: [{name: u, user: {exec: {command: x}}}]\ncontexts: [{name: c, context: {user: u, cluster: c}}]\nclusters: [{name: c, cluster: {server: https://x}}]\ncurrent-context: c\n"), "Secret ns/x key value")
	g.Expect(err).To(MatchError(ContainSubstring("Secret ns/x key value: kubeconfig: user \"u\" runs an exec plugin")))
	g.Expect(strings.Count(err.Error(), "Secret")).To(Equal(1))
}

func TestUnreachableRunGivesUpAfterTheGrace(t *testing.T) {
	started := time.Unix(10000, 0)
	for _, tc := range []struct {
		name    string
		elapsed time.Duration
		want    syncv1alpha1.OperationPhase
	}{
		{"within the timeout", 30 * time.Second, syncv1alpha1.OperationRunning},
		{"past the timeout, within the grace", 90 * time.Second, syncv1alpha1.OperationRunning},
		{"past the timeout and the grace", 3 * time.Minute, syncv1alpha1.OperationFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			r := &SyncOperationReconciler{Clock: clocktesting.NewFakePassiveClock(started.Add(tc.elapsed)), DefaultTimeout: time.Minute,
				UnreachableGrace: time.Minute}
			at := metav1.NewTime(started)
			op := &syncv1alpha1.SyncOperation{Status: syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning, StartedAt: &at}}
			out := &operation.Outcome{}
			r.unreachableRun(op, out, &clusterWait{msg: "the cluster of spec.kubeConfig (Secret ns/remote) is unreachable since …"})
			g.Expect(op.Status.Phase).To(Equal(tc.want))
			g.Expect(out.RequeueAfter).To(Equal(clusterRetry))
			if tc.want == syncv1alpha1.OperationFailed {
				g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonTimeout))
				g.Expect(op.Status.Message).To(Equal("the operation's timeout of 1m0s passed and the cluster of spec.kubeConfig (Secret ns/remote) is unreachable since …; its SyncFail hooks could not run"))
			}
		})
	}
}

func TestUnreachableRunStopsRetryingHousekeepingAfterTheGrace(t *testing.T) {
	g := NewWithT(t)
	finished := metav1.NewMicroTime(time.Unix(10000, 0))
	op := &syncv1alpha1.SyncOperation{Status: syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationSucceeded, FinishedAt: &finished}}
	cw := &clusterWait{msg: "unreachable"}
	r := &SyncOperationReconciler{Clock: clocktesting.NewFakePassiveClock(finished.Add(30 * time.Second)), UnreachableGrace: time.Minute}
	out := &operation.Outcome{}
	r.unreachableRun(op, out, cw)
	g.Expect(out.RequeueAfter).To(Equal(clusterRetry), "within the grace, housekeeping is tried again")
	r.Clock = clocktesting.NewFakePassiveClock(finished.Add(2 * time.Minute))
	out = &operation.Outcome{}
	r.unreachableRun(op, out, cw)
	g.Expect(out.RequeueAfter).To(BeZero(), "after it, only an event of the operation tries again")
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), "a finished operation keeps its result")
}

// TestProbeURLIsTheServers: the probe goes to the server's /readyz as
// client-go makes its URL: a server without a scheme (which kubeconfigs
// allow), with a trailing slash, or behind a path prefix.
func TestProbeURLIsTheServers(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		paths = append(paths, r.URL.Path)
	}))
	defer srv.Close()
	hostPort := strings.TrimPrefix(srv.URL, "http://")
	for _, tc := range []struct{ server, want string }{
		{hostPort, "/readyz"}, // no scheme, no TLS data: http
		{srv.URL + "/", "/readyz"},
		{srv.URL + "/k8s/clusters/c1", "/k8s/clusters/c1/readyz"},
	} {
		t.Run(tc.server, func(t *testing.T) {
			g := NewWithT(t)
			m := &Remotes{}
			rc, err := m.Connect("op", types.NamespacedName{Namespace: "ns", Name: "op"}, kubeconfigtest.New(tc.server, "    token: a\n"), "Secret ns/a key value")
			g.Expect(err).NotTo(HaveOccurred())
			defer m.Release("op")
			g.Expect(rc.reach.Check(context.Background())).To(Succeed())
			mu.Lock()
			defer mu.Unlock()
			g.Expect(paths).To(HaveLen(1))
			g.Expect(paths[0]).To(Equal(tc.want))
			paths = nil
		})
	}
}
