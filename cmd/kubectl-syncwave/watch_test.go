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

package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// fakeWatch feeds snapshots to follow as a watch would, then leaves the
// channel open: follow must stop on its own at a terminal phase.
func fakeWatch(ops ...*syncv1alpha1.SyncOperation) <-chan snapshot {
	ch := make(chan snapshot, len(ops))
	for _, op := range ops {
		ch <- snapshot{op: op}
	}
	return ch
}

// clock returns a now func that advances 10 s per call.
func clock() func() time.Time {
	t := fixtureNow.Add(-50 * time.Second)
	return func() time.Time {
		t = t.Add(10 * time.Second)
		return t
	}
}

// succeedingRun is the life of an operation that succeeds.
func succeedingRun() []*syncv1alpha1.SyncOperation {
	pending := pendingOperation()
	presync := runningOperation()
	presync.Status.Step, presync.Status.Progress = "PreSync/0", "0/5"
	presync.Status.Message = "PreSync wave 0: running hooks"
	presync.Status.BlockedBy = []syncv1alpha1.BlockedResource{{
		ResourceRef: ref("batch", "Job", "shop", "migrate"), HookPhase: syncv1alpha1.HookRunning, Since: at(-2, 0),
	}}
	presyncAgain := presync.DeepCopy() // an unchanged status prints nothing in plain mode
	sync := runningOperation()
	done := runningOperation()
	done.Status.Phase = syncv1alpha1.OperationSucceeded
	done.Status.Step, done.Status.Progress, done.Status.BlockedBy = "PostSync/0", "5/5", nil
	done.Status.Message, done.Status.FinishedAt = "", microAt(0, 0)
	done.Status.Summary = &syncv1alpha1.Summary{Total: 5, Synced: 5, Healthy: 3, HooksSucceeded: 2}
	return []*syncv1alpha1.SyncOperation{pending, presync, presyncAgain, sync, done}
}

func TestWatchSucceeded(t *testing.T) {
	g := NewWithT(t)
	var out bytes.Buffer
	err := follow(context.Background(), fakeWatch(succeedingRun()...), &out, 0, clock())
	g.Expect(err).NotTo(HaveOccurred())
	expectGolden(t, filepath.Join("watch", "succeeded.txt"), out.Bytes())
}

func TestWatchFailed(t *testing.T) {
	g := NewWithT(t)
	var out bytes.Buffer
	err := follow(context.Background(), fakeWatch(pendingOperation(), runningOperation(), failedOperation()), &out, 0, clock())
	g.Expect(err).To(MatchError(errOperationFailed))
	g.Expect(err.Error()).To(ContainSubstring("HookFailed"))
	expectGolden(t, filepath.Join("watch", "failed.txt"), out.Bytes())
}

func TestWatchLive(t *testing.T) {
	g := NewWithT(t)
	var out bytes.Buffer
	err := follow(context.Background(), fakeWatch(runningOperation(), failedOperation()), &out, 80, clock())
	g.Expect(err).To(MatchError(errOperationFailed))
	expectGolden(t, filepath.Join("watch", "live.txt"), out.Bytes())
}

func TestWatchEndsEarly(t *testing.T) {
	t.Run("the watch closes", func(t *testing.T) {
		g := NewWithT(t)
		ch := make(chan snapshot, 1)
		ch <- snapshot{op: runningOperation()}
		close(ch)
		g.Expect(follow(context.Background(), ch, &bytes.Buffer{}, 0, clock())).To(MatchError(ContainSubstring("before the operation finished")))
	})
	t.Run("the source fails", func(t *testing.T) {
		g := NewWithT(t)
		ch := make(chan snapshot, 1)
		ch <- snapshot{err: context.DeadlineExceeded}
		g.Expect(follow(context.Background(), ch, &bytes.Buffer{}, 0, clock())).To(MatchError(context.DeadlineExceeded))
	})
	t.Run("the context ends", func(t *testing.T) {
		g := NewWithT(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		g.Expect(follow(ctx, make(chan snapshot), &bytes.Buffer{}, 0, clock())).To(MatchError(context.Canceled))
	})
}

func TestProgressViewBoundsBlocked(t *testing.T) {
	g := NewWithT(t)
	op := runningOperation()
	op.Status.BlockedBy = nil
	for range 8 {
		op.Status.BlockedBy = append(op.Status.BlockedBy, syncv1alpha1.BlockedResource{
			ResourceRef: ref("", "Pod", "shop", "p"), Health: syncv1alpha1.HealthMissing,
			Since: &metav1.Time{Time: fixtureNow},
		})
	}
	view := progressView(op, fixtureNow)
	g.Expect(view[len(view)-1]).To(Equal("  ... and 3 more"))
}
