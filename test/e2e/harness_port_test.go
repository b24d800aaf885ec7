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

package e2e

import (
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// lostItsPort waits until the manager serves its metrics, and reports
// whether it exited instead because its metrics port was taken. Anything
// else (no answer within 30 s, another exit) is left to the test.
func (p *controllerProc) lostItsPort() bool {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			b, _ := os.ReadFile(p.log)
			return strings.Contains(string(b), "address already in use")
		default:
		}
		if resp, err := http.Get(p.metrics); err == nil { //nolint:noctx // a probe of a local test process
			_ = resp.Body.Close()
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}
