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
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

func TestKey(t *testing.T) {
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: "prod", Name: "a-1"}}
	if got := Key(op); got != "ns/prod" {
		t.Fatalf("no application: %q", got)
	}
	op.Spec.Application = "shop"
	if got := Key(op); got != "app/prod/shop" {
		t.Fatalf("application: %q", got)
	}
}

func TestDecide(t *testing.T) {
	ring := NewRing([]string{"me", "other"})
	var mine, theirs string
	for _, k := range keys(50) {
		switch ring.Owner(k) {
		case "me":
			mine = k
		case "other":
			theirs = k
		}
	}
	live := func(m string) bool { return m == "me" || m == "other" }
	v := View{Me: "me", Active: true, Ring: ring, Live: live}
	inactive := v
	inactive.Active = false
	noLive := v
	noLive.Live = nil
	cases := []struct {
		name   string
		v      View
		key    string
		driver string
		quiet  bool
		want   Action
	}{
		{"inactive replica acts on nothing", inactive, mine, "me", false, Skip},
		{"inactive replica does no housekeeping", inactive, mine, "", true, Skip},
		{"mine, driven by me", v, mine, "me", false, Act},
		{"mine, undriven: claim", v, mine, "", false, Claim},
		{"mine, driven by a dead replica: claim", v, mine, "gone", false, Claim},
		{"mine, driven by a live replica: wait for its release", v, mine, "other", false, Skip},
		{"mine, liveness unknown: wait", noLive, mine, "gone", false, Skip},
		{"moved away while I drive it: release", v, theirs, "me", false, Release},
		{"not mine, undriven", v, theirs, "", false, Skip},
		{"not mine, driven by a dead replica", v, theirs, "gone", false, Skip},
		{"finished, mine: housekeeping without a claim", v, mine, "other", true, Act},
		{"finished, not mine, driven by me: no release", v, theirs, "me", true, Skip},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Decide(c.v, c.key, c.driver, c.quiet); got != c.want {
				t.Fatalf("Decide = %s, want %s", got, c.want)
			}
		})
	}
}
