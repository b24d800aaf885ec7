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
	"hash/fnv"
	"slices"
	"strconv"
)

// VirtualNodes is how many points each member has on the ring: enough that
// 20 keys over 3 members are spread within a few keys of even, few enough
// that building the ring at every membership change costs microseconds.
const VirtualNodes = 128

// Ring assigns keys to members by consistent hashing: each member owns the
// arcs that end at its points, so a member that joins or leaves moves only
// the keys of its own arcs (about 1/n of them), never keys between two
// members that stay.
type Ring struct {
	points []point
}

type point struct {
	hash   uint64
	member string
}

// NewRing returns the ring of members (duplicates and order do not matter).
func NewRing(members []string) *Ring {
	r := &Ring{points: make([]point, 0, len(members)*VirtualNodes)}
	for _, m := range slices.Compact(slices.Sorted(slices.Values(members))) {
		for i := range VirtualNodes {
			r.points = append(r.points, point{hash: hash(m + "#" + strconv.Itoa(i)), member: m})
		}
	}
	slices.SortFunc(r.points, func(a, b point) int {
		if a.hash != b.hash {
			if a.hash < b.hash {
				return -1
			}
			return 1
		}
		switch { // equal hashes: any fixed order, the same on every replica
		case a.member < b.member:
			return -1
		case a.member > b.member:
			return 1
		}
		return 0
	})
	return r
}

// Owner is the member that owns key, or "" on an empty ring.
func (r *Ring) Owner(key string) string {
	if r == nil || len(r.points) == 0 {
		return ""
	}
	h := hash(key)
	i, _ := slices.BinarySearchFunc(r.points, h, func(p point, h uint64) int {
		switch {
		case p.hash < h:
			return -1
		case p.hash > h:
			return 1
		}
		return 0
	})
	if i == len(r.points) {
		i = 0
	}
	return r.points[i].member
}

func hash(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return mix(h.Sum64())
}

// mix is a 64-bit finalizer (splitmix64's): FNV alone clusters the points
// of names that differ in their last characters ("a#1", "a#2").
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
