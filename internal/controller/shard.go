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
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// Sharder divides operations among the replicas of a sharded controller
// (internal/shard.Coordinator).
type Sharder interface {
	// Admit tells whether this replica may act on op now; it may claim or
	// release op (a status write) first.
	Admit(ctx context.Context, op *syncv1alpha1.SyncOperation) (bool, error)
	// Interested tells whether an event of obj concerns this replica.
	Interested(obj client.Object) bool
	// Source wakes the operations this replica gained or lost.
	Source() source.Source
}

// admitted reads the operation of req and fences it: nil when it is gone,
// or when this replica may not act on it now (a sharded controller's
// Sharder decides, and may claim or release it first).
func (r *SyncOperationReconciler) admitted(ctx context.Context, req ctrl.Request) (*syncv1alpha1.SyncOperation, error) {
	op := &syncv1alpha1.SyncOperation{}
	if err := r.Client.Get(ctx, req.NamespacedName, op); err != nil {
		if apierrors.IsNotFound(err) {
			r.Watcher.Forget(req.NamespacedName)
		}
		return nil, client.IgnoreNotFound(err)
	}
	if r.Shard == nil {
		return op, nil
	}
	if ok, err := r.Shard.Admit(ctx, op); !ok || err != nil {
		if !ok && err == nil {
			// Another replica drives it (a hand-over released it, or it
			// never was ours): what this process keeps for it goes.
			r.forget(op)
		}
		return nil, err
	}
	return op, nil
}

// shardFor is the predicate of the operations' watch: a replica does not
// queue the operations of the others.
func (r *SyncOperationReconciler) shardFor() builder.ForOption {
	return builder.WithPredicates(predicate.NewPredicateFuncs(func(o client.Object) bool {
		return r.Shard == nil || r.Shard.Interested(o)
	}))
}
