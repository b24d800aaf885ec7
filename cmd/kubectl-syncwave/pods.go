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
	"cmp"
	"context"
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/workload"
)

// blockingPods says, for each workload a running operation waits for, what
// the pod that blocks it reports (package workload): live, what the
// controller adds to the message once the step fails (when no pod could be
// created, its latest Warning event). A workload whose pods cannot be read
// is left out, with a warning on stderr. The workloads of an operation on
// another cluster (spec.kubeConfig) are not read: this cluster's objects of
// those names are not the ones it waits for.
func blockingPods(ctx context.Context, c client.Client, core workload.Core, op *syncv1alpha1.SyncOperation, stderr io.Writer) []string {
	if op.Status.Phase.Terminal() || op.Spec.KubeConfig != nil {
		return nil
	}
	x := &workload.Explainer{Core: core}
	var out []string
	for _, b := range op.Status.BlockedBy {
		gk := schema.GroupKind{Group: b.Group, Kind: b.Kind}
		if !operation.Explainable(b) || !workload.Explains(gk) {
			continue
		}
		live := &unstructured.Unstructured{}
		live.SetGroupVersionKind(gk.WithVersion(cmp.Or(b.Version, "v1"))) // every workload kind is served as v1
		if err := c.Get(ctx, client.ObjectKey{Namespace: b.Namespace, Name: b.Name}, live); err != nil {
			fmt.Fprintf(stderr, "warning: cannot read %s: %v\n", refString(b.ResourceRef), err)
			continue
		}
		msg, err := x.Read(ctx, live)
		if err != nil {
			fmt.Fprintf(stderr, "warning: %v\n", err)
			continue
		}
		if msg != "" {
			out = append(out, refString(b.ResourceRef)+": "+msg)
		}
	}
	return out
}
