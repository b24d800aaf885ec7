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
	"context"
	"os"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	coordinationv1 "k8s.io/api/coordination/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/test/cluster"
)

// Log lines of client-go's leader election and controller-runtime's
// controller, compared in lower case (their capitalisation changed across
// versions).
const (
	logAttempting = "attempting to acquire leader lease"
	logAcquired   = "successfully acquired lease"
	logWorkers    = "starting workers"
)

// leaseKey is the manager's leader election lease: --leader-elect uses the
// lease syncwave.syncwave.dev in POD_NAMESPACE (default, set by
// startController).
var leaseKey = client.ObjectKey{Namespace: "default", Name: "syncwave.syncwave.dev"}

// short lease timings, so that a killed leader is replaced in a few seconds.
var leaderArgs = []string{"--leader-elect",
	"--leader-elect-lease-duration=4s", "--leader-elect-renew-deadline=3s", "--leader-elect-retry-period=500ms"}

// logText is the manager's log so far, in lower case.
func (p *controllerProc) logText(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(p.log)
	if err != nil {
		t.Fatalf("read %s: %v", p.log, err)
	}
	return strings.ToLower(string(data))
}

// isLeader tells whether the manager's log says it acquired the lease. The
// log, not the Lease, identifies the process: the Lease's holderIdentity
// is hostname_uuid, the same hostname for both processes and a uuid that
// the manager does not log.
func (p *controllerProc) isLeader(t *testing.T) bool {
	t.Helper()
	return strings.Contains(p.logText(t), logAcquired)
}

func (e *env) lease(t *testing.T) *coordinationv1.Lease {
	t.Helper()
	l := &coordinationv1.Lease{}
	if err := e.cl.Get(context.Background(), leaseKey, l); err != nil {
		return nil
	}
	return l
}

func holder(l *coordinationv1.Lease) string {
	if l == nil || l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

func transitions(l *coordinationv1.Lease) int32 {
	if l == nil || l.Spec.LeaseTransitions == nil {
		return 0
	}
	return *l.Spec.LeaseTransitions
}

// TestLeaderElection is issue #7's requirement: two manager processes with
// leader election on one control plane; the leader is killed in the middle
// of an operation; the other finishes it; no hook is created twice.
//
// The leader is identified by each process's log ("Successfully acquired
// lease" is logged by client-go's leader elector once the process holds the
// lease); the Lease object confirms it: its holder is set while exactly one
// log says so, and it changes to a new holder, one transition later, after
// the kill.
func TestLeaderElection(t *testing.T) {
	g := NewWithT(t)
	e := newEnv(t)
	ns := e.c.NamespaceT(t, "leader-")
	e.createRBAC(t, ns)

	a := e.startController(t, leaderArgs...)
	b := e.startController(t, leaderArgs...)
	var leader, follower *controllerProc
	g.Eventually(func() int {
		n := 0
		for _, p := range []*controllerProc{a, b} {
			if p.isLeader(t) {
				n++
				leader = p
			} else {
				follower = p
			}
		}
		return n
	}, 30*time.Second, 50*time.Millisecond).Should(Equal(1), "one manager acquires the lease")
	first := e.lease(t)
	g.Expect(holder(first)).NotTo(BeEmpty(), "the Lease names its holder")
	t.Logf("leader: %s (lease holder %s); follower: %s", leader.log, holder(first), follower.log)

	w := e.record(t, ns)
	op := e.createOp(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: manifests(t, ns, map[string]func(*unstructured.Unstructured){
		// The migration still runs when the follower takes over (about one
		// lease duration after the kill).
		migration: podAnnotation(cluster.AnnotationRunDuration, "5s"),
		smokeTest: podAnnotation(cluster.AnnotationRunDuration, "3s"),
	})})
	g.Eventually(func() int64 { return w.first("Job", migration) }, 30*time.Second, 20*time.Millisecond).ShouldNot(BeZero())

	// While both run, only one is leader: the other waits for the lease and
	// has started no controller.
	fl := follower.logText(t)
	g.Expect(fl).To(ContainSubstring(logAttempting), "the follower waits for the lease")
	g.Expect(fl).NotTo(ContainSubstring(logAcquired), "the follower does not hold the lease while the leader runs")
	g.Expect(fl).NotTo(ContainSubstring(logWorkers), "the follower runs no reconciler while the leader runs")
	g.Expect(leader.logText(t)).To(ContainSubstring(logWorkers), "the leader runs the reconciler")
	g.Expect(holder(e.lease(t))).To(Equal(holder(first)), "the lease has not changed hands")

	killed := time.Now()
	leader.kill()

	g.Eventually(func() bool { return follower.isLeader(t) }, 20*time.Second, 50*time.Millisecond).Should(BeTrue(), "the follower takes the lease")
	t.Logf("the follower acquired the lease %s after the kill", time.Since(killed).Round(100*time.Millisecond))
	second := e.lease(t)
	g.Expect(holder(second)).NotTo(BeEmpty())
	g.Expect(holder(second)).NotTo(Equal(holder(first)), "the lease has a new holder")
	g.Expect(transitions(second)).To(Equal(transitions(first)+1), "the lease changed hands once")

	op = e.waitDone(t, op, 60*time.Second)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(w.added("Job", migration)).To(Equal(1), "the migration hook is created once")
	g.Expect(w.added("Job", smokeTest)).To(Equal(1), "the smoke test hook is created once")
	w.order(t,
		[]string{"Job/" + migration},
		[]string{"ServiceAccount/argocd-hook-executor", "Role/argocd-hook-executor-role", "RoleBinding/argocd-hook-executor-binding"},
		[]string{"Deployment/" + api},
		[]string{"Job/" + smokeTest})

	// The follower started its reconciler only once it led, and it needed
	// no retries against the dead leader's writes.
	fl = follower.logText(t)
	acquired, workers := strings.Index(fl, logAcquired), strings.Index(fl, logWorkers)
	g.Expect(workers).To(BeNumerically(">", acquired), "the follower starts its workers after it acquires the lease")
	g.Expect(fl).NotTo(ContainSubstring("reconciler error"), "the follower's reconciles succeed")
	g.Expect(holder(e.lease(t))).To(Equal(holder(second)), "the new leader keeps the lease")
	t.Logf("the follower's log:\n%s", linesWith(fl, "lease", logWorkers, "error"))
}

// linesWith returns the lines of text that contain one of words.
func linesWith(text string, words ...string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		for _, w := range words {
			if strings.Contains(l, w) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
