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

// The metric names of a sharded controller (--sharding=dynamic).
const (
	ShardOperationsName  = "syncwave_shard_operations"
	ShardMovesTotalName  = "syncwave_shard_moves_total"
	ShardMembersName     = "syncwave_shard_members"
	ShardReplicaLabel    = "replica"
	shardOperationsHelp  = "Unfinished operations whose application (or namespace) this replica owns, by replica identity."
	shardMembersHelp     = "Live replicas in this replica's view of the shard group (unexpired Leases)."
	shardMovesTotalHelpT = "Unfinished operations that moved to this replica from another one (a replica joined or left), counted when its view changed."
)

// Shard records the metrics of one replica of a sharded controller.
type Shard struct {
	moves prometheus.Counter
}

// NewShard registers the shard metrics of replica on reg. owned and members
// are called at scrape time (counted from the cache, so right after a
// restart).
func NewShard(reg prometheus.Registerer, replica string, owned, members func() int) *Shard {
	labels := prometheus.Labels{ShardReplicaLabel: replica}
	s := &Shard{moves: prometheus.NewCounter(prometheus.CounterOpts{
		Name: ShardMovesTotalName, Help: shardMovesTotalHelpT, ConstLabels: labels})}
	reg.MustRegister(s.moves,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: ShardOperationsName, Help: shardOperationsHelp, ConstLabels: labels},
			func() float64 { return float64(owned()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: ShardMembersName, Help: shardMembersHelp, ConstLabels: labels},
			func() float64 { return float64(members()) }))
	return s
}

// Moved counts n operations that moved to this replica.
func (s *Shard) Moved(n int) {
	if s != nil {
		s.moves.Add(float64(n))
	}
}
