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
	"fmt"
	"os"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// TestShardScale measures (make bench; SYNCWAVE_BENCH=1) the same 60
// operations over 20 applications with one unsharded replica, one sharded
// replica and three sharded replicas: the time from their creation until
// all succeeded, and each replica's peak RSS. Nothing is asserted about the
// numbers: on a 2-core machine shared with the control plane they tell
// where the time goes, not how the controller scales.
func TestShardScale(t *testing.T) {
	if os.Getenv("SYNCWAVE_BENCH") == "" {
		t.Skip("a measurement: run with SYNCWAVE_BENCH=1 (make bench)")
	}
	e := newEnv(t)
	for i, run := range []struct {
		name     string
		replicas int
		sharded  bool
	}{{"1 replica, unsharded", 1, false}, {"1 replica, sharded", 1, true}, {"3 replicas, sharded", 3, true}} {
		g := NewWithT(t)
		ns := e.c.NamespaceT(t, "shard-scale-")
		procs := e.startReplicas(t, fmt.Sprintf("scale-%d", i), run.replicas, run.sharded)
		ops := shardWorkload(t, ns, 20, 3, "500ms")
		start := time.Now()
		createAll(t, e, ops)
		g.Eventually(func() int { s, f := e.countDone(t, ns); return s + f }, 5*time.Minute, 50*time.Millisecond).Should(Equal(len(ops)))
		took := time.Since(start)
		s, _ := e.countDone(t, ns)
		g.Expect(s).To(Equal(len(ops)))
		var rss []string
		for _, p := range procs {
			rss = append(rss, fmt.Sprintf("%.1f MiB", p.peakRSS(t)))
			p.kill()
		}
		t.Logf("%s: 60 operations in %s; peak RSS per replica: %v", run.name, took.Round(10*time.Millisecond), rss)
	}
}

// startReplicas starts n manager processes; sharded ones form the group
// (a group per run: the Leases of a previous run's replicas would count as
// live for a lease duration) and are returned once each sees all members.
func (e *env) startReplicas(t *testing.T, group string, n int, sharded bool) []*controllerProc {
	t.Helper()
	var procs []*controllerProc
	var ids []string
	for r := range n {
		id := fmt.Sprintf("%s-r%d", group, r)
		ids = append(ids, id)
		var args []string
		if sharded {
			args = append(shardArgs(id), "--shard-group="+group)
		}
		procs = append(procs, e.startController(t, args...))
	}
	if sharded {
		waitMembers(t, procs, ids, 60*time.Second)
	}
	return procs
}
