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

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// maxChain bounds how many steps one call may run back to back before it
// persists its progress.
const maxChain = 64

// applyAndChain applies step i and, while every object of the step is
// Healthy as the API server returned it from the write (a ConfigMap, a
// Secret, a Service...), goes on to the next step at once, in the same
// call: the step is done the moment its last write returns. A step with a
// hook, or with an object that is not yet healthy, waits for watch events.
func (e *Executor) applyAndChain(ctx context.Context, op *syncv1alpha1.SyncOperation, l *Layout, i int, in Input, out *Outcome) error {
	for range maxChain {
		if err := e.applyStep(ctx, op, l, i, out); err != nil || out.RequeueAfter > 0 {
			return err
		}
		start, end := l.Range(i)
		obs := map[int]Observation{}
		for j := start; j < end; j++ {
			if l.Tasks[j].Prune && pruneFinished(&op.Status.Resources[j]) {
				continue // kept, or already gone: nothing to observe
			}
			u, ok := out.written[j]
			if !ok {
				return nil // a hook, or an object not written now: wait for its events
			}
			obs[j] = Observation{Exists: true, Generation: u.GetGeneration(), Health: e.Judge.Health(u)}
		}
		in.Status, in.Observed, in.Now = &op.Status, obs, e.Clock.Now()
		d := Next(in)
		switch {
		case d.Action == ActionAdvance && d.Reason == "":
		case d.Action == ActionSucceed:
		default:
			return nil
		}
		e.record(op, l, d, out)
		if d.Action == ActionSucceed {
			return e.act(ctx, op, l, d, in, out)
		}
		e.stepFinished(op, l, d.Step, out, true)
		e.enter(op, l, d.Next, out)
		i = d.Next
	}
	return nil
}
