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
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func lease(name, holder string, renew time.Time, seconds int32) coordinationv1.Lease {
	l := coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if holder != "" {
		l.Spec.HolderIdentity = ptr.To(holder)
	}
	l.Spec.RenewTime = &metav1.MicroTime{Time: renew}
	l.Spec.LeaseDurationSeconds = ptr.To(seconds)
	return l
}

func TestMembers(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// The replicas' clocks are skewed: b's renewTime is an hour off. Only
	// this replica's observation times count.
	skewed := t0.Add(-time.Hour)
	m := NewMembers()
	live, next := m.Observe([]coordinationv1.Lease{lease("l-a", "a", t0, 10), lease("l-b", "b", skewed, 10), lease("l-c", "", t0, 10)}, t0)
	if !slices.Equal(live, []string{"a", "b"}) || !next.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("first look: %v next %v (a Lease without holder is released)", live, next)
	}
	// a renews at t0+4s; b does not.
	t4 := t0.Add(4 * time.Second)
	live, next = m.Observe([]coordinationv1.Lease{lease("l-a", "a", t4, 10), lease("l-b", "b", skewed, 10), lease("l-c", "", t0, 10)}, t4)
	if !slices.Equal(live, []string{"a", "b"}) || !next.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("after a renewed: %v next %v", live, next)
	}
	// At t0+10s b's lease has expired; a's runs until t0+14s.
	live, next = m.Live(t0.Add(10 * time.Second))
	if !slices.Equal(live, []string{"a"}) || !next.Equal(t4.Add(10*time.Second)) {
		t.Fatalf("after b expired: %v next %v", live, next)
	}
	if got := m.Stale(t0.Add(20*time.Second), 7*time.Second); !slices.Equal(got, []string{"l-b", "l-c"}) {
		t.Fatalf("stale: %v", got)
	}
	// A deleted Lease is forgotten.
	live, _ = m.Observe([]coordinationv1.Lease{lease("l-a", "a", t4, 10)}, t0.Add(11*time.Second))
	if !slices.Equal(live, []string{"a"}) || len(m.seen) != 1 {
		t.Fatalf("after deletions: %v %v", live, m.seen)
	}
	if live, next := NewMembers().Live(t0); live != nil || !next.IsZero() {
		t.Fatalf("empty: %v %v", live, next)
	}
}
