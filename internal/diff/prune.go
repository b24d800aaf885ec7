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

package diff

import (
	"context"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

// PruneQuery describes the sync whose prune candidates are wanted.
type PruneQuery struct {
	// Application is the application's name (spec.application).
	Application string
	// Namespace is the namespace of the application's operations.
	Namespace string
	// Desired are the objects the manifests contain: never candidates.
	Desired []plan.ObjectID
	// Kinds are the kinds of the manifests, in the versions written.
	Kinds []schema.GroupVersionKind
}

// Pruner finds the live objects that a sync would prune: objects of the
// application that the manifests no longer contain. Candidates are
// returned sorted by ID.
type Pruner interface {
	Candidates(ctx context.Context, q PruneQuery) ([]*unstructured.Unstructured, error)
}

// LabelPruner finds candidates by the syncwave.dev/application label: the
// live objects of q.Kinds with that label, in every namespace, that an
// operation in q.Namespace applied (their syncwave.dev/operation
// annotation says so: applications of the same name in other namespaces
// are others), and that are not desired. Hooks (which each operation
// creates anew), objects being deleted, and objects with the sync option
// Prune=false are left out.
// Listing every namespace needs the permission to; where it is forbidden,
// the namespaces of the desired objects and q.Namespace are listed one by
// one.
type LabelPruner struct {
	Client client.Client
}

// Candidates implements Pruner.
func (p *LabelPruner) Candidates(ctx context.Context, q PruneQuery) ([]*unstructured.Unstructured, error) {
	desired := make(map[plan.ObjectID]bool, len(q.Desired))
	for _, id := range q.Desired {
		desired[id] = true
	}
	var out []*unstructured.Unstructured
	for _, gvk := range q.Kinds {
		items, err := p.list(ctx, gvk, q)
		if err != nil {
			return nil, err
		}
		for i := range items {
			u := &items[i]
			if !desired[objectID(u)] && appliedFrom(u, q.Namespace) && prunable(u) {
				out = append(out, u)
			}
		}
	}
	slices.SortFunc(out, func(a, b *unstructured.Unstructured) int {
		return strings.Compare(objectID(a).String(), objectID(b).String())
	})
	return out, nil
}

// list lists the objects of one kind with the application's label.
func (p *LabelPruner) list(ctx context.Context, gvk schema.GroupVersionKind, q PruneQuery) ([]unstructured.Unstructured, error) {
	sel := client.MatchingLabels{syncv1alpha1.LabelApplication: q.Application}
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	err := p.Client.List(ctx, list, sel)
	if err == nil {
		return list.Items, nil
	}
	if !apierrors.IsForbidden(err) {
		return nil, fmt.Errorf("list %s labelled %s=%s: %w", gvk.GroupKind(), syncv1alpha1.LabelApplication, q.Application, err)
	}
	var items []unstructured.Unstructured
	for _, ns := range namespaces(q) {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := p.Client.List(ctx, list, sel, client.InNamespace(ns)); err != nil {
			return nil, fmt.Errorf("list %s in namespace %s labelled %s=%s: %w", gvk.GroupKind(), ns, syncv1alpha1.LabelApplication, q.Application, err)
		}
		items = append(items, list.Items...)
	}
	return items, nil
}

// namespaces are the namespaces listed one by one: q.Namespace and those
// of the desired objects, sorted.
func namespaces(q PruneQuery) []string {
	out := []string{q.Namespace}
	for _, id := range q.Desired {
		if id.Namespace != "" {
			out = append(out, id.Namespace)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// appliedFrom tells whether an operation in namespace ns applied u.
func appliedFrom(u *unstructured.Unstructured, ns string) bool {
	opNamespace, _, ok := strings.Cut(u.GetAnnotations()[syncv1alpha1.AnnotationOperation], "/")
	return ok && opNamespace == ns
}

// prunable tells whether a live object would be pruned at all.
func prunable(u *unstructured.Unstructured) bool {
	if u.GetDeletionTimestamp() != nil {
		return false
	}
	ann := u.GetAnnotations()
	if ann[syncv1alpha1.AnnotationHook] != "" || ann[syncv1alpha1.AnnotationHelmHook] != "" {
		return false
	}
	opts, _ := syncv1alpha1.ParseSyncOptions(strings.Split(ann[syncv1alpha1.AnnotationSyncOptions], ","))
	return opts[syncv1alpha1.SyncOptionPrune] != "false"
}

// objectID identifies a live object.
func objectID(u *unstructured.Unstructured) plan.ObjectID {
	gvk := u.GroupVersionKind()
	return plan.ObjectID{Group: gvk.Group, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName()}
}

// PruneChange is the change of a prune candidate: the live side only.
func PruneChange(u *unstructured.Unstructured) Change {
	return Change{ID: objectID(u), Version: u.GetAPIVersion(), Live: u}
}
