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

package manager_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	"github.com/syncwave/syncwave/internal/manager"
	"github.com/syncwave/syncwave/test/cluster"
)

// gate is a reverse proxy to the API server that holds every read of
// SyncOperations (the LIST or the WATCH that fills the informer) until
// it is opened, so that the manager's cache cannot sync before then.
type gate struct {
	open    chan struct{}
	once    sync.Once
	held    atomic.Int32
	backend *httputil.ReverseProxy
}

func newGate(t *testing.T, cfg *rest.Config) (*gate, *rest.Config) {
	t.Helper()
	target, err := url.Parse(cfg.Host)
	if err != nil {
		t.Fatal(err)
	}
	transport, err := rest.TransportFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{open: make(chan struct{})}
	g.backend = &httputil.ReverseProxy{
		Rewrite:       func(r *httputil.ProxyRequest) { r.SetURL(target) },
		Transport:     transport,
		FlushInterval: -1, // watches stream
	}
	srv := &http.Server{Handler: g, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { g.release(); _ = srv.Close() })
	// The proxy adds the credentials, so the manager talks plain HTTP.
	return g, &rest.Config{Host: "http://" + ln.Addr().String(), QPS: cfg.QPS, Burst: cfg.Burst}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/syncoperations") {
		g.held.Add(1)
		select {
		case <-g.open:
		case <-r.Context().Done():
			return
		}
	}
	g.backend.ServeHTTP(w, r)
}

func (g *gate) release() { g.once.Do(func() { close(g.open) }) }

// freeAddress returns a local address nothing listens on.
func freeAddress(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// probeClient gives up on a probe that does not answer, so that one hung
// request does not outlast the Eventually that polls it.
var probeClient = &http.Client{Timeout: 5 * time.Second}

// status is the HTTP status of a GET of url, 0 when it does not answer.
func status(url string) int {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, http.NoBody)
	if err != nil {
		return 0
	}
	resp, err := probeClient.Do(req)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// TestReadyzWaitsForCaches runs the manager with the reads of
// SyncOperations held back: /healthz answers, /readyz fails; once the
// reads go through and the caches sync, /readyz answers 200 (and the
// profiles are served on --pprof-bind-address).
func TestReadyzWaitsForCaches(t *testing.T) {
	ctrllog.SetLogger(logr.Discard())
	g := NewWithT(t)
	c := cluster.StartT(t, cluster.Options{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}})
	gt, cfg := newGate(t, c.Config)

	probes, pprof := freeAddress(t), freeAddress(t)
	o := manager.DefaultOptions()
	o.MetricsBindAddress, o.HealthProbeBindAddress, o.PprofBindAddress = "0", probes, pprof
	o.Registry = prometheus.NewRegistry()
	o.SkipNameValidation = true
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- manager.Run(ctx, cfg, o) }()
	t.Cleanup(func() {
		cancel()
		gt.release()
		g.Eventually(done, 30*time.Second).Should(Receive(Succeed()))
	})

	healthz, readyz := "http://"+probes+"/healthz", "http://"+probes+"/readyz"
	g.Eventually(func() int { return status(healthz) }, 30*time.Second, 20*time.Millisecond).Should(Equal(http.StatusOK))
	g.Eventually(gt.held.Load, 30*time.Second, 20*time.Millisecond).Should(BeNumerically(">", 0),
		"the manager never read SyncOperations")
	g.Consistently(func() int { return status(readyz) }, time.Second, 50*time.Millisecond).
		Should(Equal(http.StatusInternalServerError), "/readyz answers before the caches synced")

	gt.release()
	g.Eventually(func() int { return status(readyz) }, 30*time.Second, 20*time.Millisecond).Should(Equal(http.StatusOK))
	g.Expect(status("http://"+pprof+"/debug/pprof/cmdline")).To(Equal(http.StatusOK), "--pprof-bind-address serves the profiles")
}

// TestReadyWithTheControllerRole runs the manager as a ServiceAccount bound
// to nothing but the controller's ClusterRole (config/rbac/role.yaml, what
// the chart grants with targetAccess none): every informer it starts before
// the caches sync must be one that role may list, or /readyz never answers.
func TestReadyWithTheControllerRole(t *testing.T) {
	ctrllog.SetLogger(logr.Discard())
	g := NewWithT(t)
	c := cluster.StartT(t, cluster.Options{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}})
	cl, err := c.Client(nil)
	g.Expect(err).NotTo(HaveOccurred())
	raw, err := os.ReadFile(filepath.Join("..", "..", "config", "rbac", "role.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	role := &rbacv1.ClusterRole{}
	g.Expect(yaml.Unmarshal(raw, role)).To(Succeed())
	ctx := context.Background()
	g.Expect(cl.Create(ctx, role)).To(Succeed())
	g.Expect(cl.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "manager"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "manager", Namespace: "default"}}})).To(Succeed())

	cfg := rest.CopyConfig(c.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:default:manager"}
	probes := freeAddress(t)
	o := manager.DefaultOptions()
	o.MetricsBindAddress, o.HealthProbeBindAddress = "0", probes
	o.Registry = prometheus.NewRegistry()
	// TestReadyzWaitsForCaches ran a manager in this process already.
	o.SkipNameValidation = true
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- manager.Run(runCtx, cfg, o) }()
	t.Cleanup(func() {
		cancel()
		g.Eventually(done, 30*time.Second).Should(Receive(Succeed()))
	})
	g.Eventually(func() int { return status("http://" + probes + "/readyz") }, 30*time.Second, 50*time.Millisecond).
		Should(Equal(http.StatusOK), "the manager never became ready with the controller's ClusterRole")
}
