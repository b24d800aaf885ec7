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
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Process identifies one process that a cluster started.
type Process struct {
	// Name is the binary, e.g. kube-apiserver.
	Name string
	// PID is the process ID.
	PID int
	// StartTime is the start time from /proc/<pid>/stat (clock ticks since
	// boot). Together with PID it tells the process apart from a later one
	// that reuses the PID.
	StartTime uint64
}

// Running reports whether the process still runs (a zombie does not).
func (p Process) Running() bool {
	state, start, err := procStat(p.PID)
	return err == nil && start == p.StartTime && state != "Z" && state != "X"
}

// procStat returns the state and start time of a process from
// /proc/<pid>/stat.
func procStat(pid int) (state string, start uint64, err error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", 0, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 20 {
		return "", 0, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	start, err = strconv.ParseUint(fields[19], 10, 64) // field 22: starttime
	return fields[0], start, err
}

// recordPID appends "<name> <pid> <start time>" to file.
func recordPID(file, name string, pid int) error {
	_, start, err := procStat(pid)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%s %d %d\n", name, pid, start)
	return errors.Join(err, f.Close())
}

// readPIDs reads the lines that recordPID wrote.
func readPIDs(file string) ([]Process, error) {
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ps []Process
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var p Process
		if _, err := fmt.Sscanf(sc.Text(), "%s %d %d", &p.Name, &p.PID, &p.StartTime); err == nil {
			ps = append(ps, p)
		}
	}
	return ps, sc.Err()
}

// lockedThread runs functions on one OS thread that is locked for its whole
// life. Children forked from it with a parent-death signal die when the
// thread ends, which is only when close is called or the program exits: the
// Go runtime never ends a thread otherwise, but it does end a locked thread
// whose goroutine returns, which close uses as a last safety net.
type lockedThread struct {
	work chan func()
}

func newLockedThread() *lockedThread {
	t := &lockedThread{work: make(chan func())}
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: returning while locked ends the thread.
		for f := range t.work {
			f()
		}
	}()
	return t
}

// do runs f on the thread and waits for it.
func (t *lockedThread) do(f func()) {
	done := make(chan struct{})
	t.work <- func() {
		defer close(done)
		f()
	}
	<-done
}

// close ends the thread; children that are still alive get SIGKILL.
func (t *lockedThread) close() { close(t.work) }

// child is a process that the cluster started itself.
type child struct {
	Process
	cmd  *exec.Cmd
	done chan struct{}
}

// startChild starts path with args on the thread, in its own process group,
// with SIGKILL as parent-death signal and its output in logPath.
func (t *lockedThread) startChild(name, path string, args []string, logPath, pidFile string) (*child, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	t.do(func() { err = cmd.Start() })
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{Process: Process{Name: name, PID: cmd.Process.Pid}, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(c.done)
	}()
	if _, start, err := procStat(c.PID); err == nil {
		c.StartTime = start
	}
	if err := recordPID(pidFile, name, c.PID); err != nil && !c.exited() {
		return c, err
	}
	return c, nil
}

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the child's process group and SIGKILL after
// timeout, and waits until the child is reaped.
func (c *child) stop(timeout time.Duration) error {
	if c.exited() {
		return nil
	}
	_ = syscall.Kill(-c.PID, syscall.SIGTERM)
	select {
	case <-c.done:
		return nil
	case <-time.After(timeout):
	}
	_ = syscall.Kill(-c.PID, syscall.SIGKILL)
	<-c.done
	return fmt.Errorf("%s (pid %d) ignored SIGTERM for %s and was killed", c.Name, c.PID, timeout)
}

// killGroup sends SIGKILL to the process group of pid (every process here
// leads its own group), and to pid itself in case it does not.
func killGroup(pid int) error {
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil {
		return syscall.Kill(pid, syscall.SIGKILL)
	}
	return nil
}

// CPUSeconds is the CPU time (user and system) that process pid has used,
// from /proc/<pid>/stat.
func CPUSeconds(pid int) (float64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	var ticks float64
	for _, f := range fields[11:13] { // fields 14 and 15: utime, stime
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse /proc/%d/stat: %w", pid, err)
		}
		ticks += float64(n)
	}
	return ticks / clockTicks, nil
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on
// every Linux architecture Go supports.
const clockTicks = 100
