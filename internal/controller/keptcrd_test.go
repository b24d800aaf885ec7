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
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// TestACRDThatDefinesAKeptResourceIsKept: deleting a
// CustomResourceDefinition deletes every resource of its kind, so a
// teardown that keeps a resource (Delete=false) keeps its CRD, and a prune
// keeps the CRD of the resources it still applies. Both deleted the CRD,
// and the API server deleted the kept resources with it.
func TestACRDThatDefinesAKeptResourceIsKept(t *testing.T) {
	for _, tc := range []struct {
		name    string
		options string                                         // of the custom resource
		next    func(ns string) syncv1alpha1.SyncOperationSpec // the operation after v1
		message string
	}{
		{name: "a teardown that keeps a resource", options: "Delete=false",
			next: func(string) syncv1alpha1.SyncOperationSpec {
				return syncv1alpha1.SyncOperationSpec{Application: "crd", Action: syncv1alpha1.ActionDelete}
			},
			message: "which this operation keeps (the live object has the sync option Delete=false"},
		{name: "a prune of a CRD whose resources are still applied", options: "Validate=true",
			message: "which this operation applied, and deleting a CustomResourceDefinition deletes every resource of its kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			ns := namespace(t)
			group := ns + ".kept.example.com"
			crd := `{apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, metadata: {name: gadgets.` + group + `},
  spec: {group: ` + group + `, scope: Namespaced, names: {plural: gadgets, singular: gadget, kind: Gadget, listKind: GadgetList},
    versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]}}`
			cr := `{apiVersion: ` + group + `/v1, kind: Gadget, metadata: {name: g1, annotations: {argocd.argoproj.io/sync-options: "` + tc.options + `"}}, spec: {size: 1}}`
			gadgets := &unstructured.Unstructured{}
			gadgets.SetGroupVersionKind(schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"})
			gadgets.SetName("gadgets." + group)
			t.Cleanup(func() { _ = k8s.Delete(context.Background(), gadgets) })

			v1 := run(t, ns, syncv1alpha1.SyncOperationSpec{Application: "crd", Manifests: objects(t, crd, cr)})
			g.Expect(v1.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v1.Status.Message)

			spec := syncv1alpha1.SyncOperationSpec{Application: "crd", Prune: true, Manifests: objects(t, cr)}
			if tc.next != nil {
				spec = tc.next(ns)
			}
			// A dry run says the same first.
			dryRun := spec
			dryRun.DryRun = true
			dry := create(t, ns, "dry", dryRun)
			waitDone(t, dry)
			g.Expect(dry.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), dry.Status.Message)
			g.Expect(dry.Status.Resources).To(ContainElement(And(HaveField("ResourceRef.Kind", "CustomResourceDefinition"),
				HaveField("Change", syncv1alpha1.ChangeUnchanged), HaveField("Message", HavePrefix("not deleted: it defines the kind of "+group+"/Gadget/"+ns+"/g1, ")))))

			spec.Timeout = &metav1.Duration{Duration: 20 * time.Second}
			next := create(t, ns, "next", spec)
			waitDone(t, next)
			g.Expect(next.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), next.Status.Message)
			g.Expect(next.Status.Resources).To(ContainElement(And(HaveField("ResourceRef.Kind", "CustomResourceDefinition"),
				HaveField("Status", syncv1alpha1.ResultPruneSkipped),
				HaveField("Message", And(HavePrefix("not deleted: it defines the kind of "+group+"/Gadget/"+ns+"/g1, "), ContainSubstring(tc.message)))),
			))
			g.Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(gadgets), gadgets)).To(Succeed())
			g.Expect(gadgets.GetDeletionTimestamp()).To(BeNil(), "the CRD of a kept resource is not being deleted")
			live := &unstructured.Unstructured{}
			live.SetGroupVersionKind(schema.GroupVersionKind{Group: group, Version: "v1", Kind: "Gadget"})
			g.Consistently(func() error {
				return k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "g1"}, live)
			}, time.Second, 100*time.Millisecond).Should(Succeed(), "the kept resource stays")
		})
	}
}
