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
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// TestBlockingPodsOfARemoteOperationAreNotRead: the workloads an operation
// on another cluster waits for are not looked up on this one.
func TestBlockingPodsOfARemoteOperationAreNotRead(t *testing.T) {
	g := NewWithT(t)
	s, err := newScheme()
	g.Expect(err).NotTo(HaveOccurred())
	reads := 0
	c := interceptor.NewClient(fake.NewClientBuilder().WithScheme(s).Build(), interceptor.Funcs{
		Get: func(ctx context.Context, cl client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			reads++
			return cl.Get(ctx, key, obj, opts...)
		}})
	op := &syncv1alpha1.SyncOperation{Status: syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning,
		BlockedBy: []syncv1alpha1.BlockedResource{{ResourceRef: syncv1alpha1.ResourceRef{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "prod", Name: "web"},
			Health: syncv1alpha1.HealthProgressing}}}}
	var stderr bytes.Buffer
	blockingPods(context.Background(), c, nil, op, &stderr)
	g.Expect(reads).To(Equal(1), "an operation on this cluster reads its workload")
	op.Spec.KubeConfig = &syncv1alpha1.KubeConfigReference{SecretRef: syncv1alpha1.SecretKeyReference{Name: "prod-eu"}}
	stderr.Reset()
	g.Expect(blockingPods(context.Background(), c, nil, op, &stderr)).To(BeEmpty())
	g.Expect(reads).To(Equal(1), "one on another cluster reads nothing here")
	g.Expect(stderr.String()).To(BeEmpty())
}
