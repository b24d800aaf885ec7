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
	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// Key is the shard key of an operation: its application (which is unique
// per namespace), else its namespace. All operations of one application
// share a key, so they land on one replica: they run one at a time anyway,
// and the replica that queues them sees them all.
func Key(op *syncv1alpha1.SyncOperation) string {
	if op.Spec.Application != "" {
		return "app/" + op.Namespace + "/" + op.Spec.Application
	}
	return "ns/" + op.Namespace
}

// Action is what a replica does with an operation.
type Action string

// The actions of Decide.
const (
	// Skip: not this replica's operation (or not yet): do nothing.
	Skip Action = "Skip"
	// Act: this replica drives the operation; reconcile it.
	Act Action = "Act"
	// Claim: this replica owns the key and nobody live drives it: write
	// status.controller (with the resourceVersion read as a precondition),
	// then act.
	Claim Action = "Claim"
	// Release: this replica drives the operation but no longer owns its
	// key: clear status.controller (with the precondition), so the owner
	// may claim it.
	Release Action = "Release"
)

// View is one replica's picture of the membership at one moment.
type View struct {
	// Me is this replica's identity.
	Me string
	// Active is false until this replica holds its own Lease and has read
	// the members, and again once it cannot renew its Lease: then it acts
	// on nothing.
	Active bool
	// Ring is built from the live members.
	Ring *Ring
	// Live tells whether a member's Lease is unexpired.
	Live func(member string) bool
	// Members are the live members, sorted.
	Members []string
}

// Decide is the fencing rule. driver is the operation's status.controller;
// quiet says that the operation needs nothing but idempotent housekeeping
// (it finished: history and TTL), which the key's owner does without a
// claim. A live driver other than this replica is never overtaken: it
// releases the operation when its own view moves the key, and it stops
// acting altogether before its Lease can expire.
func Decide(v View, key, driver string, quiet bool) Action {
	if !v.Active {
		return Skip
	}
	owner := v.Ring.Owner(key) == v.Me
	switch {
	case quiet && owner:
		return Act
	case quiet:
		return Skip
	case driver == v.Me && owner:
		return Act
	case driver == v.Me:
		return Release
	case !owner:
		return Skip
	case driver == "" || (v.Live != nil && !v.Live(driver)):
		return Claim
	}
	return Skip
}
