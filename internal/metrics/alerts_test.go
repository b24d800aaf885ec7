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
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/promql/promqltest"
	"github.com/prometheus/prometheus/rules"
	"github.com/prometheus/prometheus/storage"
)

// evalInterval is how often the tests evaluate a rule, as a Prometheus
// with evaluation_interval: 1m would.
const evalInterval = time.Minute

// alertCase is one scenario of an alert: series in the load syntax of
// promqltest (one sample a minute from time 0; `_` is a missed scrape,
// `a+bxN` is N+1 samples from a in steps of b), the rule evaluated every
// minute up to at, and the label sets of the alerts firing then.
type alertCase struct {
	name   string
	alert  string
	series []string
	at     time.Duration
	firing []map[string]string
}

// lua is the label-less syncwave_lua_errors_total of a controller that
// Prometheus has scraped since time 0: the rules read it to tell a series
// the controller just created from one Prometheus just began to scrape.
const lua = `syncwave_lua_errors_total{job="syncwave",instance="a"} 0x300`

// failed is the syncwave_operations_total series of failures with reason
// HookFailed in namespace prod, scraped from instance a.
const failed = `syncwave_operations_total{job="syncwave",instance="a",namespace="prod",result="Failed",reason="HookFailed"} `

var operationFailedCases = []alertCase{{
	name:   "the first failure of a namespace and reason fires (its series appears at 1)",
	alert:  "SyncwaveOperationFailed",
	series: []string{lua, failed + `_x30 1x60`},
	at:     35 * time.Minute,
	firing: []map[string]string{{"namespace": "prod", "reason": "HookFailed"}},
}, {
	name:   "the first failure stops firing after the 15 minute window",
	alert:  "SyncwaveOperationFailed",
	series: []string{lua, failed + `_x30 1x60`},
	at:     46 * time.Minute,
}, {
	name:   "a later failure fires",
	alert:  "SyncwaveOperationFailed",
	series: []string{lua, failed + `1x40 2x40`},
	at:     45 * time.Minute,
	firing: []map[string]string{{"namespace": "prod", "reason": "HookFailed"}},
}, {
	name:   "a failure of long ago does not fire",
	alert:  "SyncwaveOperationFailed",
	series: []string{lua, failed + `3x90`},
	at:     60 * time.Minute,
}, {
	name:  "succeeded and terminated operations do not fire",
	alert: "SyncwaveOperationFailed",
	series: []string{lua,
		`syncwave_operations_total{job="syncwave",instance="a",namespace="prod",result="Succeeded",reason=""} _x30 1x30`,
		`syncwave_operations_total{job="syncwave",instance="a",namespace="prod",result="Terminated",reason="Terminated"} _x30 1x30`,
	},
	at: 35 * time.Minute,
}, {
	name:  "old failures do not fire when Prometheus begins to scrape the controller",
	alert: "SyncwaveOperationFailed",
	series: []string{
		`syncwave_lua_errors_total{job="syncwave",instance="a"} _x30 0x30`,
		failed + `_x30 3x30`,
	},
	at: 35 * time.Minute,
}, {
	name:  "the first failure after a controller restart fires (a new pod's series)",
	alert: "SyncwaveOperationFailed",
	series: []string{
		`syncwave_lua_errors_total{job="syncwave",instance="a"} 0x20`,
		`syncwave_lua_errors_total{job="syncwave",instance="b"} _x22 0x60`,
		failed + `5x20`,
		`syncwave_operations_total{job="syncwave",instance="b",namespace="prod",result="Failed",reason="HookFailed"} _x30 1x30`,
	},
	at:     35 * time.Minute,
	firing: []map[string]string{{"namespace": "prod", "reason": "HookFailed"}},
}}

// running is syncwave_operations_running of namespace prod.
const running = `syncwave_operations_running{job="syncwave",instance="a",namespace="prod"} `

var runningTooLongCases = []alertCase{{
	name:   "an operation running for more than 2h fires",
	alert:  "SyncwaveOperationRunningTooLong",
	series: []string{lua, running + `0x10 1x200`},
	at:     140 * time.Minute,
	firing: []map[string]string{{"namespace": "prod"}},
}, {
	name:   "an operation running for less than 2h does not fire",
	alert:  "SyncwaveOperationRunningTooLong",
	series: []string{lua, running + `0x10 1x200`},
	at:     125 * time.Minute,
}, {
	name:   "an operation running since a namespace's first SyncOperation, 40m ago, does not fire",
	alert:  "SyncwaveOperationRunningTooLong",
	series: []string{lua, running + `_x100 1x40`},
	at:     140 * time.Minute,
}, {
	name:  "operations that run one after the other, the first one finishing, do not fire",
	alert: "SyncwaveOperationRunningTooLong",
	series: []string{lua, running + `1x200`,
		`syncwave_operations_total{job="syncwave",instance="a",namespace="prod",result="Succeeded",reason=""} _x60 1x100`,
	},
	at: 140 * time.Minute,
}, {
	name:  "operations that run one after the other, a later one finishing, do not fire",
	alert: "SyncwaveOperationRunningTooLong",
	series: []string{lua, running + `1x200`,
		`syncwave_operations_total{job="syncwave",instance="a",namespace="prod",result="Succeeded",reason=""} 1x60 2x100`,
	},
	at: 140 * time.Minute,
}, {
	name:   "no operation running in the window does not fire",
	alert:  "SyncwaveOperationRunningTooLong",
	series: []string{lua, running + `1x60 0 1x100`},
	at:     140 * time.Minute,
}}

