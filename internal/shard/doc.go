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

// Package shard divides SyncOperations among the replicas of one controller
// Deployment (--sharding=dynamic), with the Kubernetes API as the only
// coordinator: a Lease per replica says who is alive, a consistent-hash
// ring over the live replicas says who should drive an operation, and
// status.controller, written with a resourceVersion precondition, says who
// does.
//
// # Assignment
//
// The shard key of an operation is its application (namespace/application;
// applications are unique per namespace), else its namespace (Key). All
// operations of an application land on one replica: they run one at a time
// anyway, and queueing, history and prune see the whole application there.
// Each live replica has VirtualNodes points on a 64-bit hash ring; a key
// belongs to the first point at or after its hash (Ring). A replica that
// joins takes only keys for itself and one that leaves hands only its own
// keys to the others: keys never move between replicas that stay.
//
//	         hash(app/prod/shop)
//	                v
//	----r1----r3--------r2---r1-----r3----r2----   (VirtualNodes points each)
//	                    ^
//	               owner: r2            (if it dies, the arc goes to the next point: r1)
//
// # Membership
//
// Each replica holds its own Lease (LeasePrefix+identity, label LabelMember
// = the group, in POD_NAMESPACE) with client-go's leader election: it is the
// only candidate, so it acquires at once and renews every RetryPeriod
// (Member). Every replica watches the group's Leases through the manager's
// cache (Coordinator, a controller of Leases). A Lease is live for its
// leaseDurationSeconds after this replica last saw it change, on this
// replica's own clock (Members), as client-go's elector judges a leader: no
// two replicas' clocks are ever compared. Each reconcile requeues itself at
// the next expiry, so a dead replica leaves the view when its Lease
// expires, without polling. The identity is POD_NAME plus a random suffix:
// a restarted process is a new member, and its predecessor's operations
// move only when the old Lease expires. Leases unrenewed for ten lease
// durations are deleted.
//
// # Fencing: one driver at a time
//
// status.controller is a lock; its holder's Lease is the lock's liveness.
// At the top of every reconcile (Coordinator.Admit, rule Decide):
//
//	owner(key) = me, controller = me             -> act
//	owner(key) = me, controller = "" or dead     -> claim: patch controller=me
//	                                                (precondition: the rv read), then act
//	owner(key) = me, controller = X, X live      -> skip: X releases it when X sees the change
//	owner(key) = X,  controller = me             -> release: patch controller="", skip
//	otherwise                                    -> skip
//
// A finished operation needs only idempotent housekeeping (history, TTL):
// its key's owner does that without a claim, and the operation keeps the
// name of the replica that drove it last (kubectl syncwave get shows it).
//
// Hand-over when a replica joins (r4 takes key k from r1):
//
//	r4: Lease created ──watch──> r1: view {r1..r4}, owner(k)=r4, controller=r1 -> release
//	                               (after r1's reconcile of the operation in flight: the
//	                                work queue never runs two reconciles of one key)
//	r4: owner(k)=r4, controller="" ──> claim (rv precondition) ──> act
//
// Hand-over when a replica dies (r2 SIGKILLed at t; last renewal t0 <= t):
//
//	t0 ── r2 renews ─┬─ t: r2 killed, acts no more
//	                 │
//	r1, r3: r2's Lease unchanged since they saw it at t0' >= t0
//	t0' + leaseDuration: r2 leaves their view; its keys move on the ring;
//	                     the new owner claims (controller = r2, dead) and resumes
//	                     from status, the only memory (restart safety, internal/operation).
//
// Two replicas whose views differ for a moment both may try to claim: the
// precondition lets one write win, and the other then sees a live driver
// and skips. Every status write of the engine carries the resourceVersion
// it read too, so a write based on a state before a claim fails.
//
// # A replica cut off from the API server
//
// A replica that cannot reach the API server (while the others can) cannot
// renew its Lease. client-go retries for RenewDeadline after the renewal
// was due; then OnStoppedLeading marks the replica inactive (Admit admits
// nothing) and the process exits, as controller-runtime does when it loses
// leadership; its Pod restarts as a new member. That happens at the latest
// RetryPeriod + RenewDeadline after its last renewal, which must be less
// than LeaseDuration (checked at start): the others, who judge it dead
// only LeaseDuration after they saw that renewal, never claim its
// operations while it may still act. Its writes in that window fail anyway
// (it cannot reach the API server). The operations move after
// LeaseDuration, which is the price of the guarantee. A replica that can
// reach the API server but not some target cluster is alive: its
// operations wait there (Unknown), as without sharding.
//
// # Memory per replica
//
// A replica reads the managed objects of an operation it drives through an
// informer cache of that operation's namespaces, started for it and
// stopped after it (internal/controller SeparateCaches, Watcher scopes),
// not one cache of every managed object: the objects a replica holds are
// those of its share (make bench, TestShardMemory, shows the peak RSS per
// replica falling from one to three replicas).
//
// # What it does not do
//
// Each replica caches every SyncOperation (small objects). Static sharding
// (--watch-label-selector on sharding.syncwave.dev/key, one Deployment per
// key) cuts the SyncOperation cache; dependsOn then only sees operations
// of the same shard. A clean shutdown does not release the Lease
// (reconciles may still run while the manager stops): the operations move
// after the lease duration, as after a crash.
package shard
