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
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// wrapperConfigName is the file, next to the kube-apiserver and etcd links
// of a cluster's bin directory, that turns the running executable into a
// wrapper when it is started under one of those names.
const wrapperConfigName = ".syncwave-wrapper.json"

// wrapperConfig tells a wrapper what to exec and where to record it.
type wrapperConfig struct {
	// RealDir holds the real binaries.
	RealDir string `json:"realDir"`
	// ParentPID is the process that starts the wrapper; if the wrapper's
	// parent is another one, the starter is already gone.
	ParentPID int `json:"parentPID"`
	// PIDFile gets one line "<name> <pid> <start time>" per wrapper run.
	PIDFile string `json:"pidFile"`
}

// wrappedNames are the binaries that envtest starts itself.
var wrappedNames = map[string]bool{"kube-apiserver": true, "etcd": true}

func init() {
	runWrapperIfAsked()
}

// runWrapperIfAsked execs the real kube-apiserver or etcd when this
// executable runs as a link of a cluster's bin directory, with the Linux
// parent-death signal set so that the process dies with the program that
// started the cluster. envtest cannot set it: it starts these processes with
// a plain exec.Cmd. The signal survives execve, and the PID stays the same,
// so envtest's own stop and health checks work unchanged. Otherwise
// runWrapperIfAsked returns at once.
func runWrapperIfAsked() {
	name := filepath.Base(os.Args[0])
	if !wrappedNames[name] {
		return
	}
	data, err := os.ReadFile(filepath.Join(filepath.Dir(os.Args[0]), wrapperConfigName))
	if err != nil {
		return
	}
	var cfg wrapperConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		wrapperFail(name, fmt.Errorf("read %s: %w", wrapperConfigName, err))
	}
	// The parent-death signal belongs to the calling thread, and the exec
	// must happen on the same thread to keep it.
	runtime.LockOSThread()
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0, 0, 0); err != nil {
		wrapperFail(name, fmt.Errorf("set parent-death signal: %w", err))
	}
	if os.Getppid() != cfg.ParentPID {
		wrapperFail(name, fmt.Errorf("parent %d is gone", cfg.ParentPID))
	}
	if err := recordPID(cfg.PIDFile, name, os.Getpid()); err != nil {
		wrapperFail(name, err)
	}
	real := filepath.Join(cfg.RealDir, name)
	err = syscall.Exec(real, append([]string{real}, os.Args[1:]...), os.Environ())
	wrapperFail(name, fmt.Errorf("exec %s: %w", real, err))
}

func wrapperFail(name string, err error) {
	fmt.Fprintf(os.Stderr, "syncwave test/cluster wrapper for %s: %v\n", name, err)
	os.Exit(127)
}

// writeWrapperDir makes dir a bin directory for envtest: links named
// kube-apiserver and etcd to the running executable, plus the config that
// makes them exec the real binaries of assets.
func writeWrapperDir(dir, assets, pidFile string) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the running executable: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name := range wrappedNames {
		if err := os.Symlink(self, filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	data, err := json.Marshal(wrapperConfig{RealDir: assets, ParentPID: os.Getpid(), PIDFile: pidFile})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, wrapperConfigName), data, 0o644)
}
