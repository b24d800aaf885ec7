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
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/test/cluster"
)

// shardArgs run a replica of a sharded controller with short Lease
// timings: a killed replica's operations move after shardLease.
const shardLease = 4 * time.Second

func shardArgs(id string) []string {
	return []string{"--sharding=dynamic", "--shard-identity=" + id, "--shard-lease-duration=" + shardLease.String(),
		"--shard-renew-deadline=2500ms", "--shard-retry-period=500ms"}
}

// shardWorkload is apps applications with perApp operations each (queued
// one after the other by the application): a PreSync hook Job that runs
// for hookRun, then a ConfigMap in wave 0 and one in wave 1.
func shardWorkload(t *testing.T, ns string, apps, perApp int, hookRun string) []*syncv1alpha1.SyncOperation {
	t.Helper()
	var ops []*syncv1alpha1.SyncOperation
	for k := range perApp {
		for a := range apps {
			app := fmt.Sprintf("app%02d", a)
			name := fmt.Sprintf("%s-%d", app, k)
			job := map[string]any{"apiVersion": "batch/v1", "kind": "Job",
				"metadata": map[string]any{"name": "pre-" + name, "namespace": ns,
					"annotations": map[string]any{"argocd.argoproj.io/hook": "PreSync"}},
				"spec": map[string]any{"backoffLimit": int64(0), "activeDeadlineSeconds": int64(300), "template": map[string]any{
					"metadata": map[string]any{"annotations": map[string]any{cluster.AnnotationRunDuration: hookRun}},
					"spec": map[string]any{"restartPolicy": "Never",
						"containers": []any{map[string]any{"name": "pre", "image": "busybox"}}}}}}
			cm := func(n, wave string) map[string]any {
				return map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
					"metadata": map[string]any{"name": n, "namespace": ns, "annotations": map[string]any{"argocd.argoproj.io/sync-wave": wave}},
					"data":     map[string]any{"operation": name}}
			}
			ops = append(ops, &syncv1alpha1.SyncOperation{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
				Spec: syncv1alpha1.SyncOperationSpec{Application: app,
					Manifests: []runtime.RawExtension{toRaw(t, job), toRaw(t, cm(app+"-a", "0")), toRaw(t, cm(app+"-b", "1"))}},
			})
		}
	}
	return ops
}

// driverLog records, from a watch, every version of the operations of a
// namespace (who drives it, its phase, a digest of the rest of its status)
// and every hook Job creation.
type driverLog struct {
	mu   sync.Mutex
	ops  map[string][]opVersion
	jobs map[string]int
}

type opVersion struct {
	rv         int64
	at         time.Time
	controller string
	phase      string
	rest       string
}

func (e *env) recordDrivers(t *testing.T, ns string) *driverLog {
	t.Helper()
	d := &driverLog{ops: map[string][]opVersion{}, jobs: map[string]int{}}
	kinds := []schema.GroupVersionResource{syncv1alpha1.GroupVersion.WithResource("syncoperations"), {Group: "batch", Version: "v1", Resource: "jobs"}}
	e.watchFrom(t, ns, kinds, func(ev watch.Event, u *unstructured.Unstructured, rv int64) {
		d.mu.Lock()
		defer d.mu.Unlock()
		if u.GetKind() == "Job" {
			if ev.Type == watch.Added {
				d.jobs[u.GetName()]++
			}
			return
		}
		st, _, _ := unstructured.NestedMap(u.Object, "status")
		v := opVersion{rv: rv, at: time.Now()}
		v.controller, _ = st["controller"].(string)
		v.phase, _ = st["phase"].(string)
		delete(st, "controller")
		v.rest = fmt.Sprint(st)
		d.ops[u.GetName()] = append(d.ops[u.GetName()], v)
	})
	return d
}

