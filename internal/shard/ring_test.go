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
	"fmt"
	"testing"
)

func keys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("app/team-%d/app-%d", i%7, i)
	}
	return out
}

func assign(r *Ring, ks []string) map[string]string {
	out := map[string]string{}
	for _, k := range ks {
		out[k] = r.Owner(k)
	}
	return out
}

func TestRingOwnerIsDeterministic(t *testing.T) {
	a := NewRing([]string{"r1", "r2", "r3"})
	b := NewRing([]string{"r3", "r1", "r2", "r1"}) // order and duplicates do not matter
	for _, k := range keys(200) {
		if a.Owner(k) != b.Owner(k) {
			t.Fatalf("%s: %s vs %s", k, a.Owner(k), b.Owner(k))
		}
	}
	if got := NewRing(nil).Owner("x"); got != "" {
		t.Fatalf("empty ring owns %q", got)
	}
	if got := NewRing([]string{"solo"}).Owner("x"); got != "solo" {
		t.Fatalf("one member: %q", got)
	}
}

func TestRingBalance(t *testing.T) {
	ks := keys(3000)
	counts := map[string]int{}
	for _, o := range assign(NewRing([]string{"r1", "r2", "r3"}), ks) {
		counts[o]++
	}
	t.Logf("3000 keys over 3 members: %v", counts)
	for m, n := range counts {
		if n < 700 || n > 1300 { // even is 1000
			t.Errorf("%s owns %d of 3000 keys", m, n)
		}
	}
	if len(counts) != 3 {
		t.Fatalf("owners: %v", counts)
	}
}

// A member that leaves moves only its own keys; one that joins takes keys
// only for itself: keys never move between members that stay.
func TestRingMinimalMovement(t *testing.T) {
	ks := keys(3000)
	three := assign(NewRing([]string{"r1", "r2", "r3"}), ks)
	two := assign(NewRing([]string{"r1", "r3"}), ks)
	four := assign(NewRing([]string{"r1", "r2", "r3", "r4"}), ks)
	moved := 0
	for _, k := range ks {
		if three[k] != "r2" && two[k] != three[k] {
			t.Fatalf("%s moved from %s to %s when r2 left", k, three[k], two[k])
		}
		if three[k] == "r2" && two[k] == "r2" {
			t.Fatalf("%s still on r2 after it left", k)
		}
		if four[k] != three[k] {
			if four[k] != "r4" {
				t.Fatalf("%s moved from %s to %s when r4 joined", k, three[k], four[k])
			}
			moved++
		}
	}
	t.Logf("r4 joined and took %d of 3000 keys", moved)
	if moved < 450 || moved > 1100 { // a quarter is 750
		t.Fatalf("r4 took %d of 3000 keys", moved)
	}
}

// TestScrapeBeforeTheFirstView: the gauges may be scraped before the
// first Lease was read: no members, nothing owned, no panic.
func TestScrapeBeforeTheFirstView(t *testing.T) {
	c := NewCoordinator(&Member{Identity: "r-1"}, nil, nil)
	if n := c.Members(); n != 0 {
		t.Fatalf("members before the first view: %d", n)
	}
	if n := c.Owned(); n != 0 {
		t.Fatalf("owned before the first view: %d", n)
	}
}
