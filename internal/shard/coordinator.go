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
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
)

// Metrics records the hand-overs (internal/metrics.Shard).
type Metrics interface {
	// Moved counts operations that moved to this replica.
	Moved(n int)
}

// Coordinator keeps this replica's View from the members' Leases (a
// controller of Leases: every renewal is a watch event, and each reconcile
// requeues itself at the next expiry, so a dead member leaves the view
// the moment its Lease expires, without polling), wakes the operations
// whose driver should change, and fences each reconcile (Admit).
type Coordinator struct {
	// Member is this replica's Lease.
	Member *Member
	// Reader lists the Leases of the group and the SyncOperations (cached).
	Reader client.Reader
	// Writer claims and releases operations and deletes stale Leases.
	Writer client.Client
	// Clock is the time source.
	Clock clock.PassiveClock
	// Metrics records moves; nil records nothing.
	Metrics Metrics

	mu      sync.Mutex
	members *Members
	sig     string
	view    atomic.Pointer[View]
	events  chan event.GenericEvent
}

// NewCoordinator returns the coordinator of member's replica.
func NewCoordinator(member *Member, reader client.Reader, writer client.Client) *Coordinator {
	c := &Coordinator{Member: member, Reader: reader, Writer: writer, Clock: clock.RealClock{},
		members: NewMembers(), events: make(chan event.GenericEvent, 1024)}
	c.view.Store(&View{Me: member.Identity})
	member.Changed = func() { c.refresh(context.Background(), c.Clock.Now()) }
	return c
}

// View is the replica's current view.
func (c *Coordinator) View() View { return *c.view.Load() }

// Source is what the operations' controller watches: an event for each
// operation that this replica should claim, release or act on after a
// change of the view.
func (c *Coordinator) Source() source.Source {
	return source.Channel(c.events, &handler.EnqueueRequestForObject{})
}

// SetupWithManager registers the controller of the group's Leases.
func (c *Coordinator) SetupWithManager(mgr ctrl.Manager) error {
	group := predicate.NewPredicateFuncs(func(o client.Object) bool {
		return o.GetNamespace() == c.Member.Namespace && o.GetLabels()[LabelMember] == c.Member.Group
	})
	return ctrl.NewControllerManagedBy(mgr).Named("shardmembers").
		For(&coordinationv1.Lease{}, builder.WithPredicates(group)).
		WithOptions(controller.Options{MaxConcurrentReconciles: 1, NeedLeaderElection: ptr.To(false)}).
		Complete(c)
}

// Reconcile reads every Lease of the group, updates the view and requeues
// at the next expiry.
func (c *Coordinator) Reconcile(ctx context.Context, _ ctrl.Request) (ctrl.Result, error) {
	leases := &coordinationv1.LeaseList{}
	if err := c.Reader.List(ctx, leases, client.InNamespace(c.Member.Namespace), client.MatchingLabels{LabelMember: c.Member.Group}); err != nil {
		return ctrl.Result{}, fmt.Errorf("list the shard Leases in %s: %w", c.Member.Namespace, err)
	}
	now := c.Clock.Now()
	c.mu.Lock()
	c.members.Observe(leases.Items, now)
	// An expired Lease stays ten lease durations before it is deleted.
	stale := c.members.Stale(now, 10*c.Member.LeaseDuration)
	c.mu.Unlock()
	next := c.refresh(ctx, now)
	c.collect(ctx, leases.Items, stale)
	if next.IsZero() {
		return ctrl.Result{}, nil
	}
	return ctrl.Result{RequeueAfter: next.Sub(now) + 10*time.Millisecond}, nil
}

// collect deletes the Leases of replicas gone for long (precondition: the
// version read, so a Lease renewed meanwhile stays).
func (c *Coordinator) collect(ctx context.Context, leases []coordinationv1.Lease, stale []string) {
	for i := range leases {
		l := &leases[i]
		if !slices.Contains(stale, l.Name) || l.Name == c.Member.LeaseName() {
			continue
		}
		err := c.Writer.Delete(ctx, l, client.Preconditions{UID: &l.UID, ResourceVersion: &l.ResourceVersion})
		if err == nil {
			ctrl.LoggerFrom(ctx).Info("shard: deleted the Lease of a replica gone for long", "lease", l.Name)
		}
	}
}

