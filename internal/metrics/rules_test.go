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
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"
)

const promDir = "../../config/prometheus"

// knownSeries returns every series name the Recorder exports, with the
// _bucket, _sum and _count series of its histograms.
func knownSeries(t *testing.T) map[string]bool {
	t.Helper()
	reg := prometheus.NewRegistry()
	recordAll(New(reg, func() map[string]int { return map[string]int{"prod": 1} }))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, mf := range families {
		known[mf.GetName()] = true
		if mf.GetType() == dto.MetricType_HISTOGRAM {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				known[mf.GetName()+suffix] = true
			}
		}
	}
	return known
}

// metricNames returns the metric names of every vector selector of a
// PromQL expression.
func metricNames(expr string) ([]string, error) {
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	var names []string
	parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			names = append(names, vs.Name)
		}
		return nil
	})
	if len(names) == 0 {
		return nil, fmt.Errorf("no metric selector in %q", expr)
	}
	return names, nil
}

// loadRuleGroups loads the PrometheusRule's rule groups with Prometheus's
// own parser.
func loadRuleGroups(t *testing.T) *rulefmt.RuleGroups {
	t.Helper()
	g := NewWithT(t)
	raw, err := os.ReadFile(filepath.Join(promDir, "rules.yaml"))
	g.Expect(err).NotTo(HaveOccurred())

	var rule struct {
		APIVersion string          `json:"apiVersion"`
		Kind       string          `json:"kind"`
		Metadata   json.RawMessage `json:"metadata"`
		Spec       json.RawMessage `json:"spec"`
	}
	g.Expect(yaml.UnmarshalStrict(raw, &rule)).To(Succeed())
	g.Expect(rule.APIVersion).To(Equal("monitoring.coreos.com/v1"))
	g.Expect(rule.Kind).To(Equal("PrometheusRule"))
	spec, err := yaml.JSONToYAML(rule.Spec)
	g.Expect(err).NotTo(HaveOccurred())

	groups, errs := rulefmt.Parse(spec, false, model.UTF8Validation,
		parser.NewParser(parser.Options{}), slog.New(slog.NewTextHandler(io.Discard, nil)))
	g.Expect(errs).To(BeEmpty())
	return groups
}

// TestAlertRules checks that every rule is an alert with a summary and a
// severity that names only syncwave metrics. alerts_test.go evaluates them.
func TestAlertRules(t *testing.T) {
	g := NewWithT(t)
	groups := loadRuleGroups(t)

	known := knownSeries(t)
	var alerts []string
	for _, group := range groups.Groups {
		for _, r := range group.Rules {
			g.Expect(r.Alert).NotTo(BeEmpty(), "only alerts are expected, got %+v", r)
			alerts = append(alerts, r.Alert)
			g.Expect(r.Annotations).To(HaveKey("summary"), r.Alert)
			g.Expect(r.Labels).To(HaveKey("severity"), r.Alert)
			names, err := metricNames(r.Expr)
			g.Expect(err).NotTo(HaveOccurred(), r.Alert)
			for _, n := range names {
				g.Expect(known).To(HaveKey(n), "alert %s", r.Alert)
			}
		}
	}
	g.Expect(alerts).To(ContainElements(
		"SyncwaveOperationFailed", "SyncwaveOperationRunningTooLong", "SyncwaveHookFailureRatioHigh"))
}

// grafanaPanel is the part of a Grafana panel the test reads.
type grafanaPanel struct {
	Title   string         `json:"title"`
	Type    string         `json:"type"`
	Panels  []grafanaPanel `json:"panels"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

// grafanaVars replaces Grafana's template variables with values PromQL
// parses.
var grafanaVars = strings.NewReplacer(
	"$__rate_interval", "5m",
	"$__interval", "1m",
	"$__range", "6h",
	"$namespace", "prod",
)

// TestDashboard checks that the dashboard parses and that every panel
// queries existing syncwave metrics.
func TestDashboard(t *testing.T) {
	g := NewWithT(t)
	raw, err := os.ReadFile(filepath.Join(promDir, "dashboard.json"))
	g.Expect(err).NotTo(HaveOccurred())
	var dash struct {
		Title      string         `json:"title"`
		UID        string         `json:"uid"`
		Panels     []grafanaPanel `json:"panels"`
		Templating struct {
			List []struct {
				Name       string `json:"name"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	g.Expect(json.Unmarshal(raw, &dash)).To(Succeed())
	g.Expect(dash.UID).NotTo(BeEmpty())

	known := knownSeries(t)
	var panels []grafanaPanel
	var flatten func(ps []grafanaPanel)
	flatten = func(ps []grafanaPanel) {
		for _, p := range ps {
			if p.Type == "row" {
				flatten(p.Panels)
				continue
			}
			panels = append(panels, p)
		}
	}
	flatten(dash.Panels)
	g.Expect(panels).NotTo(BeEmpty())

	for _, p := range panels {
		g.Expect(p.Targets).NotTo(BeEmpty(), "panel %q has no query", p.Title)
		for _, target := range p.Targets {
			names, err := metricNames(grafanaVars.Replace(target.Expr))
			g.Expect(err).NotTo(HaveOccurred(), "panel %q", p.Title)
			for _, n := range names {
				g.Expect(known).To(HaveKey(n), "panel %q", p.Title)
			}
		}
	}
	for _, v := range dash.Templating.List {
		if after, ok := strings.CutPrefix(v.Definition, "label_values("); ok {
			metric, _, _ := strings.Cut(after, ",")
			g.Expect(known).To(HaveKey(strings.TrimSpace(metric)), "variable %q", v.Name)
		}
	}
}
