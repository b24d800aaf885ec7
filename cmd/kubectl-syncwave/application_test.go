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
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// TestDeleteActsWhereTheApplicationDid: the teardown that delete creates
// goes to the cluster of the application's newest real operation, as its
// ServiceAccount, with its default namespace; a newer dry run does not
// count.
func TestDeleteActsWhereTheApplicationDid(t *testing.T) {
	g := NewWithT(t)
	remote := &syncv1alpha1.KubeConfigReference{SecretRef: syncv1alpha1.SecretKeyReference{Name: "prod-eu"}}
	op := func(name string, spec syncv1alpha1.SyncOperationSpec) syncv1alpha1.SyncOperation {
		spec.Application = "shop"
		return syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ci"}, Spec: spec}
	}
	ops := []syncv1alpha1.SyncOperation{ // newest first
		op("shop-3", syncv1alpha1.SyncOperationSpec{DryRun: true}),
		op("shop-2", syncv1alpha1.SyncOperationSpec{KubeConfig: remote, ServiceAccountName: "deployer", TargetNamespace: "shop"}),
		op("shop-1", syncv1alpha1.SyncOperationSpec{}),
	}
	o := &createOptions{action: syncv1alpha1.ActionDelete, application: "shop"}
	got := newOperation("shop-delete", "ci", nil, o.like(ops))
	g.Expect(got.Spec.KubeConfig).To(Equal(remote))
	g.Expect(got.Spec.ServiceAccountName).To(Equal("deployer"))
	g.Expect(got.Spec.TargetNamespace).To(Equal("shop"))
	g.Expect(got.Spec.Action).To(Equal(syncv1alpha1.ActionDelete))
	g.Expect(o.kubeConfig).To(BeNil(), "the options themselves are not changed")

	local := newOperation("shop-delete", "ci", nil, o.like(ops[2:]))
	g.Expect(local.Spec.KubeConfig).To(BeNil())
	g.Expect(local.Spec.ServiceAccountName).To(BeEmpty())
	onlyDry := newOperation("shop-delete", "ci", nil, o.like(ops[:1]))
	g.Expect(onlyDry.Spec.KubeConfig).To(BeNil())

	// A teardown the controller refused for acting on its own cluster is
	// newer, but the inventory's holder decides.
	done := metav1.NewMicroTime(time.Now())
	ops[1].Status = syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationSucceeded, FinishedAt: &done,
		Snapshot: &syncv1alpha1.SnapshotRef{Name: "shop-2-plan"}}
	later := metav1.NewMicroTime(done.Add(time.Second))
	refused := op("shop-delete-wrong", syncv1alpha1.SyncOperationSpec{Action: syncv1alpha1.ActionDelete})
	refused.Status = syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationFailed, Reason: syncv1alpha1.ReasonInvalidManifests, FinishedAt: &later}
	again := newOperation("shop-delete", "ci", nil, o.like(append([]syncv1alpha1.SyncOperation{refused}, ops...)))
	g.Expect(again.Spec.KubeConfig).To(Equal(remote))
	g.Expect(again.Spec.ServiceAccountName).To(Equal("deployer"))
}

// TestDeletesInTheSameSecondEachCreateTheirOwn: a second delete within
// the same second (the name is the time to the second) creates its own
// operation instead of failing with "already exists".
func TestDeletesInTheSameSecondEachCreateTheirOwn(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	c := newFakeClient(t)
	now := time.Date(2026, 12, 4, 1, 38, 16, 0, time.UTC)
	o := &createOptions{action: syncv1alpha1.ActionDelete, application: "web"}
	var names []string
	for range 3 {
		op, err := createTeardown(ctx, c, "team", "web", now, nil, o)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(op.Spec.Action).To(Equal(syncv1alpha1.ActionDelete))
		names = append(names, op.Name)
	}
	g.Expect(names).To(Equal([]string{"web-delete-20261204-013816", "web-delete-20261204-013816-2", "web-delete-20261204-013816-3"}))

	for range maxTeardownNames - 3 {
		_, err := createTeardown(ctx, c, "team", "web", now, nil, o)
		g.Expect(err).NotTo(HaveOccurred())
	}
	_, err := createTeardown(ctx, c, "team", "web", now, nil, o)
	g.Expect(err).To(MatchError(ContainSubstring("web-delete-20261204-013816-10 already exists")), "bounded")
}
