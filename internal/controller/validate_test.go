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

package controller_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// TestValidateFalseIsDryRunToo: server-side apply refuses a field that the
// kind's schema does not declare, Validate=false or not. Such an object is
// refused by the start's dry-run (nothing applied), with a message that
// says what to do; it was not dry-run, and its apply failed as an internal
// error that the step retried until its timeout.
func TestValidateFalseIsDryRunToo(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: first}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: loose, annotations: {argocd.argoproj.io/sync-wave: "1", argocd.argoproj.io/sync-options: Validate=false}}, data: {a: b}, bogus: 1}`)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonApplyFailed))
	g.Expect(op.Status.Message).To(And(ContainSubstring("nothing was applied"), ContainSubstring("ConfigMap/"+ns+"/loose"),
		ContainSubstring(".bogus: field not declared in schema"), ContainSubstring("Validate=false or not")))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "first")).To(BeFalse(), "nothing applied")
}

// TestValidateFalseWithReplaceDropsUnknownFields: Replace=true writes with
// create and update, which drop unknown fields under Validate=false (as
// kubectl create --validate=false does); its dry-run is made the same way.
func TestValidateFalseWithReplaceDropsUnknownFields(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	op := run(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: loose, annotations: {argocd.argoproj.io/sync-options: "Validate=false,Replace=true"}}, data: {a: b}, bogus: 1}`)})
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	cm := &corev1.ConfigMap{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "loose"}, cm)).To(Succeed())
	g.Expect(cm.Data).To(HaveKeyWithValue("a", "b"))
}
