//go:build chaos

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

package chaos_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/test/cluster"
	"github.com/syncwave/syncwave/test/restart"
)

type env struct {
	c   *cluster.Cluster
	cl  client.Client
	dyn dynamic.Interface
}

// managers are the manager processes of one run.
type managers struct {
	e      *env
	t      *testing.T
	args   []string
	procs  []*restart.Manager
	starts int
}

func (m *managers) start() *restart.Manager {
	m.t.Helper()
	m.starts++
	log := filepath.Join(m.e.c.LogDir, fmt.Sprintf("manager-%s-%d.log", strings.ReplaceAll(m.t.Name(), "/", "_"), m.starts))
	p, err := restart.StartManager(managerBinary, m.e.c.KubeconfigPath, log, m.args...)
	if err != nil {
		m.t.Fatal(err)
	}
	m.procs = append(m.procs, p)
	return p
}

func (m *managers) killAll() {
	for _, p := range m.procs {
		p.Kill()
	}
}

// leader returns the running manager that holds the lease, waiting up to
// 20 s for one.
func (m *managers) leader() *restart.Manager {
	var found *restart.Manager
	_ = restart.Poll(context.Background(), 20*time.Second, 50*time.Millisecond, func() (bool, error) {
		for _, p := range m.procs {
			if !p.Exited() && p.IsLeader() {
				found = p
				return true, nil
			}
		}
		return false, nil
	})
	return found
}

func randDuration(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}

// run is one operation under chaos.
func (e *env) run(t *testing.T, rng *rand.Rand, failover bool) stats {
	t.Helper()
	ctx := context.Background()
	begin := time.Now()
	ns := e.c.NamespaceT(t, "chaos-")
	rec, err := restart.Record(ctx, e.dyn, ns, restart.Kinds...)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Stop()
	m := &managers{e: e, t: t}
	var s stats
	if failover {
		m.args = restart.LeaderArgs
		m.start()
		m.start()
		if m.leader() == nil {
			t.Fatal("no manager acquired the lease")
		}
	} else {
		m.start()
	}
	defer m.killAll()

	raw, err := manifests(ns)
	if err != nil {
		t.Fatal(err)
	}
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "op"},
		Spec: syncv1alpha1.SyncOperationSpec{Manifests: raw}}
	if err := e.cl.Create(ctx, op); err != nil {
		t.Fatal(err)
	}

	for range 1 + rng.IntN(3) {
		time.Sleep(randDuration(rng, 100*time.Millisecond, 2500*time.Millisecond))
		victim := m.procs[len(m.procs)-1]
		if failover {
			if victim = m.leader(); victim == nil {
				t.Fatal("no leader to kill")
			}
			s.failovers++
		}
		victim.Kill()
		s.kills++
		time.Sleep(randDuration(rng, 0, 1500*time.Millisecond))
		m.start()
	}

	got := &syncv1alpha1.SyncOperation{}
	err = restart.Poll(ctx, 120*time.Second, 50*time.Millisecond, func() (bool, error) {
		return e.cl.Get(ctx, client.ObjectKeyFromObject(op), got) == nil && got.Status.Phase.Terminal(), nil
	})
	if err != nil {
		t.Fatalf("the operation did not finish: phase %s, %s", got.Status.Phase, got.Status.Message)
	}
	// The watch may deliver the last status write a moment after the Get
	// saw it.
	_ = restart.Poll(ctx, 15*time.Second, 20*time.Millisecond, func() (bool, error) { return sawTerminal(rec), nil })
	problems := check(rec)
	problems = append(problems, e.finalizers(t, ns, op)...)
	for _, p := range problems {
		t.Error(p)
	}
	if len(problems) == 0 {
		s.correct = 1
	}
	s.took = time.Since(begin)
	return s
}

// sawTerminal tells whether the Recorder saw the operation terminal.
func sawTerminal(rec *restart.Recorder) bool {
	for _, ev := range rec.Of("SyncOperation", "op") {
		p, _, _ := unstructured.NestedString(ev.Object.Object, "status", "phase")
		if syncv1alpha1.OperationPhase(p).Terminal() {
			return true
		}
	}
	return false
}

