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

package cluster

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkStart measures how long each level takes to start and to stop,
// and reports the medians of the b.N runs (targets on the project's 2-core
// machine: envtest < 10 s, simulated < 15 s to start). Run it with
//
//	go test -run '^$' -bench Start -benchtime 5x ./test/cluster
func BenchmarkStart(b *testing.B) {
	for _, level := range []struct {
		name string
		opts Options
	}{
		{"envtest", Options{}},
		{"simulated", Options{Simulated: true}},
	} {
		b.Run(level.name, func(b *testing.B) {
			var starts, stops []time.Duration
			for b.Loop() {
				t0 := time.Now()
				c, err := Start(b.Context(), level.opts)
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if err := c.Stop(); err != nil {
					b.Fatal(err)
				}
				starts = append(starts, t1.Sub(t0))
				stops = append(stops, time.Since(t1))
			}
			b.ReportMetric(median(starts).Seconds(), "start-median-s")
			b.ReportMetric(median(stops).Seconds(), "stop-median-s")
			b.Logf("%s: starts %v, stops %v", level.name, round(starts), round(stops))
		})
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func round(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(10 * time.Millisecond)
	}
	return out
}
