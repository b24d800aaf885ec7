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
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

// TestCRDStatusMaxAge: with MaxAge (a remote cluster, whose CRDs are not
// cached), one answer serves every custom resource judged within it; past
// it the CRD is asked again, and a change of the CRD is seen.
func TestCRDStatusMaxAge(t *testing.T) {
	g := NewWithT(t)
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "widgets.example.com"},
		"spec": map[string]any{"versions": []any{
			map[string]any{"name": "v1", "subresources": map[string]any{"status": map[string]any{}}}}},
	}}
	gets := 0
	c := fake.NewClientBuilder().WithScheme(runtime.NewScheme()).WithObjects(crd).WithInterceptorFuncs(interceptor.Funcs{
		Get: func(ctx context.Context, cl client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			gets++
			return cl.Get(ctx, key, obj, opts...)
		}}).Build()
	widget := schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Widget"}
	mapper := meta.NewDefaultRESTMapper(nil)
	mapper.Add(widget, meta.RESTScopeNamespace)
	now := time.Unix(1000, 0)
	s := &CRDStatus{Metadata: c, Reader: c, Mapper: mapper, MaxAge: 30 * time.Second, now: func() time.Time { return now }}

	g.Expect(s.HasStatusSubresource(context.Background(), widget)).To(BeTrue())
	first := gets
	g.Expect(first).To(BeNumerically(">", 0))
	for range 100 {
		g.Expect(s.HasStatusSubresource(context.Background(), widget)).To(BeTrue())
	}
	g.Expect(gets).To(Equal(first), "100 custom resources judged within MaxAge ask nothing")

	// The CRD drops the status subresource; past MaxAge it is seen.
	unstructured.RemoveNestedField(crd.Object, "spec")
	g.Expect(unstructured.SetNestedSlice(crd.Object, []any{map[string]any{"name": "v1"}}, "spec", "versions")).To(Succeed())
	g.Expect(c.Update(context.Background(), crd)).To(Succeed())
	now = now.Add(31 * time.Second)
	g.Expect(s.HasStatusSubresource(context.Background(), widget)).To(BeFalse())
	g.Expect(gets).To(BeNumerically(">", first))
}
