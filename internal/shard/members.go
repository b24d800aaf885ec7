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

package shard

import (
	"slices"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
)

// Members tracks which replicas are live from their Leases. Like client-go's
// leader election, it never compares another replica's clock with its own:
// a Lease is live for its leaseDurationSeconds after this replica last saw
// it change (its holder or renewTime), measured on this replica's clock. A
// replica that just started sees every Lease as freshly renewed, so it
// judges none dead before one lease duration has passed.
type Members struct {
	seen map[string]observed
}

type observed struct {
	holder   string
	renew    string
	at       time.Time
	duration time.Duration
}

// NewMembers returns an empty tracker.
func NewMembers() *Members { return &Members{seen: map[string]observed{}} }

// Observe records the Leases as listed at now (all of them: a Lease that is
// not in the list is gone) and returns the live members, sorted, and when
// the next of them expires (zero when none is live).
func (m *Members) Observe(leases []coordinationv1.Lease, now time.Time) (live []string, next time.Time) {
	present := make(map[string]bool, len(leases))
	for i := range leases {
		l := &leases[i]
		present[l.Name] = true
		o := observed{at: now}
		if l.Spec.HolderIdentity != nil {
			o.holder = *l.Spec.HolderIdentity
		}
		if l.Spec.RenewTime != nil {
			o.renew = l.Spec.RenewTime.UTC().Format(time.RFC3339Nano)
		}
		if l.Spec.LeaseDurationSeconds != nil {
			o.duration = time.Duration(*l.Spec.LeaseDurationSeconds) * time.Second
		}
		if prev, ok := m.seen[l.Name]; ok && prev.holder == o.holder && prev.renew == o.renew {
			o.at = prev.at // unchanged: it has not been renewed since
		}
		m.seen[l.Name] = o
	}
	for name := range m.seen {
		if !present[name] {
			delete(m.seen, name)
		}
	}
	return m.Live(now)
}

// Live returns the members live at now, sorted, and the earliest expiry.
func (m *Members) Live(now time.Time) (live []string, next time.Time) {
	for _, o := range m.seen {
		end := o.at.Add(o.duration)
		if o.holder == "" || !now.Before(end) {
			continue
		}
		live = append(live, o.holder)
		if next.IsZero() || end.Before(next) {
			next = end
		}
	}
	slices.Sort(live)
	return slices.Compact(live), next
}

// Stale returns the names of the Leases that nobody renewed for longer than
// after (garbage of replicas that are gone).
func (m *Members) Stale(now time.Time, after time.Duration) []string {
	var out []string
	for name, o := range m.seen {
		if now.Sub(o.at.Add(o.duration)) > after {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
