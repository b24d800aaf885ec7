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

package lua

import (
	"context"
	"runtime/metrics"
	"time"
)

// The memory watchdog. gopher-lua has no allocation limit, and a loop such
// as s = s .. s doubles its memory with each instruction. An evaluation that
// is still running after watchDelay (real health checks take microseconds)
// gets a goroutine that samples the heap every pollInterval and stops the
// evaluation (at its next instruction) once the heap has grown by more than
// Options.MaxMemoryBytes. Fast evaluations only pay for a timer.
const (
	watchDelay   = 2 * time.Millisecond
	pollInterval = time.Millisecond
	heapMetric   = "/memory/classes/heap/objects:bytes"
)

func (e *Engine) watchMemory(ctx context.Context, cancel context.CancelCauseFunc) (stop func() bool) {
	limit := e.opts.MaxMemoryBytes
	t := time.AfterFunc(watchDelay, func() { pollHeap(ctx, cancel, limit) })
	return t.Stop
}

func pollHeap(ctx context.Context, cancel context.CancelCauseFunc, limit uint64) {
	sample := []metrics.Sample{{Name: heapMetric}}
	read := func() (uint64, bool) {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0, false
		}
		return sample[0].Value.Uint64(), true
	}
	base, ok := read()
	if !ok {
		return
	}
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if cur, ok := read(); ok && cur > base && cur-base > limit {
				cancel(errMemory)
				return
			}
		}
	}
}
