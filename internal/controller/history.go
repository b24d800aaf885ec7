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
	"fmt"

	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
)

// collect garbage-collects finished operations (SPEC §2, §13) when op has
// finished: those of op's application beyond --history-limit, and those
// past their ttlSecondsAfterFinished; the application's last Succeeded
// operation and its inventory holder stay. It runs when an operation finishes (its own status
// write wakes it) and when the nearest TTL of op's application expires
// (RequeueAfter), so no loop polls; after a restart every finished
// operation is reconciled once and the same choice is made again.
func (r *SyncOperationReconciler) collect(ctx context.Context, op *syncv1alpha1.SyncOperation) (ctrl.Result, error) {
	ops := []syncv1alpha1.SyncOperation{*op}
	limit := -1
	if op.Spec.Application != "" {
		peers, err := r.peers(ctx, op)
		if err != nil {
			return ctrl.Result{}, err
		}
		ops, limit = peers, r.HistoryLimit
	}
	victims, next := operation.Collect(ops, limit, r.Clock.Now())
	for _, v := range victims {
		uid := v.UID
		err := r.Client.Delete(ctx, v, client.Preconditions{UID: &uid}, client.PropagationPolicy("Background"))
		if client.IgnoreNotFound(err) != nil {
			return ctrl.Result{}, fmt.Errorf("delete finished SyncOperation %s/%s: %w", v.Namespace, v.Name, err)
		}
		ctrl.LoggerFrom(ctx).V(1).Info("deleted a finished operation", "operation", types.NamespacedName{Namespace: v.Namespace, Name: v.Name}.String())
	}
	return ctrl.Result{RequeueAfter: next}, nil
}