// check judges the run from the Recorder's events.
func check(rec *restart.Recorder) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	events := rec.Events()

	// The result, and the resourceVersion at which it was written.
	var termRV int64
	phase := syncv1alpha1.OperationPhase("")
	for _, ev := range events {
		if ev.Kind != "SyncOperation" || ev.Type == watch.Deleted {
			continue
		}
		p, _, _ := unstructured.NestedString(ev.Object.Object, "status", "phase")
		phase = syncv1alpha1.OperationPhase(p)
		if termRV == 0 && phase.Terminal() {
			termRV = ev.RV
		}
	}
	if phase != syncv1alpha1.OperationSucceeded {
		bad("the operation ended %q, want Succeeded", phase)
	}

	// Each hook created exactly once; the SyncFail hook never.
	hookRV := map[string]int64{}
	for _, h := range hooks {
		key := h.name + h.generateName
		names := map[string]int{}
		for _, ev := range events {
			if ev.Kind == "Job" && ev.Type == watch.Added && (ev.Name == h.name || (h.generateName != "" && strings.HasPrefix(ev.Name, h.generateName))) {
				names[ev.Name]++
				if hookRV[key] == 0 {
					hookRV[key] = ev.RV
				}
			}
		}
		if len(names) != 1 {
			bad("hook %s was created as %v, want one name", key, names)
		}
		for n, c := range names {
			if c != 1 {
				bad("hook %s was created %d times", n, c)
			}
		}
	}
	if n := rec.Added("Job", onFail); n != 0 {
		bad("the SyncFail hook was created %d times in a successful run", n)
	}

	// Waves in order: every write of step N after every write of step N-1.
	var steps []span
	pre := span{}
	for _, h := range hooks {
		if h.phase == syncv1alpha1.HookTypePreSync {
			pre = widen(pre, hookRV[h.name+h.generateName])
		}
	}
	steps = append(steps, pre)
	for w := range waves {
		sp := span{}
		for i := range perWave {
			sp = widen(sp, rec.FirstRV("ConfigMap", configMapName(w, i)))
		}
		if w == deploymentWave {
			sp = widen(sp, rec.FirstRV("Deployment", deployment))
		}
		steps = append(steps, sp)
	}
	post := span{}
	for _, h := range hooks {
		if h.phase == syncv1alpha1.HookTypePostSync {
			post = widen(post, hookRV[h.name+h.generateName])
		}
	}
	steps = append(steps, post)
	for i, sp := range steps {
		if sp.lo == 0 {
			bad("step %d was never written", i)
			continue
		}
		if i > 0 && steps[i-1].hi >= sp.lo {
			bad("step %d was written (rv %d) before step %d finished being written (rv %d)", i, sp.lo, i-1, steps[i-1].hi)
		}
	}

	// Nothing written after the operation finished: no ConfigMap write, no
	// hook created, no new Deployment generation.
	if termRV > 0 {
		lastGen := int64(0)
		for _, ev := range events {
			switch {
			case ev.Kind == "ConfigMap" && ev.RV > termRV && !strings.HasSuffix(ev.Name, "-plan") && ev.Name != "kube-root-ca.crt":
				bad("ConfigMap %s was written (%s, rv %d) after the operation finished (rv %d)", ev.Name, ev.Type, ev.RV, termRV)
			case ev.Kind == "Job" && ev.Type == watch.Added && ev.RV > termRV:
				bad("Job %s was created (rv %d) after the operation finished (rv %d)", ev.Name, ev.RV, termRV)
			case ev.Kind == "Deployment" && ev.Type != watch.Deleted:
				gen := ev.Object.GetGeneration()
				if ev.RV > termRV && gen != lastGen {
					bad("Deployment %s got generation %d (rv %d) after the operation finished (rv %d)", ev.Name, gen, ev.RV, termRV)
				}
				lastGen = gen
			}
		}
	}
	return problems
}

// span is the range of resourceVersions of the first writes of a step.
type span struct{ lo, hi int64 }

func widen(s span, rv int64) span {
	if rv == 0 {
		return s
	}
	if s.lo == 0 || rv < s.lo {
		s.lo = rv
	}
	s.hi = max(s.hi, rv)
	return s
}

// finalizers checks that no hook keeps the hook finalizer once the
// operation finished, and that the operation, deleted, goes away.
func (e *env) finalizers(t *testing.T, ns string, op *syncv1alpha1.SyncOperation) []string {
	t.Helper()
	ctx := context.Background()
	var problems []string
	var held []string
	err := restart.Poll(ctx, 30*time.Second, 100*time.Millisecond, func() (bool, error) {
		var jobs batchv1.JobList
		listErr := e.cl.List(ctx, &jobs, client.InNamespace(ns))
		held = held[:0]
		if listErr != nil {
			held = append(held, "(list: "+listErr.Error()+")")
		}
		for _, j := range jobs.Items {
			if slices.Contains(j.Finalizers, syncv1alpha1.HookFinalizer) {
				held = append(held, j.Name)
			}
		}
		return len(held) == 0, nil // a failed list is retried until the deadline
	})
	if err != nil {
		problems = append(problems, fmt.Sprintf("hooks %v keep the %s finalizer", held, syncv1alpha1.HookFinalizer))
	}
	if err := e.cl.Delete(ctx, op); err != nil {
		return append(problems, fmt.Sprintf("delete the operation: %v", err))
	}
	err = restart.Poll(ctx, 30*time.Second, 100*time.Millisecond, func() (bool, error) {
		return apierrors.IsNotFound(e.cl.Get(ctx, client.ObjectKeyFromObject(op), &syncv1alpha1.SyncOperation{})), nil
	})
	if err != nil {
		got := &syncv1alpha1.SyncOperation{}
		_ = e.cl.Get(ctx, client.ObjectKeyFromObject(op), got)
		problems = append(problems, fmt.Sprintf("the deleted operation stays, finalizers %v", got.Finalizers))
	}
	return problems
}