// refresh rebuilds the view from the members live at now and, when it
// changed, wakes the operations concerned. It returns the next expiry.
func (c *Coordinator) refresh(ctx context.Context, now time.Time) time.Time {
	c.mu.Lock()
	live, next := c.members.Live(now)
	active := c.Member.Leading() && slices.Contains(live, c.Member.Identity)
	sig := fmt.Sprint(active, strings.Join(live, ","))
	if sig == c.sig { // most refreshes: a renewal, nothing changed
		c.mu.Unlock()
		return next
	}
	c.sig = sig
	set := map[string]bool{}
	for _, m := range live {
		set[m] = true
	}
	v := &View{Me: c.Member.Identity, Active: active, Ring: NewRing(live), Live: func(m string) bool { return set[m] }, Members: live}
	old := c.view.Swap(v)
	c.mu.Unlock()
	ctrl.LoggerFrom(ctx).Info("shard: view changed", "identity", v.Me, "active", v.Active, "members", live)
	c.wake(ctx, old, v)
	return next
}

// wake enqueues every unfinished operation that this replica should now
// claim, release or drive, and counts those that moved to it.
func (c *Coordinator) wake(ctx context.Context, old, v *View) {
	ops := &syncv1alpha1.SyncOperationList{}
	if err := c.Reader.List(ctx, ops); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "shard: list SyncOperations to hand over")
		return
	}
	moved := 0
	for i := range ops.Items {
		op := &ops.Items[i]
		if operation.Settled(op) {
			continue
		}
		key := Key(op)
		if v.Active && v.Ring.Owner(key) == v.Me && old != nil && old.Active && old.Ring.Owner(key) != v.Me {
			moved++
		}
		if Decide(*v, key, op.Status.Controller, false) == Skip {
			continue
		}
		c.events <- event.GenericEvent{Object: op}
	}
	if moved > 0 && c.Metrics != nil {
		c.Metrics.Moved(moved)
	}
}

// Interested tells whether an event of obj concerns this replica: the
// predicate of the operations' watch, so that a replica does not even
// queue the others' operations.
func (c *Coordinator) Interested(obj client.Object) bool {
	op, ok := obj.(*syncv1alpha1.SyncOperation)
	if !ok {
		return true
	}
	return Decide(c.View(), Key(op), op.Status.Controller, operation.Settled(op)) != Skip
}

// Admit is the fence at the top of every reconcile: it tells whether this
// replica may act on op now, claiming it first when nobody live drives it,
// or releasing it when its key moved away. A claim or release that meets a
// conflict (somebody wrote the operation meanwhile) admits nothing: the
// write that won is an event that brings the operation back.
func (c *Coordinator) Admit(ctx context.Context, op *syncv1alpha1.SyncOperation) (bool, error) {
	v := c.View()
	key := Key(op)
	switch Decide(v, key, op.Status.Controller, operation.Settled(op)) {
	case Act:
		return true, nil
	case Claim:
		prev := op.Status.Controller
		if err := c.setDriver(ctx, op, v.Me); err != nil {
			return false, ignoreRace(err)
		}
		ctrl.LoggerFrom(ctx).Info("shard: claimed operation", "identity", v.Me, "previous", prev, "key", key)
		return true, nil
	case Release:
		if err := c.setDriver(ctx, op, ""); err != nil {
			return false, ignoreRace(err)
		}
		ctrl.LoggerFrom(ctx).Info("shard: released operation", "identity", v.Me, "owner", v.Ring.Owner(key), "key", key)
	}
	return false, nil
}

// setDriver writes status.controller with the resourceVersion read as the
// precondition (a merge patch that names it is refused with a conflict when
// the object changed since).
func (c *Coordinator) setDriver(ctx context.Context, op *syncv1alpha1.SyncOperation, id string) error {
	patch := client.MergeFromWithOptions(op.DeepCopy(), client.MergeFromWithOptimisticLock{})
	op.Status.Controller = id
	if err := c.Writer.Status().Patch(ctx, op, patch); err != nil {
		return fmt.Errorf("set status.controller of SyncOperation %s/%s to %q: %w", op.Namespace, op.Name, id, err)
	}
	return nil
}

func ignoreRace(err error) error {
	if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// Owned counts the unfinished operations whose key this replica owns.
func (c *Coordinator) Owned() int {
	v := c.View()
	if !v.Active {
		return 0
	}
	ops := &syncv1alpha1.SyncOperationList{}
	// Read only: the cache's own objects, not a copy of each per scrape.
	if err := c.Reader.List(context.Background(), ops, client.UnsafeDisableDeepCopy); err != nil {
		return 0
	}
	n := 0
	for i := range ops.Items {
		if !ops.Items[i].Status.Phase.Terminal() && v.Ring.Owner(Key(&ops.Items[i])) == v.Me {
			n++
		}
	}
	return n
}

// Members counts the live members in this replica's view.
func (c *Coordinator) Members() int { return len(c.View().Members) }
