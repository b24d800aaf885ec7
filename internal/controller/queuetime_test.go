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

package controller

import (
	"fmt"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/types"
)

// TestQueueStart: the queue time of an operation starts when the
// controller first saw it, when that was within the second of its
// creationTimestamp (which has no finer resolution), and at the
// creationTimestamp otherwise.
func TestQueueStart(t *testing.T) {
	created := time.Date(2026, 12, 4, 4, 0, 7, 0, time.UTC) // the API server's, to the second
	for _, tc := range []struct {
		name string
		seen time.Time
		ok   bool
		want time.Time
	}{
		{name: "seen 3 ms into its second", seen: created.Add(3 * time.Millisecond), ok: true, want: created.Add(3 * time.Millisecond)},
		{name: "seen 2 s after: the controller was behind", seen: created.Add(2 * time.Second), ok: true, want: created},
		{name: "not seen by this process: a restart in between", want: created},
		{name: "seen before it was created: clock skew", seen: created.Add(-time.Second), ok: true, want: created},
	} {
		t.Run(tc.name, func(t *testing.T) {
			NewWithT(t).Expect(queueStart(created, tc.seen, tc.ok)).To(Equal(tc.want))
		})
	}
}

// TestFirstSeenKeepsTheFirstAndForgets: a later reconcile does not move
// the first sighting; take forgets it; the map stays bounded.
func TestFirstSeenKeepsTheFirstAndForgets(t *testing.T) {
	g := NewWithT(t)
	var f firstSeen
	t0 := time.Date(2026, 12, 4, 4, 0, 7, 5000, time.UTC)
	f.note("a", t0)
	f.note("a", t0.Add(time.Second))
	got, ok := f.take("a")
	g.Expect(ok).To(BeTrue())
	g.Expect(got).To(Equal(t0))
	_, ok = f.take("a")
	g.Expect(ok).To(BeFalse())
	for i := range maxFirstSeen + 5 {
		f.note(types.UID(fmt.Sprint(i)), t0)
	}
	g.Expect(f.m).To(HaveLen(maxFirstSeen))
}
