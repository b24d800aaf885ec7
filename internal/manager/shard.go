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

package manager

import (
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	coordinationv1 "k8s.io/api/coordination/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	"github.com/syncwave/syncwave/internal/metrics"
	"github.com/syncwave/syncwave/internal/shard"
)

// The values of --sharding.
const (
	ShardingNone    = "none"
	ShardingDynamic = "dynamic"
)

// ShardOptions divide the operations among controller replicas (see
// internal/shard). Static sharding is WatchLabelSelector alone: each
// Deployment sees only the operations its selector matches. Dynamic
// sharding lets the replicas of one Deployment divide them by Leases.
type ShardOptions struct {
	// WatchLabelSelector limits the controller to the SyncOperations that
	// match it, e.g. sharding.syncwave.dev/key=blue ("" for all).
	WatchLabelSelector string
	// Mode is none or dynamic.
	Mode string
	// Identity names this replica (its Lease holder and the operations'
	// status.controller); default POD_NAME (else the hostname) plus a
	// random suffix, so that a restarted process is a new member.
	Identity string
	// Group is the value of the Leases' syncwave.dev/shard-member label:
	// the replicas that divide the operations.
	Group string
	// LeaseDuration, RenewDeadline and RetryPeriod time each replica's
	// Lease (default 15s, 10s, 2s, as leader election's).
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
}

// DefaultShardOptions returns the defaults of the sharding flags.
func DefaultShardOptions() ShardOptions {
	return ShardOptions{Mode: ShardingNone, Group: "syncwave",
		LeaseDuration: 15 * time.Second, RenewDeadline: 10 * time.Second, RetryPeriod: 2 * time.Second}
}

func (s *ShardOptions) bindFlags(fs *flag.FlagSet) {
	fs.StringVar(&s.WatchLabelSelector, "watch-label-selector", s.WatchLabelSelector, "only run SyncOperations whose labels match this selector, e.g. sharding.syncwave.dev/key=blue or '!sharding.syncwave.dev/key' (static sharding; default: all)")
	fs.StringVar(&s.Mode, "sharding", s.Mode, "none, or dynamic: the replicas of the --shard-group divide the operations among themselves by Leases (one per replica, in POD_NAMESPACE), by application; excludes --leader-elect")
	fs.StringVar(&s.Identity, "shard-identity", s.Identity, "identity of this replica in dynamic sharding (default: POD_NAME or the hostname, plus a random suffix)")
	fs.StringVar(&s.Group, "shard-group", s.Group, "the group of replicas that divide the operations (label syncwave.dev/shard-member of their Leases)")
	fs.DurationVar(&s.LeaseDuration, "shard-lease-duration", s.LeaseDuration, "how long a replica's operations wait, after its last Lease renewal, before the others take them over")
	fs.DurationVar(&s.RenewDeadline, "shard-renew-deadline", s.RenewDeadline, "how long a replica retries renewing its Lease before it stops (exits); with --shard-retry-period, less than --shard-lease-duration")
	fs.DurationVar(&s.RetryPeriod, "shard-retry-period", s.RetryPeriod, "how often a replica renews its Lease")
}

// cacheOptions restricts the manager's cache of Leases (dynamic sharding)
// to the group's in namespace.
func (s *ShardOptions) cacheOptions(mopts *ctrl.Options, namespace string) error {
	switch s.Mode {
	case "", ShardingNone:
	case ShardingDynamic:
		if mopts.LeaderElection {
			return fmt.Errorf("--sharding=%s: every replica acts, so --leader-elect must be off", s.Mode)
		}
		mopts.Cache.ByObject[&coordinationv1.Lease{}] = cache.ByObject{
			Namespaces: map[string]cache.Config{namespace: {}},
			Label:      labels.SelectorFromSet(labels.Set{shard.LabelMember: s.Group}),
		}
	default:
		return fmt.Errorf("--sharding=%q: want %s or %s", s.Mode, ShardingNone, ShardingDynamic)
	}
	return nil
}

// selector is the label selector of the SyncOperations this replica runs
// (static sharding); nil: all.
func (s *ShardOptions) selector() (labels.Selector, error) {
	if s.WatchLabelSelector == "" {
		return nil, nil
	}
	sel, err := labels.Parse(s.WatchLabelSelector)
	if err != nil {
		return nil, fmt.Errorf("--watch-label-selector %q: %w", s.WatchLabelSelector, err)
	}
	return sel, nil
}

// coordinator starts this replica's Lease and the coordinator of the group
// in dynamic mode; nil otherwise.
func (s *ShardOptions) coordinator(mgr ctrl.Manager, namespace string, reg prometheus.Registerer) (*shard.Coordinator, error) {
	if s.Mode != ShardingDynamic {
		return nil, nil
	}
	cs, err := kubernetes.NewForConfigAndClient(mgr.GetConfig(), mgr.GetHTTPClient())
	if err != nil {
		return nil, fmt.Errorf("create the Lease client: %w", err)
	}
	id := s.Identity
	if id == "" {
		id = defaultIdentity()
	}
	member := &shard.Member{Identity: id, Namespace: namespace, Group: s.Group, Client: cs.CoordinationV1(),
		LeaseDuration: s.LeaseDuration, RenewDeadline: s.RenewDeadline, RetryPeriod: s.RetryPeriod}
	if err := member.Validate(); err != nil {
		return nil, err
	}
	c := shard.NewCoordinator(member, mgr.GetCache(), mgr.GetClient())
	c.Metrics = metrics.NewShard(reg, id, c.Owned, c.Members)
	if err := mgr.Add(member); err != nil {
		return nil, err
	}
	if err := c.SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("set up the shard coordinator: %w", err)
	}
	return c, nil
}

var notDNS = regexp.MustCompile(`[^a-z0-9-]+`)

// defaultIdentity is POD_NAME (else the hostname) and a random suffix,
// folded into a DNS label (the Lease's name ends with it).
func defaultIdentity() string {
	base := os.Getenv("POD_NAME")
	if base == "" {
		base, _ = os.Hostname()
	}
	base = strings.Trim(notDNS.ReplaceAllString(strings.ToLower(base), "-"), "-")
	if len(base) > 40 {
		base = base[:40]
	}
	if base == "" {
		base = "syncwave"
	}
	return base + "-" + strings.ToLower(rand.Text()[:6])
}
