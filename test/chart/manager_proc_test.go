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

package chart

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// managerProc is the manager binary running out of cluster.
type managerProc struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// startManager runs the manager as the chart's pod would, but out of
// cluster: with the ServiceAccount's kubeconfig, its namespace as
// POD_NAMESPACE and leader election on. It is killed at the end of the test.
func startManager(t *testing.T, bin, kubeconfig, ns string) *managerProc {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	logPath := filepath.Join(t.TempDir(), "manager.log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(bin, "--kubeconfig", kubeconfig, "--leader-elect",
		"--metrics-bind-address", fmt.Sprintf("127.0.0.1:%d", port), "--metrics-secure=false",
		"--health-probe-bind-address", "0")
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), "POD_NAMESPACE="+ns, "KUBECONFIG=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &managerProc{cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(p.stop)
	return p
}

// stop ends the manager (SIGTERM, then SIGKILL after 10 s).
func (p *managerProc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

func (p *managerProc) lines() []string {
	data, _ := os.ReadFile(p.log)
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// tail returns the last lines of the manager's log.
func (p *managerProc) tail() string {
	lines := p.lines()
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return strings.Join(lines, "\n")
}

// forbidden returns the log lines that report an RBAC denial.
func (p *managerProc) forbidden() []string {
	var out []string
	for _, l := range p.lines() {
		if strings.Contains(strings.ToLower(l), "forbidden") {
			out = append(out, l)
		}
	}
	return out
}
