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

package operation

import (
	"context"
	"errors"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// reclaim records the writes whose status write was lost, for an
// operation being terminated: the write that set spec.terminate makes the
// status write of a reconcile running at the same time fail (its
// resourceVersion is stale), and the next reconcile terminates instead of
// doing that work again. So a Pending operation with a pinned plan may
// have applied its first steps, and a running one the steps it chained
// after its last recorded one. A plain task recorded as not written whose
// live object carries op's syncwave.dev/operation annotation and was
// created no earlier than op was written by op: it is recorded Synced and
// its step as started, so that the operation's record, and the
// application's inventory (Layout.Inventory), hold it. An object op only
// updated is not told from one an earlier operation of the same name
// wrote, and is left as it is recorded. It returns how many tasks it
// recorded.
func (e *Executor) reclaim(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout) int {
	st := &op.Status
	if len(st.Resources) != len(l.Tasks) || e.Observer == nil {
		return 0
	}
	if len(st.Steps) != len(l.steps) {
		st.Steps = l.InitialSteps()
	}
	owner := op.Namespace + "/" + op.Name
	now := metav1.NewMicroTime(e.Clock.Now())
	n := 0
	for s, r := range l.steps {
		if r.onFail || st.Steps[s].Result == syncv1alpha1.StepSucceeded {
			continue
		}
		for i := r.start; i < r.end; i++ {
			t, rec := l.Tasks[i], &st.Resources[i]
			if t.IsHook() || t.Prune || rec.Status != syncv1alpha1.ResultPending {
				continue
			}
			live, err := e.Observer.Get(ctx, op, t, t.ID.Name)
			if live == nil || (err != nil && !errors.Is(err, ErrUnwatched)) {
				continue
			}
			if created := live.GetCreationTimestamp(); live.GetAnnotations()[syncv1alpha1.AnnotationOperation] != owner || created.Before(&op.CreationTimestamp) {
				continue
			}
			rec.Status, rec.StartedAt = syncv1alpha1.ResultSynced, &now
			rec.Message = "applied by a reconcile whose status write was lost"
			if res := st.Steps[s].Result; res == syncv1alpha1.StepPending || res == "" {
				setStep(st, s, syncv1alpha1.StepRunning, now)
			}
			n++
		}
	}
	return n
}
