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
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// memApps, memPerApp, memObjects and memSize shape TestShardMemory: apps
// applications, each in its own namespace, perApp operations each, of
// objects ConfigMaps of size bytes of data (from two source ConfigMaps, to
// stay below the object size limit).
const (
	memApps    = 18
	memPerApp  = 2
	memObjects = 40
	memSize    = 24 << 10
)

// memWorkload creates, in one namespace per application, the source
// ConfigMaps and the operations of TestShardMemory, and returns the
// namespaces.
func memWorkload(t *testing.T, e *env, run int) ([]string, []*syncv1alpha1.SyncOperation) {
	t.Helper()
	var nss []string
	var ops []*syncv1alpha1.SyncOperation
	filler := strings.Repeat("x", memSize)
	for a := range memApps {
		ns := e.c.NamespaceT(t, fmt.Sprintf("shard-mem-%d-", run))
		nss = append(nss, ns)
		for k := range memPerApp {
			var srcs []syncv1alpha1.ManifestSource
			for half := range 2 {
				data := map[string]string{}
				for i := half * memObjects / 2; i < (half+1)*memObjects/2; i++ {
					data[fmt.Sprintf("cm-%02d.yaml", i)] = fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%02d\n  annotations: {argocd.argoproj.io/sync-wave: \"%d\"}\ndata:\n  version: \"%d\"\n  filler: %s\n", i, i%2, k, filler)
				}
				name := fmt.Sprintf("src-%d-%d", k, half)
				if err := e.cl.Create(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Data: data}); err != nil {
					t.Fatal(err)
				}
				srcs = append(srcs, syncv1alpha1.ManifestSource{ConfigMapRef: &syncv1alpha1.KeyReference{Name: name}})
			}
			ops = append(ops, &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("app%02d-%d", a, k), Namespace: ns},
				Spec: syncv1alpha1.SyncOperationSpec{Application: "app", Sources: srcs}})
		}
	}
	return nss, ops
}

// TestShardMemory measures (make bench; SYNCWAVE_BENCH=1) each replica's
// peak RSS when applications hold large objects: one unsharded replica
// (one cache of every managed object), then one and three replicas with
// dynamic sharding (each caches only the namespaces of the operations it
// drives, while it drives them). Nothing is asserted about the numbers.
func TestShardMemory(t *testing.T) {
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
		nss, ops := memWorkload(t, e, i)
		procs := e.startReplicas(t, fmt.Sprintf("mem-%d", i), run.replicas, run.sharded)
		start := time.Now()
		createAll(t, e, ops)
		g.Eventually(func() int {
			n := 0
			for _, ns := range nss {
				s, f := e.countDone(t, ns)
				n += s + f
			}
			return n
		}, 10*time.Minute, 200*time.Millisecond).Should(Equal(len(ops)))
		took := time.Since(start)
		var rss []string
		for _, p := range procs {
			rss = append(rss, fmt.Sprintf("%.1f MiB", p.peakRSS(t)))
			p.kill()
		}
		t.Logf("%s: %d operations (%d applications x %d, %d ConfigMaps of %d KiB each) in %s; peak RSS per replica: %v",
			run.name, len(ops), memApps, memPerApp, memObjects, memSize>>10, took.Round(10*time.Millisecond), rss)
	}
}