// hooks returns syncwave_hook_runs_total of the PreSync phase.
func hooks(result, values string) string {
	return `syncwave_hook_runs_total{job="syncwave",instance="a",phase="PreSync",result="` + result + `"} ` + values
}

var hookFailureCases = []alertCase{{
	name:   "2 failed of 4 hooks in the last hour, the failures being the first ones, fires",
	alert:  "SyncwaveHookFailureRatioHigh",
	series: []string{lua, hooks("Succeeded", `10x70 11x10 12x60`), hooks("Failed", `_x75 1x10 2x60`)},
	at:     100 * time.Minute,
	firing: []map[string]string{{"phase": "PreSync"}},
}, {
	name:   "the first hooks ever, 3 failed of 4, fire",
	alert:  "SyncwaveHookFailureRatioHigh",
	series: []string{lua, hooks("Succeeded", `_x50 1x100`), hooks("Failed", `_x60 1x10 3x100`)},
	at:     85 * time.Minute,
	firing: []map[string]string{{"phase": "PreSync"}},
}, {
	name:   "1 failed of 10 hooks does not fire",
	alert:  "SyncwaveHookFailureRatioHigh",
	series: []string{lua, hooks("Succeeded", `0x10 1+1x9 10x100`), hooks("Failed", `_x30 1x100`)},
	at:     45 * time.Minute,
}, {
	name:   "1 failed of 2 hooks does not fire: too few runs",
	alert:  "SyncwaveHookFailureRatioHigh",
	series: []string{lua, hooks("Succeeded", `_x10 1x100`), hooks("Failed", `_x20 1x100`)},
	at:     45 * time.Minute,
}, {
	name:   "failures more than an hour ago do not fire",
	alert:  "SyncwaveHookFailureRatioHigh",
	series: []string{lua, hooks("Succeeded", `_x10 1x200`), hooks("Failed", `_x20 3x200`)},
	at:     150 * time.Minute,
}}

var luaErrorCases = []alertCase{{
	name:   "a Lua error fires",
	alert:  "SyncwaveLuaErrors",
	series: []string{`syncwave_lua_errors_total{job="syncwave",instance="a"} 0x30 1x30`},
	at:     35 * time.Minute,
	firing: []map[string]string{{"job": "syncwave", "instance": "a"}},
}, {
	name:   "no Lua error does not fire",
	alert:  "SyncwaveLuaErrors",
	series: []string{lua},
	at:     35 * time.Minute,
}}

// TestAlerts evaluates the alerts of rules.yaml with Prometheus's own rule
// engine over series of test samples.
func TestAlerts(t *testing.T) {
	groups := loadRuleGroups(t)
	engine := newEngine(t)
	var all []alertCase
	for _, cs := range [][]alertCase{operationFailedCases, runningTooLongCases, hookFailureCases, luaErrorCases} {
		all = append(all, cs...)
	}
	for _, c := range all {
		t.Run(c.alert+"/"+c.name, func(t *testing.T) {
			g := NewWithT(t)
			st := promqltest.LoadedStorage(t, "load 1m\n  "+strings.Join(c.series, "\n  "))
			rule := alertingRule(t, groups, c.alert)
			got := firingAt(t, rule, engine, st, c.at)
			if c.firing == nil {
				c.firing = []map[string]string{}
			}
			g.Expect(got).To(ConsistOf(c.firing))
		})
	}
}

// newEngine returns a PromQL engine with Prometheus's default lookback.
func newEngine(t *testing.T) *promql.Engine {
	t.Helper()
	engine := promql.NewEngine(promql.EngineOpts{
		MaxSamples: 1e6, Timeout: time.Minute, LookbackDelta: 5 * time.Minute,
		Parser: parser.NewParser(parser.Options{}),
	})
	t.Cleanup(func() { _ = engine.Close() })
	return engine
}

