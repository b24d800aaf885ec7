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

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manager"
	testcluster "github.com/syncwave/syncwave/test/cluster"
)

// The live tests run the CLI through run() against a real control plane
// (the envtest level: kube-apiserver + etcd) with the syncwave controller
// running in this process. The control plane starts on first use, once for
// the package, so the unit tests of this package need none; TestMain stops
// it after the tests.

// liveEnv is the shared control plane and controller of the live tests.
type liveEnv struct {
	once    sync.Once
	err     error
	cluster *testcluster.Cluster
	client  client.Client
	cancel  context.CancelFunc
	done    chan error
}

var live liveEnv

func TestMain(m *testing.M) {
	// Neither the controller nor the CLI's client should warn that no
	// logger was set.
	ctrllog.SetLogger(logr.Discard())
	code := m.Run()
	if err := live.stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func (e *liveEnv) start() {
	ctx, cancel := context.WithCancel(context.Background())
	c, err := testcluster.Start(ctx, testcluster.Options{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}})
	if err != nil {
		cancel()
		e.err = fmt.Errorf("start the control plane: %w", err)
		return
	}
	e.cluster, e.cancel = c, cancel
	s, err := newScheme()
	if err == nil {
		e.client, err = c.Client(s)
	}
	if err != nil {
		e.err = err
		return
	}
	o := manager.DefaultOptions()
	o.MetricsBindAddress, o.HealthProbeBindAddress = "0", "0"
	o.Registry = prometheus.NewRegistry()
	o.PrunePropagation = "Background" // no garbage collector here finishes foreground deletions
	e.done = make(chan error, 1)
	go func() { e.done <- manager.Run(ctx, c.Config, o) }()
}

// stop ends the controller and the control plane, if they were started.
func (e *liveEnv) stop() error {
	if e.cluster == nil {
		return nil
	}
	e.cancel()
	var err error
	if e.done != nil {
		if runErr := <-e.done; runErr != nil {
			err = fmt.Errorf("controller: %w", runErr)
		}
	}
	if stopErr := e.cluster.Stop(); stopErr != nil {
		err = fmt.Errorf("stop the control plane: %w", stopErr)
	}
	return err
}

// liveNamespace starts the control plane on first use and returns a new
// namespace for the test.
func liveNamespace(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	live.once.Do(live.start)
	if live.err != nil {
		t.Fatal(live.err)
	}
	return live.cluster.NamespaceT(t, "cli-")
}

// liveRunTimeout only keeps a hanging command from blocking the test
// binary until go test's own timeout; it measures nothing.
const liveRunTimeout = 3 * time.Minute

// kubectlSyncwave runs the CLI with the connection flags of the live
// cluster and the namespace ns, as `kubectl syncwave ARGS -n NS` would.
func kubectlSyncwave(t *testing.T, ns string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return kubectlSyncwaveStdin(t, ns, "", args...)
}

// kubectlSyncwaveStdin is kubectlSyncwave with stdin as standard input.
func kubectlSyncwaveStdin(t *testing.T, ns, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	args = append(args, "--kubeconfig", live.cluster.KubeconfigPath, "-n", ns)
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(args, strings.NewReader(stdin), &out, &errOut) }()
	select {
	case code = <-done:
	case <-time.After(liveRunTimeout):
		t.Fatalf("kubectl syncwave %s did not return", strings.Join(args, " "))
	}
	t.Logf("kubectl syncwave %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args[:len(args)-4], " "), code, out.String(), errOut.String())
	return out.String(), errOut.String(), code
}

// writeManifests writes files (name -> content) into a new directory.
func writeManifests(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// getOperation reads the operation with the test's client.
func getOperation(g Gomega, ns, name string) *syncv1alpha1.SyncOperation {
	op := &syncv1alpha1.SyncOperation{}
	g.Expect(live.client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, op)).To(Succeed())
	return op
}
