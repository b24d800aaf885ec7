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
	"os"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	coordinationv1client "k8s.io/client-go/kubernetes/typed/coordination/v1"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	ctrl "sigs.k8s.io/controller-runtime"
)

// LabelMember labels the Lease of each replica of a sharded controller; its
// value is the group of replicas that divide the operations among them.
const LabelMember = "syncwave.dev/shard-member"

// LeasePrefix starts the name of each replica's Lease.
const LeasePrefix = "syncwave-shard-"

// Member holds this replica's own Lease with client-go's leader election:
// each replica is the only candidate of its own Lease, so it acquires it at
// once and renews it every RetryPeriod. When a renewal has not succeeded
// within RenewDeadline, the replica stops acting and the process exits, as
// controller-runtime does when it loses leadership, before LeaseDuration
// has passed since its last renewal: the others judge it dead only after
// that.
type Member struct {
	// Identity names the replica: its Lease's holder and status.controller.
	Identity string
	// Namespace holds the Leases.
	Namespace string
	// Group is the value of LabelMember.
	Group string
	// Client writes the Lease.
	Client coordinationv1client.LeasesGetter
	// LeaseDuration, RenewDeadline and RetryPeriod time the Lease; they
	// must satisfy RenewDeadline + RetryPeriod < LeaseDuration.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	// Changed is called when the replica starts or stops holding its Lease.
	Changed func()

	leading atomic.Bool
}

// LeaseName is the name of this replica's Lease.
func (m *Member) LeaseName() string { return LeasePrefix + m.Identity }

// Leading tells whether the replica holds its Lease now.
func (m *Member) Leading() bool { return m.leading.Load() }

// Validate checks the timings.
func (m *Member) Validate() error {
	if m.RenewDeadline+m.RetryPeriod >= m.LeaseDuration {
		return fmt.Errorf("--shard-renew-deadline (%s) + --shard-retry-period (%s) must be less than --shard-lease-duration (%s): a replica must stop before the others may take its operations",
			m.RenewDeadline, m.RetryPeriod, m.LeaseDuration)
	}
	return nil
}

// Start runs the election of the replica's Lease until ctx ends; it is a
// manager Runnable.
func (m *Member) Start(ctx context.Context) error {
	log := ctrl.LoggerFrom(ctx).WithValues("lease", m.Namespace+"/"+m.LeaseName(), "identity", m.Identity)
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: m.Namespace, Name: m.LeaseName()},
		Client:     m.Client,
		LockConfig: resourcelock.ResourceLockConfig{Identity: m.Identity},
		Labels:     map[string]string{LabelMember: m.Group},
	}
	le, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock:          lock,
		LeaseDuration: m.LeaseDuration,
		RenewDeadline: m.RenewDeadline,
		RetryPeriod:   m.RetryPeriod,
		Name:          m.LeaseName(),
		// No release on shutdown: reconciles may still run while the
		// manager stops, so the others wait for the Lease to expire.
		ReleaseOnCancel: false,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(context.Context) {
				m.leading.Store(true)
				log.Info("shard member: holding the lease")
				m.changed()
			},
			OnStoppedLeading: func() {
				m.leading.Store(false)
				m.changed()
				if ctx.Err() != nil {
					return // shutting down
				}
				log.Info("shard member: lost the lease; acting on nothing from now on")
				os.Exit(1)
			},
		},
	})
	if err != nil {
		return fmt.Errorf("shard lease %s/%s: %w", m.Namespace, m.LeaseName(), err)
	}
	le.Run(ctx)
	return nil
}

func (m *Member) changed() {
	if m.Changed != nil {
		m.Changed()
	}
}

// NeedLeaderElection is false: every replica of a sharded controller runs.
func (*Member) NeedLeaderElection() bool { return false }
