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
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

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
	done.Status.Reason, done.Status.Message = syncv1alpha1.ReasonSucceeded, "successfully synced 5 tasks in 3 steps"
	done.Status.FinishedAt = microAt(0, 0)
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
	retrying := runningOperation()
	retrying.Status.Step, retrying.Status.Progress = "PostSync/0", "4/5"
	retrying.Status.RetryAt = microAt(0, 0)
	retrying.Status.Message = "hook Job/shop/smoke-test failed: BackoffLimitExceeded; retry 1 of 1 in 5s"
	retrying.Status.BlockedBy = []syncv1alpha1.BlockedResource{{ResourceRef: ref("batch", "Job", "shop", "smoke-test"), HookPhase: syncv1alpha1.HookFailed}}
	err := follow(context.Background(), fakeWatch(pendingOperation(), runningOperation(), retrying, failedOperation()), &out, 0, clock())
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

// resumingClient serves one Get, then watches: the first ends at once (as
// the API server ends a watch on its timeout), the second, which must start
// from the version last seen, sends the operation's end. Any other read
// finds the operation deleted.
type resumingClient struct {
	client.WithWatch
	gets     int
	watchRVs []string
}

func (c *resumingClient) Get(_ context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	c.gets++
	if c.gets > 1 {
		return apierrors.NewNotFound(syncv1alpha1.GroupVersion.WithResource("syncoperations").GroupResource(), key.Name)
	}
	op := runningOperation()
	op.ResourceVersion = "7"
	op.DeepCopyInto(obj.(*syncv1alpha1.SyncOperation))
	return nil
}

func (c *resumingClient) Watch(_ context.Context, _ client.ObjectList, opts ...client.ListOption) (watch.Interface, error) {
	lo := &client.ListOptions{}
	lo.ApplyOptions(opts)
	c.watchRVs = append(c.watchRVs, lo.Raw.ResourceVersion)
	w, first := watch.NewFake(), len(c.watchRVs) == 1
	go func() {
		if first {
			w.Stop()
			return
		}
		done := failedOperation()
		done.Status.Phase, done.ResourceVersion = syncv1alpha1.OperationSucceeded, "9"
		w.Modify(done)
	}()
	return w, nil
}

// An operation that ends, and is deleted, while the watch is restarted is
// seen to end: the watch resumes from the last version, it does not read
// the operation again.
func TestWatchResumesFromTheLastVersion(t *testing.T) {
	g := NewWithT(t)
	c := &resumingClient{}
	var got []snapshot
	for s := range watchOperation(t.Context(), c, types.NamespacedName{Namespace: "shop", Name: "deploy"}) {
		got = append(got, s)
	}
	g.Expect(got).To(HaveLen(2))
	g.Expect(got[1].err).NotTo(HaveOccurred())
	g.Expect(got[1].op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded))
	g.Expect(c.watchRVs).To(Equal([]string{"7", "7"}))
	g.Expect(c.gets).To(Equal(1))
}

// TestAPruneStepWaitsForDeletion: the objects a prune step waits for are
// being deleted, not Progressing towards health.
func TestAPruneStepWaitsForDeletion(t *testing.T) {
	g := NewWithT(t)
	op := runningOperation()
	g.Expect(progressLine(op)).To(HaveSuffix("waiting for Deployment.apps/shop/web (Progressing)"))
	op.Status.Current = &syncv1alpha1.StepStatus{Phase: syncv1alpha1.SyncPhasePruneLast, Wave: 1}
	op.Status.Step = "PruneLast/1"
	g.Expect(progressLine(op)).To(HaveSuffix("waiting for Deployment.apps/shop/web (being deleted)"))
	g.Expect(progressView(op, fixtureNow)).To(ContainElement(HavePrefix("  waiting for Deployment.apps/shop/web: being deleted for ")))
}
