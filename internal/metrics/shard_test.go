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

func TestShard(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := NewShard(reg, "r-1", func() int { return 7 }, func() int { return 3 })
	s.Moved(2)
	s.Moved(1)
	want := `
# HELP syncwave_shard_members ` + shardMembersHelp + `
# TYPE syncwave_shard_members gauge
syncwave_shard_members{replica="r-1"} 3
# HELP syncwave_shard_moves_total ` + shardMovesTotalHelpT + `
# TYPE syncwave_shard_moves_total counter
syncwave_shard_moves_total{replica="r-1"} 3
# HELP syncwave_shard_operations ` + shardOperationsHelp + `
# TYPE syncwave_shard_operations gauge
syncwave_shard_operations{replica="r-1"} 7
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
	var nilShard *Shard
	nilShard.Moved(1) // no panic
}
