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
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/source"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// elsewhere is a Sharder for which every operation is another replica's.
type elsewhere struct{}

func (elsewhere) Admit(context.Context, *syncv1alpha1.SyncOperation) (bool, error) { return false, nil }
func (elsewhere) Interested(client.Object) bool                                    { return true }
func (elsewhere) Source() source.Source                                            { return nil }

// TestAnotherReplicasOperationIsForgotten: an operation this replica drove
// until a hand-over (the Sharder now says it is another replica's), or one
// that is gone, leaves nothing behind in this process: its cached plan,
// its noted events and its caches are dropped.
func TestAnotherReplicasOperationIsForgotten(t *testing.T) {
	g := NewWithT(t)
	scheme := runtime.NewScheme()
	g.Expect(syncv1alpha1.AddToScheme(scheme)).To(Succeed())
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "op", UID: "u1"},
		Status: syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning}}
	r := &SyncOperationReconciler{Client: fake.NewClientBuilder().WithScheme(scheme).WithObjects(op).Build(),
		Shard: elsewhere{}, Watcher: NewWatcher(nil), Clock: clocktesting.NewFakePassiveClock(time.Unix(10000, 0))}
	key := types.NamespacedName{Namespace: "ns", Name: "op"}
	gone := types.NamespacedName{Namespace: "ns", Name: "gone"}
	r.plans.put(op.UID, &pinned{digest: "sha256:d"})
	r.Watcher.events[key], r.Watcher.events[gone] = time.Now(), time.Now()

	_, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: key})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(r.plans.get(op.UID, "sha256:d")).To(BeNil(), "the plan of another replica's operation is dropped")
	g.Expect(r.Watcher.EventAt(key).IsZero()).To(BeTrue())

	_, err = r.Reconcile(context.Background(), ctrl.Request{NamespacedName: gone})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(r.Watcher.EventAt(gone).IsZero()).To(BeTrue(), "the events of a deleted operation are not kept")
}
