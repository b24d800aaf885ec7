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
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// TestSharding is issue #17's requirement: three replicas of a sharded
// controller (--sharding=dynamic) run 60 operations of 20 applications;
// one replica is SIGKILLed mid-run. Every operation succeeds, each hook is
// created once, the history of every operation's status.controller (seen
// by a watch, in resourceVersion order) shows one driver at a time, and
// the killed replica's operations are claimed by the survivors within the
// lease duration and a second.
func TestSharding(t *testing.T) {
	g := NewWithT(t)
	e := newEnv(t)
	ns := e.c.NamespaceT(t, "shard-")
	ids := []string{"r1", "r2", "r3"}
	procs := map[string]*controllerProc{}
	for _, id := range ids {
		procs[id] = e.startController(t, shardArgs(id)...)
	}
	waitMembers(t, slices.Collect(maps.Values(procs)), ids, 60*time.Second)

	d := e.recordDrivers(t, ns)
	ops := shardWorkload(t, ns, 20, 3, "1500ms")
	started := time.Now()
	createAll(t, e, ops)

	// Kill the replica that drives the most unfinished operations, once a
	// few operations have finished.
	var victim string
	var owned []string
	g.Eventually(func() bool {
		if s, _ := e.countDone(t, ns); s < 10 {
			return false
		}
		by := map[string][]string{}
		for op, c := range d.drivers() {
			if c != "" {
				by[c] = append(by[c], op)
			}
		}
		victim, owned = "", nil
		for id, list := range by {
			if len(list) > len(owned) {
				victim, owned = id, list
			}
		}
		return len(owned) > 0
	}, 90*time.Second, 20*time.Millisecond).Should(BeTrue(), "some operations finish while others run")
	killed := time.Now()
	procs[victim].kill()
	t.Logf("killed %s after %s, while it drove %d unfinished operations: %v", victim, killed.Sub(started).Round(time.Millisecond), len(owned), owned)

	g.Eventually(func() int { s, _ := e.countDone(t, ns); return s }, 150*time.Second, 100*time.Millisecond).Should(Equal(len(ops)),
		"every operation succeeds")
	t.Logf("60 operations finished %s after their creation", time.Since(started).Round(time.Millisecond))
	_, failed := e.countDone(t, ns)
	g.Expect(failed).To(BeZero())

	for _, op := range ops {
		g.Expect(d.jobs["pre-"+op.Name]).To(Equal(1), "the hook of %s is created once", op.Name)
	}
	g.Expect(d.fencing(victim, killed)).To(BeEmpty(), "one driver at a time")

	took := d.takeOver(owned, victim, killed)
	g.Expect(took).To(HaveLen(len(owned)), "every operation of the killed replica is claimed by a survivor")
	var slowest time.Duration
	for _, at := range took {
		slowest = max(slowest, at.Sub(killed))
	}
	t.Logf("the killed replica's operations were claimed %s after the kill (lease duration %s)", slowest.Round(time.Millisecond), shardLease)
	// The target is the lease duration + 1 s (logged above); the bound
	// leaves room for a loaded machine.
	g.Expect(slowest).To(BeNumerically("<=", shardLease+3*time.Second), "taken over right after the lease expired")

	drivers := d.distinctDrivers()
	t.Logf("operations driven per replica: %v", drivers)
	g.Expect(drivers).To(HaveLen(3), "every replica drove some operations")
	claims, moves := 0, 0.0
	for id, p := range procs {
		if id == victim {
			continue
		}
		m := p.scrape(t)
		g.Expect(m).To(ContainSubstring(`syncwave_shard_members{replica="`+id+`"} 2`), "the survivor sees two members")
		line := metricLine(m, "syncwave_shard_moves_total")
		t.Logf("%s: %s; %s", id, line, metricLine(m, "syncwave_shard_operations"))
		f := strings.Fields(line)
		g.Expect(f).To(HaveLen(2))
		n, err := strconv.ParseFloat(f[1], 64)
		g.Expect(err).NotTo(HaveOccurred())
		moves += n
		claims += strings.Count(p.logText(t), `"previous":"`+victim+`"`)
	}
	// The watch may not have shown the last claims of the victim before
	// the kill: the survivors may take over more than owned.
	t.Logf("the survivors claimed %d operations from %s; moves counted: %v", claims, victim, moves)
	g.Expect(claims).To(BeNumerically(">=", len(owned)), "each of the killed replica's operations is claimed")
	g.Expect(float64(claims)).To(Equal(moves), "syncwave_shard_moves_total counts the operations that moved")
}

// metricLine is the first line of metrics that starts with name.
func metricLine(metrics, name string) string {
	for _, l := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(l, name) {
			return l
		}
	}
	return ""
}
