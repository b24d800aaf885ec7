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
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestConnections(t *testing.T) {
	reg := prometheus.NewRegistry()
	clusters, caches := 2, 5
	if err := RegisterConnections(reg, func() int { return clusters }, func() int { return caches }); err != nil {
		t.Fatal(err)
	}
	want := func(clusters, caches string) string {
		return `
# HELP syncwave_remote_clusters ` + remoteClustersHelp + `
# TYPE syncwave_remote_clusters gauge
syncwave_remote_clusters ` + clusters + `
# HELP syncwave_tenant_caches ` + tenantCachesHelp + `
# TYPE syncwave_tenant_caches gauge
syncwave_tenant_caches ` + caches + `
`
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want("2", "5"))); err != nil {
		t.Fatal(err)
	}
	clusters, caches = 0, 0 // read at each scrape
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want("0", "0"))); err != nil {
		t.Fatal(err)
	}
	if err := RegisterConnections(reg, func() int { return 0 }, func() int { return 0 }); err == nil {
		t.Fatal("registering twice must fail")
	}
}
