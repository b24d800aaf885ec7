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

// Package snapshot pins the plan of a SyncOperation when it starts.
//
// The plan, every task with its object as the planner defaulted it, is
// encoded (package plan), compressed with gzip and written into immutable
// objects that the operation owns: a ConfigMap, or a Secret when any of the
// operation's sources is a Secret or the plan writes a Secret, named
// <operation>-plan. A plan larger
// than one object can hold is split over parts <name>-1, <name>-2, ... and
// status.snapshot names the first part, the number of parts and the digest
// of the manifests.
//
// Every later reconcile, hook cleanup, retry and deletion reads the plan
// from the snapshot (once per process: callers cache it by the operation's
// UID and digest), never from the sources again: sources may change or
// vanish after the start without changing a running or finished operation.
// Owner references remove the snapshot with its operation.
//
// Pin is idempotent: when the objects exist already (a status write that
// recorded them was lost), the existing snapshot is kept and returned, so an
// operation is pinned exactly once even if its sources changed in between.
// The parts are written last to first: the first part, which records the
// number of parts, exists only once the others do, so a Pin that failed
// half-way (a refused create, a crash) leaves no first part, and the next
// Pin replaces what it left. A plan over MaxPlanSize encoded is not pinned
// (ErrTooLarge).
//
// An object of a part's name that another SyncOperation of the same name
// owns is the plan of an operation that was deleted (two cannot share a
// name) and that the garbage collector has not removed yet, an operation
// created again under its name: Pin replaces it. One that no operation of
// that name owns is someone else's: Pin leaves it and returns a
// *ForeignError naming it, which fails the operation (waiting would never
// help).
//
// Load verifies every part's digest against status.snapshot. A snapshot
// that cannot be read back (edited, truncated, not a plan) is ErrCorrupt:
// reading it again gives the same answer, so callers fail the operation
// with it instead of retrying.
package snapshot
