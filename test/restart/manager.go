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

package restart

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// BuildManager builds cmd/manager into dir and returns the binary's path.
func BuildManager(dir string) (string, error) {
	bin := filepath.Join(dir, "manager")
	build := exec.Command("go", "build", "-o", bin, "github.com/syncwave/syncwave/cmd/manager")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("build the manager: %w", err)
	}
	return bin, nil
}

// Manager is one manager process.
type Manager struct {
	// Log is the path of its output.
	Log  string
	cmd  *exec.Cmd
	done chan struct{}
}

// StartManager runs the manager binary bin against kubeconfig with args,
// its output in logPath. It dies with the test process (parent-death
// signal); Kill ends it at once.
func StartManager(bin, kubeconfig, logPath string, args ...string) (*Manager, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	all := append([]string{"--metrics-bind-address", fmt.Sprintf("127.0.0.1:%d", port), "--metrics-secure=false",
		"--health-probe-bind-address", "0", "--kubeconfig", kubeconfig}, args...)
	cmd := exec.Command(bin, all...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), "POD_NAMESPACE=default")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the manager: %w", err)
	}
	m := &Manager{Log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(m.done) }()
	return m, nil
}

// Kill ends the manager at once (SIGKILL to its process group), as a crash
// would, and waits until it is gone.
func (m *Manager) Kill() {
	select {
	case <-m.done:
		return
	default:
	}
	_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
	<-m.done
}

// Exited tells whether the process ended.
func (m *Manager) Exited() bool {
	select {
	case <-m.done:
		return true
	default:
		return false
	}
}

// LogText is the manager's output so far, in lower case.
func (m *Manager) LogText() string {
	data, _ := os.ReadFile(m.Log)
	return strings.ToLower(string(data))
}

// IsLeader tells whether the manager's log says it acquired the lease.
func (m *Manager) IsLeader() bool {
	return strings.Contains(m.LogText(), "successfully acquired lease")
}

// LeaderArgs turn leader election on with short timings, so that a killed
// leader is replaced in a few seconds.
var LeaderArgs = []string{"--leader-elect",
	"--leader-elect-lease-duration=4s", "--leader-elect-renew-deadline=3s", "--leader-elect-retry-period=500ms"}

// Poll calls cond every interval until it returns true, an error, or
// timeout passes.
func Poll(ctx context.Context, timeout, interval time.Duration, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(fmt.Errorf("not true after %s", timeout), ctx.Err())
		case <-time.After(interval):
		}
	}
}
