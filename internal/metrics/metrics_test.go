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

package metrics

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// recordAll records one event of every kind, so that every metric has a
// series to gather.
func recordAll(r *Recorder) {
	r.OperationFinished("prod", OperationSucceeded, "", 90*time.Second)
	r.StepFinished("Sync", 1, 3*time.Second)
	r.StepTransition(4 * time.Millisecond)
	r.HookFinished("PreSync", HookSucceeded, 20*time.Second)
	r.Apply("apps", "Deployment", ApplySuccess)
	r.HealthCheck(SourceBuiltin, "Healthy")
	r.LuaError()
	r.Prune(PrunePruned)
	r.Queued("prod", 2*time.Second)
}

// TestSpecMetrics pins the names, types and labels of SPEC §8.
func TestSpecMetrics(t *testing.T) {
	g := NewWithT(t)
	type shape struct {
		Type   dto.MetricType
		Labels []string
	}
	want := map[string]shape{
		"syncwave_operations_total":           {dto.MetricType_COUNTER, []string{"namespace", "reason", "result"}},
		"syncwave_operation_duration_seconds": {dto.MetricType_HISTOGRAM, []string{"namespace", "result"}},
		"syncwave_operations_running":         {dto.MetricType_GAUGE, []string{"namespace"}},
		"syncwave_step_duration_seconds":      {dto.MetricType_HISTOGRAM, []string{"phase", "wave"}},
		"syncwave_step_transition_seconds":    {dto.MetricType_HISTOGRAM, nil},
		"syncwave_hook_runs_total":            {dto.MetricType_COUNTER, []string{"phase", "result"}},
		"syncwave_hook_duration_seconds":      {dto.MetricType_HISTOGRAM, []string{"phase", "result"}},
		"syncwave_apply_total":                {dto.MetricType_COUNTER, []string{"group", "kind", "result"}},
		"syncwave_health_checks_total":        {dto.MetricType_COUNTER, []string{"source", "status"}},
		"syncwave_lua_errors_total":           {dto.MetricType_COUNTER, nil},
		"syncwave_prune_total":                {dto.MetricType_COUNTER, []string{"result"}},
		"syncwave_operation_queue_seconds":    {dto.MetricType_HISTOGRAM, []string{"namespace"}},
	}

	reg := prometheus.NewPedanticRegistry()
	recordAll(New(reg, func() map[string]int { return map[string]int{"prod": 1} }))
	families, err := reg.Gather()
	g.Expect(err).NotTo(HaveOccurred())

	got := map[string]shape{}
	for _, mf := range families {
		var labels []string
		for _, lp := range mf.GetMetric()[0].GetLabel() {
			labels = append(labels, lp.GetName())
		}
		slices.Sort(labels)
		got[mf.GetName()] = shape{mf.GetType(), labels}
	}
	g.Expect(cmp.Diff(want, got)).To(BeEmpty())
}

func TestCounters(t *testing.T) {
	tests := []struct {
		name   string
		record func(r *Recorder)
		metric func(r *Recorder) prometheus.Collector
		want   string
	}{{
		name: "operations by namespace, result and reason",
		record: func(r *Recorder) {
			r.OperationFinished("prod", OperationSucceeded, "", time.Minute)
			r.OperationFinished("prod", OperationSucceeded, "", time.Minute)
			r.OperationFinished("prod", OperationFailed, "HookFailed", time.Minute)
			r.OperationFinished("dev", OperationTerminated, "Terminated", time.Second)
		},
		metric: func(r *Recorder) prometheus.Collector { return r.operations },
		want: `
# HELP syncwave_operations_total Operations that reached a terminal phase, by namespace, result (Succeeded, Failed, Terminated) and reason.
# TYPE syncwave_operations_total counter
syncwave_operations_total{namespace="dev",reason="Terminated",result="Terminated"} 1
syncwave_operations_total{namespace="prod",reason="",result="Succeeded"} 2
syncwave_operations_total{namespace="prod",reason="HookFailed",result="Failed"} 1
`,
	}, {
		name: "hook runs by phase and result",
		record: func(r *Recorder) {
			r.HookFinished("PreSync", HookSucceeded, time.Second)
			r.HookFinished("PostSync", HookSucceeded, time.Second)
			r.HookFinished("PostSync", HookFailed, time.Second)
			r.HookFinished("PostSync", HookFailed, time.Second)
		},
		metric: func(r *Recorder) prometheus.Collector { return r.hookRuns },
		want: `
# HELP syncwave_hook_runs_total Hooks that finished, by phase and result (Succeeded, Failed).
# TYPE syncwave_hook_runs_total counter
syncwave_hook_runs_total{phase="PostSync",result="Failed"} 2
syncwave_hook_runs_total{phase="PostSync",result="Succeeded"} 1
syncwave_hook_runs_total{phase="PreSync",result="Succeeded"} 1
`,
	}, {
		name: "applies by group, kind and result",
		record: func(r *Recorder) {
			r.Apply("apps", "Deployment", ApplySuccess)
			r.Apply("apps", "Deployment", ApplySuccess)
			r.Apply("", "ConfigMap", ApplyError)
		},
		metric: func(r *Recorder) prometheus.Collector { return r.apply },
		want: `
# HELP syncwave_apply_total Server-side applies of target objects, by API group, kind and result (success, error).
# TYPE syncwave_apply_total counter
syncwave_apply_total{group="",kind="ConfigMap",result="error"} 1
syncwave_apply_total{group="apps",kind="Deployment",result="success"} 2
`,
	}, {
		name: "health checks by source and status",
		record: func(r *Recorder) {
			r.HealthCheck(SourceBuiltin, "Healthy")
			r.HealthCheck(SourceBuiltin, "Progressing")
			r.HealthCheck(SourceLua, "Degraded")
			r.HealthCheck(SourceGeneric, "Healthy")
		},
		metric: func(r *Recorder) prometheus.Collector { return r.healthChecks },
		want: `
# HELP syncwave_health_checks_total Health assessments, by source (builtin, lua, generic) and resulting status.
# TYPE syncwave_health_checks_total counter
syncwave_health_checks_total{source="builtin",status="Healthy"} 1
syncwave_health_checks_total{source="builtin",status="Progressing"} 1
syncwave_health_checks_total{source="generic",status="Healthy"} 1
syncwave_health_checks_total{source="lua",status="Degraded"} 1
`,
	}, {
		name: "lua errors",
		record: func(r *Recorder) {
			r.LuaError()
			r.LuaError()
			r.LuaError()
		},
		metric: func(r *Recorder) prometheus.Collector { return r.luaErrors },
		want: `
# HELP syncwave_lua_errors_total Lua health scripts that failed to compile, run, or return a valid result.
# TYPE syncwave_lua_errors_total counter
syncwave_lua_errors_total 3
`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			r := New(prometheus.NewRegistry(), nil)
			tt.record(r)
			g.Expect(testutil.CollectAndCompare(tt.metric(r), strings.NewReader(tt.want))).To(Succeed())
		})
	}
}

