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
	"context"
	"testing"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

func TestTerminate(t *testing.T) {
	key := types.NamespacedName{Namespace: "prod", Name: "suite"}
	op := func(phase syncv1alpha1.OperationPhase) *syncv1alpha1.SyncOperation {
		return &syncv1alpha1.SyncOperation{
			ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name},
			Status:     syncv1alpha1.SyncOperationStatus{Phase: phase},
		}
	}

	t.Run("running", func(t *testing.T) {
		g := NewWithT(t)
		c := newFakeClient(t, op(syncv1alpha1.OperationRunning))
		msg, err := terminate(context.Background(), c, key)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(msg).To(Equal("syncoperation.syncwave.dev/suite terminating"))
		got := &syncv1alpha1.SyncOperation{}
		g.Expect(c.Get(context.Background(), key, got)).To(Succeed())
		g.Expect(got.Spec.Terminate).To(BeTrue())
	})
	t.Run("already finished", func(t *testing.T) {
		g := NewWithT(t)
		c := newFakeClient(t, op(syncv1alpha1.OperationSucceeded))
		msg, err := terminate(context.Background(), c, key)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(msg).To(Equal("syncoperation.syncwave.dev/suite already Succeeded"))
		got := &syncv1alpha1.SyncOperation{}
		g.Expect(c.Get(context.Background(), key, got)).To(Succeed())
		g.Expect(got.Spec.Terminate).To(BeFalse())
	})
	t.Run("missing", func(t *testing.T) {
		g := NewWithT(t)
		_, err := terminate(context.Background(), newFakeClient(t), key)
		g.Expect(apierrors.IsNotFound(err)).To(BeTrue())
	})
}