// alertingRule builds a fresh alerting rule (no alert state) from the rule
// named name.
func alertingRule(t *testing.T, groups *rulefmt.RuleGroups, name string) *rules.AlertingRule {
	t.Helper()
	for _, group := range groups.Groups {
		for _, r := range group.Rules {
			if r.Alert != name {
				continue
			}
			expr, err := parser.NewParser(parser.Options{}).ParseExpr(r.Expr)
			if err != nil {
				t.Fatalf("alert %s: %v", name, err)
			}
			return rules.NewAlertingRule(r.Alert, expr, time.Duration(r.For), time.Duration(r.KeepFiringFor),
				labels.FromMap(r.Labels), labels.FromMap(r.Annotations), labels.EmptyLabels(), "", true,
				slog.New(slog.NewTextHandler(io.Discard, nil)))
		}
	}
	t.Fatalf("no alert %s in rules.yaml", name)
	return nil
}

// firingAt evaluates rule every evalInterval from time 0 to at and returns
// the labels of the alerts firing at at, without alertname and the rule's
// own labels. It fails the test when an annotation does not expand.
func firingAt(t *testing.T, rule *rules.AlertingRule, engine *promql.Engine, st storage.Queryable, at time.Duration) []map[string]string {
	t.Helper()
	query := rules.EngineQueryFunc(engine, st)
	start := time.Unix(0, 0).UTC()
	for ts := time.Duration(0); ts <= at; ts += evalInterval {
		if _, err := rule.Eval(context.Background(), 0, start.Add(ts), query, nil, 0); err != nil {
			t.Fatalf("evaluate %s at %s: %v", rule.Name(), ts, err)
		}
	}
	got := []map[string]string{}
	for _, a := range rule.ActiveAlerts() {
		if a.State != rules.StateFiring {
			continue
		}
		a.Annotations.Range(func(l labels.Label) {
			if strings.Contains(l.Value, "error expanding") || strings.Contains(l.Value, "<no value>") {
				t.Errorf("alert %s: annotation %s does not expand: %s", rule.Name(), l.Name, l.Value)
			}
		})
		m := a.Labels.Map()
		delete(m, labels.AlertName)
		rule.Labels().Range(func(l labels.Label) { delete(m, l.Name) })
		got = append(got, m)
	}
	return got
}

// TestGuardSeriesFromStart pins what the rules' guard relies on: a new
// Recorder exports syncwave_lua_errors_total, without labels, before any
// event, so the series exists from the controller's start.
func TestGuardSeriesFromStart(t *testing.T) {
	g := NewWithT(t)
	reg := prometheus.NewRegistry()
	New(reg, nil)
	families, err := reg.Gather()
	g.Expect(err).NotTo(HaveOccurred())
	var found bool
	for _, mf := range families {
		if mf.GetName() == LuaErrorsTotalName {
			found = true
			g.Expect(mf.GetMetric()).To(HaveLen(1))
			g.Expect(mf.GetMetric()[0].GetLabel()).To(BeEmpty())
		}
	}
	g.Expect(found).To(BeTrue(), "%s is not exported before its first event", LuaErrorsTotalName)
}

// TestDashboardCountsNewSeries evaluates the dashboard's "(range)" stat
// panels: like the alerts, they count the operations of a series that
// appears in the range (its first event at 1).
func TestDashboardCountsNewSeries(t *testing.T) {
	g := NewWithT(t)
	raw, err := os.ReadFile(filepath.Join(promDir, "dashboard.json"))
	g.Expect(err).NotTo(HaveOccurred())
	var dash struct {
		Panels []grafanaPanel `json:"panels"`
	}
	g.Expect(json.Unmarshal(raw, &dash)).To(Succeed())
	exprs := map[string]string{}
	var walk func(ps []grafanaPanel)
	walk = func(ps []grafanaPanel) {
		for _, p := range ps {
			walk(p.Panels)
			if len(p.Targets) > 0 {
				exprs[p.Title] = p.Targets[0].Expr
			}
		}
	}
	walk(dash.Panels)

	st := promqltest.LoadedStorage(t, "load 1m\n  "+strings.Join([]string{lua,
		`syncwave_operations_total{job="syncwave",instance="a",namespace="prod",result="Succeeded",reason=""} 2x50 3x50`,
		failed + `_x40 1x60`,
		`syncwave_operations_total{job="syncwave",instance="a",namespace="other",result="Failed",reason="HookFailed"} _x40 1x60`,
	}, "\n  "))
	vars := strings.NewReplacer("$__range", "1h", "$namespace", "prod")
	query := rules.EngineQueryFunc(newEngine(t), st)
	at := time.Unix(0, 0).UTC().Add(90 * time.Minute)
	value := func(title string) float64 {
		g.Expect(exprs).To(HaveKey(title))
		v, err := query(context.Background(), vars.Replace(exprs[title]), at)
		g.Expect(err).NotTo(HaveOccurred(), title)
		g.Expect(v).To(HaveLen(1), title)
		return v[0].F
	}
	g.Expect(value("Failed (range)")).To(BeNumerically("==", 1))
	g.Expect(value("Succeeded (range)")).To(BeNumerically("~", 0.5, 0.02))
}
