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

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/snapshot"
)

// findLostStart reports whether op, whose status names no snapshot, pinned
// one all the same: a start whose status write was lost (to the very
// write that set spec.terminate, say) and which may have applied its
// first steps and created hooks. status.snapshot then names it, and the
// engine terminates op as one that started.
func (r *SyncOperationReconciler) findLostStart(ctx context.Context, op *syncv1alpha1.SyncOperation) (bool, error) {
	ref, err := snapshot.Find(ctx, r.Local, op)
	if err != nil || ref == nil {
		return false, err
	}
	op.Status.Snapshot, op.Status.PlanDigest = ref, ref.Digest
	return true, nil
}
