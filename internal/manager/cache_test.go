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

package manager

import (
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// TestCacheByObject: the SyncOperations cached are those of
// --watch-namespace with the labels of --watch-label-selector, both set in
// one entry; only the health ConfigMap is cached.
func TestCacheByObject(t *testing.T) {
	tests := []struct {
		name, namespace, selector string
		wantNamespaces            []string
		wantLabel, wantErr        string
	}{
		{name: "all"},
		{name: "one namespace", namespace: "team-a", wantNamespaces: []string{"team-a"}},
		{name: "one share", selector: "sharding.syncwave.dev/key=blue", wantLabel: "sharding.syncwave.dev/key=blue"},
		{name: "both", namespace: "team-a", selector: "!sharding.syncwave.dev/key", wantNamespaces: []string{"team-a"}, wantLabel: "!sharding.syncwave.dev/key"},
		{name: "bad selector", selector: "a in (", wantErr: `--watch-label-selector "a in ("`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			o := Options{Namespace: "syncwave-system", HealthConfigMap: "health", WatchNamespace: tt.namespace, Shard: ShardOptions{WatchLabelSelector: tt.selector}}
			by, err := o.cacheByObject()
			if tt.wantErr != "" {
				g.Expect(err).To(MatchError(ContainSubstring(tt.wantErr)))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			var ops, cms int
			for obj, b := range by {
				switch obj.(type) {
				case *syncv1alpha1.SyncOperation:
					ops++
					var ns []string
					for n := range b.Namespaces {
						ns = append(ns, n)
					}
					g.Expect(ns).To(Equal(tt.wantNamespaces))
					label := ""
					if b.Label != nil {
						label = b.Label.String()
					}
					g.Expect(label).To(Equal(tt.wantLabel))
				case *corev1.ConfigMap:
					cms++
					g.Expect(b.Field.String()).To(Equal("metadata.name=health"))
					g.Expect(b.Namespaces).To(HaveKey("syncwave-system"))
				}
			}
			g.Expect(cms).To(Equal(1))
			if tt.namespace == "" && tt.selector == "" {
				g.Expect(ops).To(BeZero(), "no entry: every SyncOperation")
			} else {
				g.Expect(ops).To(Equal(1), "one entry for both restrictions")
			}
		})
	}
}

// TestRunningCountsWhatThisReplicaDrives: a standby reports nothing and a
// sharded replica counts the operations it drives, so that a sum over
// replicas is the number of running operations; a namespace whose
// operations finished shows 0.
func TestRunningCountsWhatThisReplicaDrives(t *testing.T) {
	g := NewWithT(t)
	op := func(ns, name string, phase syncv1alpha1.OperationPhase, driver string) *syncv1alpha1.SyncOperation {
		return &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Status: syncv1alpha1.SyncOperationStatus{Phase: phase, Controller: driver}}
	}
	c := fake.NewClientBuilder().WithScheme(Scheme()).WithStatusSubresource(&syncv1alpha1.SyncOperation{}).WithObjects(
		op("a", "1", syncv1alpha1.OperationRunning, "r-1"),
		op("a", "2", syncv1alpha1.OperationPending, "r-2"),
		op("b", "3", syncv1alpha1.OperationSucceeded, "r-1"),
	).Build()
	elected := make(chan struct{})
	r := &running{reader: c, elected: elected}
	g.Expect(r.count()).To(BeNil(), "a standby reports no series")
	close(elected)
	g.Expect(r.count()).To(Equal(map[string]int{"a": 2, "b": 0}))
	r.drives = func(op *syncv1alpha1.SyncOperation) bool { return op.Status.Controller == "r-1" }
	g.Expect(r.count()).To(Equal(map[string]int{"a": 1, "b": 0}))
}
