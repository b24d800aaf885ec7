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
	"github.com/prometheus/client_golang/prometheus"
)

// runningCollector reports syncwave_operations_running from a count taken
// at scrape time, so the value survives controller restarts without
// bookkeeping.
type runningCollector struct {
	desc    *prometheus.Desc
	running func() map[string]int
}

func newRunningCollector(running func() map[string]int) *runningCollector {
	return &runningCollector{
		desc: prometheus.NewDesc(OperationsRunningName,
			"Operations that have not reached a terminal phase, by namespace.",
			[]string{"namespace"}, nil),
		running: running,
	}
}

// Describe implements prometheus.Collector.
func (c *runningCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.desc
}

// Collect implements prometheus.Collector.
func (c *runningCollector) Collect(ch chan<- prometheus.Metric) {
	if c.running == nil {
		return
	}
	for ns, n := range c.running() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), ns)
	}
}
