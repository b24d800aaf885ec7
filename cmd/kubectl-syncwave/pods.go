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

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/workload"
)

// blockingPods says, for each workload a running operation waits for, what
// the pod that blocks it reports (package workload): live, what the
// controller adds to the message once the step fails (when no pod could be
// created, its latest Warning event). A workload whose pods cannot be read
// is left out, with a warning on stderr.
func blockingPods(ctx context.Context, c client.Client, op *syncv1alpha1.SyncOperation, stderr io.Writer) []string {
	if op.Status.Phase.Terminal() {
		return nil
	}
	var out []string
	for _, b := range op.Status.BlockedBy {
		gk := schema.GroupKind{Group: b.Group, Kind: b.Kind}
		ended := b.HookPhase == syncv1alpha1.HookSucceeded || b.HookPhase == syncv1alpha1.HookFailed
		if ended || (b.HookPhase == "" && b.Health == syncv1alpha1.HealthHealthy) || !workload.Explains(gk) {
			continue
		}
		live := &unstructured.Unstructured{}
		live.SetGroupVersionKind(gk.WithVersion(cmp.Or(b.Version, "v1"))) // every workload kind is served as v1
		if err := c.Get(ctx, client.ObjectKey{Namespace: b.Namespace, Name: b.Name}, live); err != nil {
			fmt.Fprintf(stderr, "warning: cannot read %s: %v\n", refString(b.ResourceRef), err)
			continue
		}
		sel, ok := workload.Selector(live)
		if !ok {
			continue
		}
		pods := &corev1.PodList{}
		if err := c.List(ctx, pods, client.InNamespace(b.Namespace), client.MatchingLabelsSelector{Selector: sel},
			client.Limit(workload.MaxPods)); err != nil {
			fmt.Fprintf(stderr, "warning: cannot list the pods of %s: %v\n", refString(b.ResourceRef), err)
			continue
		}
		msg := workload.Describe(live, pods.Items)
		if msg == "" { // no pod could be created: the workload's events say why
			events := &corev1.EventList{}
			if err := c.List(ctx, events, client.InNamespace(b.Namespace), client.Limit(workload.MaxEvents),
				client.MatchingFields{"involvedObject.uid": string(live.GetUID()), "type": corev1.EventTypeWarning}); err == nil {
				msg = workload.LatestWarning(live, events.Items)
			}
		}
		if msg != "" {
			out = append(out, refString(b.ResourceRef)+": "+msg)
		}
	}
	return out
}