// drivers returns, for each unfinished operation, its driver now.
func (d *driverLog) drivers() map[string]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]string{}
	for name, vs := range d.ops {
		last := vs[len(vs)-1]
		if last.phase != string(syncv1alpha1.OperationSucceeded) && last.phase != string(syncv1alpha1.OperationFailed) {
			out[name] = last.controller
		}
	}
	return out
}

// fencing checks the history of every operation: the driver changes only
// by a release (to "") and a claim, or, from a replica killed at killed,
// straight to a survivor; every other status write is made under the
// driver that claimed it. It returns what it found wrong.
func (d *driverLog) fencing(killedID string, killed time.Time) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var bad []string
	for name, vs := range d.ops {
		for i := 1; i < len(vs); i++ {
			p, v := vs[i-1], vs[i]
			switch {
			case v.controller == p.controller:
				if v.rest != p.rest && v.controller == "" && !slices.Contains([]string{"Succeeded", "Failed"}, p.phase) {
					bad = append(bad, fmt.Sprintf("%s rv %d: a status write without a driver", name, v.rv))
				}
			case p.controller == "" || v.controller == "":
				if v.rest != p.rest {
					bad = append(bad, fmt.Sprintf("%s rv %d: a claim or release that changed more than status.controller", name, v.rv))
				}
			case p.controller == killedID && !v.at.Before(killed):
				// taken over from the killed replica
			default:
				bad = append(bad, fmt.Sprintf("%s rv %d: driver %s replaced by %s while it lived", name, v.rv, p.controller, v.controller))
			}
		}
	}
	return bad
}

// takeOver is when each of the given operations was first claimed by a
// replica other than from.
func (d *driverLog) takeOver(names []string, from string, after time.Time) map[string]time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]time.Time{}
	for _, n := range names {
		for _, v := range d.ops[n] {
			if v.at.After(after) && v.controller != "" && v.controller != from {
				out[n] = v.at
				break
			}
		}
	}
	return out
}

// distinctDrivers counts the replicas that drove some operation.
func (d *driverLog) distinctDrivers() map[string]int {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]int{}
	for _, vs := range d.ops {
		seen := map[string]bool{}
		for _, v := range vs {
			if v.controller != "" && !seen[v.controller] {
				seen[v.controller] = true
				out[v.controller]++
			}
		}
	}
	return out
}

// peakRSS is the process's peak resident set size (VmHWM), in MiB.
func (p *controllerProc) peakRSS(t *testing.T) float64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatalf("read the manager's /proc status: %v", err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	t.Fatal("no VmHWM in the manager's /proc status")
	return 0
}

// waitMembers waits until every replica's log says it is active in a view
// of exactly ids.
func waitMembers(t *testing.T, procs []*controllerProc, ids []string, timeout time.Duration) {
	t.Helper()
	members := `"members":["` + strings.Join(ids, `","`) + `"]`
	for _, p := range procs {
		NewWithT(t).Eventually(func() bool {
			l := p.logText(t)
			return strings.Contains(l, members) && strings.Contains(l, `"active":true`)
		}, timeout, 50*time.Millisecond).Should(BeTrue(), "%s: no view of %v in its log:\n%s", p.log, ids, linesWith(p.logText(t), "shard"))
	}
}

func createAll(t *testing.T, e *env, ops []*syncv1alpha1.SyncOperation) {
	t.Helper()
	for _, op := range ops {
		if err := e.cl.Create(context.Background(), op); err != nil {
			t.Fatalf("create SyncOperation %s: %v", op.Name, err)
		}
	}
}

// countDone counts the operations of ns by terminal phase.
func (e *env) countDone(t *testing.T, ns string) (succeeded, failed int) {
	t.Helper()
	list := &syncv1alpha1.SyncOperationList{}
	if err := e.cl.List(context.Background(), list, client.InNamespace(ns)); err != nil {
		return 0, 0
	}
	for _, op := range list.Items {
		switch op.Status.Phase {
		case syncv1alpha1.OperationSucceeded:
			succeeded++
		case syncv1alpha1.OperationFailed:
			failed++
		}
	}
	return succeeded, failed
}
