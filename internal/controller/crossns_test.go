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
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// TestNoCrossNamespaceRefs: with the lockdown, a Flux source or a
// dependency in another namespace is refused, naming the field; the same
// namespace, named or not, is not; without the lockdown nothing is.
func TestNoCrossNamespaceRefs(t *testing.T) {
	g := NewWithT(t)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "tenant-a"}, Spec: syncv1alpha1.SyncOperationSpec{
		Sources: []syncv1alpha1.ManifestSource{
			{ConfigMapRef: &syncv1alpha1.KeyReference{Name: "m"}},
			{SourceRef: &syncv1alpha1.FluxSourceReference{Kind: "GitRepository", Name: "own"}},
			{SourceRef: &syncv1alpha1.FluxSourceReference{Kind: "GitRepository", Name: "own", Namespace: "tenant-a"}},
			{SourceRef: &syncv1alpha1.FluxSourceReference{Kind: "GitRepository", Name: "private", Namespace: "tenant-b"}},
		},
		DependsOn: []syncv1alpha1.ApplicationDependency{{Application: "db"}, {Application: "db", Namespace: "tenant-a"}, {Application: "ledger", Namespace: "tenant-b"}},
	}}
	open := &SyncOperationReconciler{}
	g.Expect(open.crossNamespaceSource(op)).To(Succeed())
	g.Expect(open.crossNamespaceDependency(op)).To(BeEmpty())

	locked := &SyncOperationReconciler{NoCrossNamespaceRefs: true}
	err := locked.crossNamespaceSource(op)
	var inv *invalidError
	g.Expect(errors.As(err, &inv)).To(BeTrue(), "fails the operation as invalid: %v", err)
	g.Expect(err.Error()).To(Equal("spec.sources[3].sourceRef.namespace: GitRepository tenant-b/private is in another namespace than the operation's (tenant-a), " +
		"and this controller refuses references to other namespaces (--no-cross-namespace-refs)"))
	g.Expect(locked.crossNamespaceDependency(op)).To(Equal("spec.dependsOn[2].namespace: application tenant-b/ledger is in another namespace than the operation's (tenant-a), " +
		"and this controller refuses references to other namespaces (--no-cross-namespace-refs)"))

	op.Spec.Sources, op.Spec.DependsOn = op.Spec.Sources[:3], op.Spec.DependsOn[:2]
	g.Expect(locked.crossNamespaceSource(op)).To(Succeed())
	g.Expect(locked.crossNamespaceDependency(op)).To(BeEmpty())
}
