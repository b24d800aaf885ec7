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
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// firstSeen remembers, to the microsecond, when this process first saw
// each operation that has not started: its creationTimestamp has a
// resolution of one second, too coarse for the queue time
// (syncwave_operation_queue_seconds) of an operation that waited a few
// milliseconds or none.
type firstSeen struct {
	mu sync.Mutex
	m  map[types.UID]time.Time
}

// maxFirstSeen bounds the map: an entry dropped only makes that one
// operation's queue time fall back to its creationTimestamp.
const maxFirstSeen = 10000

// note records now for uid unless it was seen before.
func (f *firstSeen) note(uid types.UID, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.m[uid]; ok {
		return
	}
	if f.m == nil {
		f.m = map[types.UID]time.Time{}
	}
	if len(f.m) >= maxFirstSeen {
		for k := range f.m {
			delete(f.m, k)
			break
		}
	}
	f.m[uid] = now
}

// take returns and forgets when uid was first seen.
func (f *firstSeen) take(uid types.UID) (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.m[uid]
	delete(f.m, uid)
	return t, ok
}

// queueStart is when an operation created at created (to the second) and
// first seen by this process at seen began to wait. It was created within
// the second after created, and before it was seen: when it was seen
// within that second (the usual case, a watch event milliseconds after the
// create), seen is the closer bound; when it was seen later (the
// controller was down or behind) or never (a restart in between), created
// is.
func queueStart(created, seen time.Time, ok bool) time.Time {
	if ok && !seen.Before(created) && seen.Before(created.Add(time.Second)) {
		return seen
	}
	return created
}
