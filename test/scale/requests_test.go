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

package scale

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"k8s.io/client-go/kubernetes"

	"github.com/syncwave/syncwave/test/cluster"
)

// requestCounts are the API server's requests (apiserver_request_total)
// by what they did: "APPLY configmaps", "POST configmaps dry-run",
// "PATCH syncoperations/status".
type requestCounts map[string]float64

// apiRequests reads the API server's request counters.
func apiRequests(tb testing.TB) requestCounts {
	tb.Helper()
	cs, err := kubernetes.NewForConfig(bench.c.Config)
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := cs.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(context.Background())
	if err != nil {
		tb.Fatalf("read the API server's metrics: %v", err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(raw))
	if err != nil {
		tb.Fatalf("parse the API server's metrics: %v", err)
	}
	out := requestCounts{}
	mf := families["apiserver_request_total"]
	if mf == nil {
		tb.Fatal("the API server exports no apiserver_request_total")
	}
	for _, m := range mf.GetMetric() {
		l := map[string]string{}
		for _, p := range m.GetLabel() {
			l[p.GetName()] = p.GetValue()
		}
		key := l["verb"] + " " + l["resource"]
		if l["subresource"] != "" {
			key += "/" + l["subresource"]
		}
		if l["dry_run"] != "" {
			key += " dry-run"
		}
		out[key] += m.GetCounter().GetValue()
	}
	return out
}

// apiRequestsSettled reads the request counters once the controller's
// events, which it records after its status write, have been sent: when
// two reads 300 ms apart count the same events (at most 10 s).
func apiRequestsSettled(tb testing.TB) requestCounts {
	tb.Helper()
	prev := apiRequests(tb)
	for range 30 {
		time.Sleep(300 * time.Millisecond)
		cur := apiRequests(tb)
		if cur["POST events"] == prev["POST events"] && cur["PATCH events"] == prev["PATCH events"] {
			return cur
		}
		prev = cur
	}
	return prev
}

// since returns the requests made after before was read, without the
// watches and reads that any client keeps making (leases, discovery).
func (c requestCounts) since(before requestCounts) requestCounts {
	out := requestCounts{}
	for k, v := range c {
		if d := v - before[k]; d > 0 && !strings.Contains(k, "leases") && !strings.HasPrefix(k, "WATCH") {
			out[k] = d
		}
	}
	return out
}

// per lists the counts divided by n (operations or objects), largest
// first.
func (c requestCounts) per(n int) string {
	keys := slices.SortedFunc(maps.Keys(c), func(a, b string) int {
		if c[a] != c[b] {
			return int(c[b] - c[a])
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %.4g", k, c[k]/float64(n)))
	}
	return strings.Join(parts, ", ")
}

// cpuTimes are CPU seconds used so far by the control plane (kube-apiserver
// and etcd) and by the manager.
type cpuTimes struct{ cluster, manager float64 }

func cpuNow(tb testing.TB) cpuTimes {
	tb.Helper()
	c, err := bench.c.CPUSeconds()
	if err != nil {
		tb.Fatalf("control plane CPU: %v", err)
	}
	m, err := cluster.CPUSeconds(bench.mgr.Process.Pid)
	if err != nil {
		tb.Fatalf("manager CPU: %v", err)
	}
	return cpuTimes{cluster: c, manager: m}
}

func (t cpuTimes) since(before cpuTimes) cpuTimes {
	return cpuTimes{cluster: t.cluster - before.cluster, manager: t.manager - before.manager}
}

// cpuLine says what the operation cost next to the floors, from CPU
// readings before and after each: the control plane's work, which bounds
// the time on a machine of few cores.
func cpuLine(ours, floor, checked cpuTimes) string {
	return fmt.Sprintf("control plane CPU: syncwave %.2fs (%.2fx the parallel apply's %.2fs, %.2fx the dry-run then apply's %.2fs); manager %.2fs",
		ours.cluster, ours.cluster/floor.cluster, floor.cluster, ours.cluster/checked.cluster, checked.cluster, ours.manager)
}
