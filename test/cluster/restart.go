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
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// The control plane of a running cluster can go away and come back, as it
// does when a real API server is upgraded or its etcd restarts: the
// processes are stopped and started again on the same ports, with the same
// certificates, users and etcd data, so that every client (the controller
// under test, kube-controller-manager, kwok) reconnects on its own.

// StopAPIServer stops kube-apiserver (SIGTERM, then SIGKILL after the
// stop timeout). etcd and the other processes keep running.
func (c *Cluster) StopAPIServer() error {
	var err error
	c.thread.do(func() { err = c.env.ControlPlane.APIServer.Stop() })
	if err != nil && strings.Contains(err.Error(), "timeout waiting for process") {
		// envtest sent SIGKILL after the stop timeout: it is stopped, as
		// documented above (a graceful shutdown with many open watches can
		// take longer than the timeout).
		err = nil
	}
	if err != nil {
		return fmt.Errorf("stop kube-apiserver: %w", err)
	}
	return nil
}

// KillAPIServer ends kube-apiserver at once (SIGKILL), as a crash or a
// lost network does: no graceful shutdown, clients see refused
// connections. StartAPIServer starts it again.
func (c *Cluster) KillAPIServer() error {
	ps, err := c.Processes()
	if err != nil {
		return err
	}
	killed := false
	for _, p := range ps {
		if p.Name == "kube-apiserver" && p.Running() {
			if err := syscall.Kill(p.PID, syscall.SIGKILL); err != nil {
				return fmt.Errorf("kill kube-apiserver %d: %w", p.PID, err)
			}
			killed = true
		}
	}
	if !killed {
		return fmt.Errorf("no running kube-apiserver")
	}
	// envtest reaps the process and forgets it.
	return c.StopAPIServer()
}

// StartAPIServer starts kube-apiserver again after StopAPIServer, on the
// same port and certificates, and returns once it serves /healthz.
func (c *Cluster) StartAPIServer() error {
	api := c.env.ControlPlane.APIServer
	f, err := appendLog(c.LogDir, "kube-apiserver")
	if err != nil {
		return err
	}
	defer f.Close() // the process has its own descriptor
	api.Out, api.Err = f, f
	c.thread.do(func() { err = api.Start() })
	if err != nil {
		return fmt.Errorf("start kube-apiserver again: %w", err)
	}
	return nil
}

// RestartAPIServer stops kube-apiserver, waits pause, and starts it again.
// It returns how long the API server was unreachable.
func (c *Cluster) RestartAPIServer(pause time.Duration) (time.Duration, error) {
	begin := time.Now()
	if err := c.StopAPIServer(); err != nil {
		return 0, err
	}
	time.Sleep(pause)
	err := c.StartAPIServer()
	return time.Since(begin), err
}

// StopEtcd stops etcd; kube-apiserver keeps running and fails (or waits
// in) its storage calls until StartEtcd.
func (c *Cluster) StopEtcd() error {
	var err error
	c.thread.do(func() { err = c.env.ControlPlane.Etcd.Stop() })
	if err != nil {
		return fmt.Errorf("stop etcd: %w", err)
	}
	return nil
}

// StartEtcd starts etcd again after StopEtcd, on the same client port and
// data directory, and returns once it is healthy.
func (c *Cluster) StartEtcd() error {
	etcd := c.env.ControlPlane.Etcd
	f, err := appendLog(c.LogDir, "etcd")
	if err != nil {
		return err
	}
	defer f.Close()
	etcd.Out, etcd.Err = f, f
	c.thread.do(func() { err = etcd.Start() })
	if err != nil {
		return fmt.Errorf("start etcd again: %w", err)
	}
	return nil
}

// RestartControlPlane stops kube-apiserver and etcd (in that order),
// waits pause, and starts etcd and kube-apiserver again.
func (c *Cluster) RestartControlPlane(pause time.Duration) error {
	if err := c.StopAPIServer(); err != nil {
		return err
	}
	if err := c.StopEtcd(); err != nil {
		return err
	}
	time.Sleep(pause)
	if err := c.StartEtcd(); err != nil {
		return err
	}
	return c.StartAPIServer()
}

// EtcdProxy returns the proxy between kube-apiserver and etcd, or nil
// unless Options.EtcdProxy.
func (c *Cluster) EtcdProxy() *Proxy { return c.proxy }

func appendLog(dir, name string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, name+".log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open the log of %s", name), err)
	}
	_, _ = fmt.Fprintf(f, "\n==== syncwave test/cluster: %s started again ====\n", name)
	return f, nil
}
