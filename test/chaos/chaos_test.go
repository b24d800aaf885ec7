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
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/dynamic"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/syncwave/syncwave/internal/manager"
	"github.com/syncwave/syncwave/test/cluster"
	"github.com/syncwave/syncwave/test/restart"
)

var managerBinary string

func TestMain(m *testing.M) {
	if os.Getenv("SYNCWAVE_CHAOS") == "" {
		fmt.Println("chaos suite skipped: set SYNCWAVE_CHAOS=1 (make chaos)")
		os.Exit(0)
	}
	ctrllog.SetLogger(logr.Discard())
	dir, err := os.MkdirTemp("", "syncwave-chaos-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if managerBinary, err = restart.BuildManager(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// TestChaos runs CHAOS_RUNS operations one after the other on one
// simulated cluster, each in its own namespace, killing managers at random.
func TestChaos(t *testing.T) {
	runs := envInt("CHAOS_RUNS", 50)
	seed := uint64(envInt("CHAOS_SEED", int(time.Now().UnixNano()%1e9)))
	t.Logf("%d runs, CHAOS_SEED=%d", runs, seed)
	c := cluster.StartT(t, cluster.Options{Simulated: true, Nodes: 2,
		CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}})
	e := &env{c: c, cl: c.ClientT(t, manager.Scheme()), dyn: dynamic.NewForConfigOrDie(c.Config)}
	begin := time.Now()
	var total stats
	for i := range runs {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		failover := i%2 == 1
		var s stats
		t.Run(fmt.Sprintf("run-%02d", i), func(t *testing.T) { s = e.run(t, rng, failover) })
		total.add(s)
		t.Logf("run %02d: %s, %d kills, %d failovers, %s", i, verdict(s), s.kills, s.failovers, s.took.Round(100*time.Millisecond))
	}
	msg := fmt.Sprintf("chaos: %d/%d runs correct, %d kills, %d failovers, wall time %s (CHAOS_SEED=%d)",
		total.correct, runs, total.kills, total.failovers, time.Since(begin).Round(time.Second), seed)
	t.Log(msg)
	fmt.Println(msg)
}

type stats struct {
	correct, kills, failovers int
	took                      time.Duration
}

func (s *stats) add(o stats) {
	s.correct += o.correct
	s.kills += o.kills
	s.failovers += o.failovers
}

func verdict(s stats) string {
	if s.correct == 1 {
		return "correct"
	}
	return "WRONG"
}
