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

package diff

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

// TestTheHolderIsListedOnce: diff --application picks the cluster from
// the inventory holder and then reads the inventory of the same holder,
// with one list of the operations (two could see two holders when an
// operation finishes in between).
func TestTheHolderIsListedOnce(t *testing.T) {
	g := NewWithT(t)
	s := runtime.NewScheme()
	g.Expect(syncv1alpha1.AddToScheme(s)).To(Succeed())
	far := &syncv1alpha1.SyncOperation{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "web-1"},
		Spec: syncv1alpha1.SyncOperationSpec{Application: "web",
			KubeConfig: &syncv1alpha1.KubeConfigReference{SecretRef: syncv1alpha1.SecretKeyReference{Name: "prod-eu"}}},
	}
	lists := 0
	c := fake.NewClientBuilder().WithScheme(s).WithObjects(far).WithStatusSubresource(far).
		WithInterceptorFuncs(interceptor.Funcs{List: func(ctx context.Context, cl client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
			lists++
			return cl.List(ctx, list, opts...)
		}}).Build()
	done := metav1.NowMicro()
	far.Status = syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationSucceeded, FinishedAt: &done,
		Snapshot: &syncv1alpha1.SnapshotRef{Kind: "ConfigMap", Name: "web-1-plan"}}
	g.Expect(c.Status().Update(context.Background(), far)).To(Succeed())

	p := &InventoryPruner{Client: c}
	holder, err := p.Holder(context.Background(), "web", "team")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(holder).NotTo(BeNil())
	g.Expect(holder.Name).To(Equal("web-1"))
	// Without a Target, the remote holder is refused by Candidates: from
	// the holder already read.
	_, err = p.Candidates(context.Background(), PruneQuery{Application: "web", Namespace: "team", Plan: &plan.Plan{}})
	g.Expect(err).To(MatchError(ContainSubstring("application web is on the cluster of spec.kubeConfig (Secret team/prod-eu) of SyncOperation team/web-1")))
	g.Expect(lists).To(Equal(1))
}
