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
	"fmt"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// StartT starts a cluster for a test or benchmark and stops it in
// tb.Cleanup. When the test failed, the logs are kept and their directory
// is printed. A start error fails the test at once.
func StartT(tb testing.TB, opts Options) *Cluster {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	c, err := Start(ctx, opts)
	if err != nil {
		tb.Fatalf("start cluster: %v", err)
	}
	tb.Cleanup(func() {
		keep := opts.KeepLogs || tb.Failed()
		if err := c.stop(keep); err != nil {
			tb.Errorf("%v", err)
		} else if keep {
			tb.Logf("cluster logs kept in %s", c.LogDir)
		}
	})
	return c
}

// ClientT is Client for tests: an error fails the test.
func (c *Cluster) ClientT(tb testing.TB, scheme *runtime.Scheme) client.Client {
	tb.Helper()
	cl, err := c.Client(scheme)
	if err != nil {
		tb.Fatalf("new client: %v", err)
	}
	return cl
}

// NamespaceT creates a namespace named prefix plus a random suffix and
// returns its name. On the simulated level it also waits for the
// namespace's default ServiceAccount, without which the ServiceAccount
// admission plugin rejects every pod. The namespace is not deleted: the
// cluster goes away with the test.
func (c *Cluster) NamespaceT(tb testing.TB, prefix string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name, err := c.Namespace(ctx, prefix)
	if err != nil {
		tb.Fatalf("%v", err)
	}
	return name
}

// Namespace is NamespaceT for code that is not a test.
func (c *Cluster) Namespace(ctx context.Context, prefix string) (string, error) {
	cl, err := c.Client(nil)
	if err != nil {
		return "", err
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix}}
	if err := cl.Create(ctx, ns); err != nil {
		return "", err
	}
	if !c.opts.Simulated {
		return ns.Name, nil
	}
	return ns.Name, c.WaitForDefaultServiceAccount(ctx, ns.Name)
}

// WaitForDefaultServiceAccount waits until kube-controller-manager created
// the default ServiceAccount of namespace (simulated level only).
func (c *Cluster) WaitForDefaultServiceAccount(ctx context.Context, namespace string) error {
	cl, err := c.Client(nil)
	if err != nil {
		return err
	}
	return wait.PollUntilContextCancel(ctx, 50*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		ok, _, err := defaultServiceAccountExists(ctx, cl, namespace)
		return ok, err
	})
}

// RunTests is the body of a TestMain whose package shares one cluster: it
// starts the cluster, calls setup (which may return a teardown to run
// before the cluster stops), runs the tests, stops everything and returns
// the exit code for os.Exit.
func RunTests(m *testing.M, opts Options, setup func(c *Cluster) (teardown func(), err error)) int {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	c, err := Start(ctx, opts)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start cluster:", err)
		return 1
	}
	defer func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}()
	teardown, err := setup(c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "set up tests:", err)
		return 1
	}
	if teardown != nil {
		defer teardown()
	}
	return m.Run()
}