// TestHistograms compares each histogram with a golden exposition in
// testdata/<metric>.prom; run with -update to rewrite them.
func TestHistograms(t *testing.T) {
	tests := []struct {
		metric string
		record func(r *Recorder)
	}{{
		metric: OperationDurationSecondsName,
		record: func(r *Recorder) {
			r.OperationFinished("prod", OperationSucceeded, "", 75*time.Second)
			r.OperationFinished("prod", OperationSucceeded, "", 40*time.Minute)
			r.OperationFinished("prod", OperationFailed, "Timeout", time.Hour)
		},
	}, {
		metric: StepDurationSecondsName,
		record: func(r *Recorder) {
			r.StepFinished("PreSync", -1, 12*time.Second)
			r.StepFinished("Sync", 0, 3*time.Millisecond)
			r.StepFinished("Sync", 0, 200*time.Millisecond)
			r.StepFinished("PostSync", 5, 4*time.Minute)
		},
	}, {
		metric: StepTransitionSecondsName,
		record: func(r *Recorder) {
			r.StepTransition(800 * time.Microsecond)
			r.StepTransition(4 * time.Millisecond)
			r.StepTransition(30 * time.Millisecond)
			r.StepTransition(2 * time.Second)
		},
	}, {
		metric: HookDurationSecondsName,
		record: func(r *Recorder) {
			r.HookFinished("PreSync", HookSucceeded, 45*time.Second)
			r.HookFinished("PostSync", HookFailed, 9*time.Minute)
		},
	}}
	for _, tt := range tests {
		t.Run(tt.metric, func(t *testing.T) {
			g := NewWithT(t)
			reg := prometheus.NewRegistry()
			tt.record(New(reg, nil))
			golden := filepath.Join("testdata", tt.metric+".prom")
			if *update {
				g.Expect(os.WriteFile(golden, gatherText(t, reg, tt.metric), 0o644)).To(Succeed())
			}
			f, err := os.Open(golden)
			g.Expect(err).NotTo(HaveOccurred())
			defer f.Close()
			g.Expect(testutil.GatherAndCompare(reg, f, tt.metric)).To(Succeed())
		})
	}
}

// gatherText renders one metric family of reg in the text exposition format.
func gatherText(t *testing.T, reg prometheus.Gatherer, name string) []byte {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range families {
		if mf.GetName() == name {
			if err := enc.Encode(mf); err != nil {
				t.Fatal(err)
			}
		}
	}
	return buf.Bytes()
}

func TestOperationsRunning(t *testing.T) {
	g := NewWithT(t)
	counts := map[string]int{"prod": 2, "dev": 1}
	c := newRunningCollector(func() map[string]int { return counts })

	g.Expect(testutil.CollectAndCompare(c, strings.NewReader(`
# HELP syncwave_operations_running Operations that have not reached a terminal phase, by namespace.
# TYPE syncwave_operations_running gauge
syncwave_operations_running{namespace="dev"} 1
syncwave_operations_running{namespace="prod"} 2
`))).To(Succeed())

	// The count is taken at every scrape, e.g. from the cache of a
	// controller that just restarted.
	counts = map[string]int{"prod": 0}
	g.Expect(testutil.CollectAndCompare(c, strings.NewReader(`
# HELP syncwave_operations_running Operations that have not reached a terminal phase, by namespace.
# TYPE syncwave_operations_running gauge
syncwave_operations_running{namespace="prod"} 0
`))).To(Succeed())

	g.Expect(testutil.CollectAndCount(newRunningCollector(nil))).To(BeZero())
}

func TestNilRecorder(t *testing.T) {
	g := NewWithT(t)
	var r *Recorder
	g.Expect(func() { recordAll(r) }).NotTo(Panic())
}

func TestNewTwiceOnOneRegistryPanics(t *testing.T) {
	g := NewWithT(t)
	reg := prometheus.NewRegistry()
	New(reg, nil)
	g.Expect(func() { New(reg, nil) }).To(Panic())
}

// TestLint runs client_golang's metric linter over every metric.
func TestLint(t *testing.T) {
	g := NewWithT(t)
	reg := prometheus.NewRegistry()
	recordAll(New(reg, func() map[string]int { return map[string]int{"prod": 1} }))
	problems, err := testutil.GatherAndLint(reg)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(problems).To(BeEmpty())
}
