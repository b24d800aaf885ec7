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

package apply_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/apply"
	"github.com/syncwave/syncwave/internal/operation"
)

// TestACustomResourceNotServedYetWaits: the API server answers 404 for a
// custom resource whose CRD it has just Established (seen when a CRD is
// deleted and created again): when the operation defines that CRD, the
// write waits and is tried again; a missing namespace, or a kind no CRD
// of the operation defines, is still refused. A unit test with a fake
// client: the race cannot be produced on purpose with a real server.
func TestACustomResourceNotServedYetWaits(t *testing.T) {
	widget := schema.GroupKind{Group: "example.com", Kind: "Widget"}
	notServed := apierrors.NewGenericServerResponse(404, "patch", schema.GroupResource{Group: "example.com", Resource: "widgets"}, "w1", "", 0, true)
	noNamespace := apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "later")
	applier := func(err error, crds map[schema.GroupKind]bool) *apply.Applier {
		c := fake.NewClientBuilder().WithInterceptorFuncs(interceptor.Funcs{
			Apply: func(context.Context, client.WithWatch, runtime.ApplyConfiguration, ...client.ApplyOption) error {
				return err
			},
		}).Build()
		return &apply.Applier{Client: c, CRDKinds: crds}
	}
	w1 := tasks(t, "prod", `{apiVersion: example.com/v1, kind: Widget, metadata: {name: w1}}`)[0]
	cases := []struct {
		name               string
		err                error
		crds               map[schema.GroupKind]bool
		notReady, rejected bool
	}{
		{"the operation's CRD is not served yet: wait", notServed, map[schema.GroupKind]bool{widget: true}, true, false},
		{"a missing namespace is refused", noNamespace, map[schema.GroupKind]bool{widget: true}, false, true},
		{"no CRD of the operation defines it: refused", notServed, nil, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := applier(c.err, c.crds).Apply(context.Background(), op("prod"), w1)
			g.Expect(err).To(HaveOccurred())
			g.Expect(operation.IsNotReady(err)).To(Equal(c.notReady), "%v", err)
			g.Expect(operation.IsRejected(err)).To(Equal(c.rejected), "%v", err)
		})
	}
}

// TestPrunePropagationPolicy: the operation's sync option
// PrunePropagationPolicy (Argo CD's) decides the deletion's propagation;
// without it the Pruner's default holds. A unit test: the propagation is
// what the API server is asked for.
func TestPrunePropagationPolicy(t *testing.T) {
	for _, c := range []struct {
		option string
		want   metav1.DeletionPropagation
	}{{"", metav1.DeletePropagationForeground}, {"PrunePropagationPolicy=background", metav1.DeletePropagationBackground},
		{"PrunePropagationPolicy=orphan", metav1.DeletePropagationOrphan}} {
		t.Run(c.option, func(t *testing.T) {
			g := NewWithT(t)
			live := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "old", Namespace: "prod", Labels: map[string]string{syncv1alpha1.LabelApplication: "shop"}}}
			var asked metav1.DeletionPropagation
			c2 := fake.NewClientBuilder().WithObjects(live).WithInterceptorFuncs(interceptor.Funcs{
				Delete: func(ctx context.Context, cl client.WithWatch, obj client.Object, opts ...client.DeleteOption) error {
					do := &client.DeleteOptions{}
					do.ApplyOptions(opts)
					if do.PropagationPolicy != nil {
						asked = *do.PropagationPolicy
					}
					return cl.Delete(ctx, obj, opts...)
				}}).Build()
			op := op("prod")
			op.Spec.Application = "shop"
			if c.option != "" {
				op.Spec.SyncOptions = []string{c.option}
			}
			tk := tasks(t, "prod", `{apiVersion: v1, kind: ConfigMap, metadata: {name: old}}`)[0]
			res, err := (&apply.Pruner{Client: c2, Reader: c2}).Prune(context.Background(), op, tk)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(asked).To(Equal(c.want))
			g.Expect(res.Message).To(Equal("deleting (" + string(c.want) + " propagation)"))
		})
	}
}
