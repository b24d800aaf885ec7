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

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/apply"
	"github.com/syncwave/syncwave/internal/plan"
)

// Differ computes the Change of each object of a plan against a cluster.
type Differ struct {
	// Client reads live objects and runs the dry-runs.
	Client client.Client
	// Operation stands for the operation that would sync the objects:
	// apply.Prepare writes its name into each object. The annotation is
	// left out of the comparison, so any name does.
	Operation *syncv1alpha1.SyncOperation
	// Labels are added to every object before the dry-run, as the
	// controller adds them (syncwave.dev/application with --application).
	Labels map[string]string
	// CRDKinds are the kinds that CRDs among the manifests define: while
	// such a kind is not served yet, its objects are shown as written.
	CRDKinds map[schema.GroupKind]bool
	// CreatesNamespace tells the namespaces that the sync creates: an
	// object in a namespace that does not exist is shown as written when
	// it does, and is an error (as at the controller's start) when it does
	// not. nil: always shown as written.
	CreatesNamespace func(namespace string) bool
}

// Written tells why a Change's merged side is the object as written and
// not as the API server would store it ("" when it is server-shaped).
type Written string

// Object returns the change for one task. When the dry-run cannot judge
// the object because its namespace or its CRD comes with the same sync,
// the merged side is the object as written, and why is not empty.
func (d *Differ) Object(ctx context.Context, t *plan.Task) (c Change, why Written, err error) {
	u := apply.Prepare(d.Operation, t)
	if len(d.Labels) > 0 {
		lbl := u.GetLabels()
		for k, v := range d.Labels {
			lbl[k] = v
		}
		u.SetLabels(lbl)
	}
	c = Change{ID: t.ID, Version: u.GetAPIVersion()}
	c.Live, err = d.live(ctx, u)
	switch {
	case meta.IsNoMatchError(err) && d.CRDKinds[t.ID.GroupKind()]:
		c.Merged = u
		return c, Written(fmt.Sprintf("the CustomResourceDefinition of %s is not served yet", t.ID.GroupKind())), nil
	case meta.IsNoMatchError(err) && t.Option(syncv1alpha1.SyncOptionSkipDryRunOnMissingResource):
		c.Merged = u
		return c, Written(fmt.Sprintf("%s is not served, and the object says %s=true", t.ID.GroupKind(), syncv1alpha1.SyncOptionSkipDryRunOnMissingResource)), nil
	case err != nil:
		return c, "", fmt.Errorf("read live %s: %w", t.ID, err)
	}
	merged := u.DeepCopy()
	if t.Option(syncv1alpha1.SyncOptionReplace) {
		err = d.replace(ctx, merged, c.Live)
	} else {
		err = d.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(merged), client.DryRunAll,
			client.FieldOwner(syncv1alpha1.FieldManager), client.ForceOwnership)
	}
	if apierrors.IsNotFound(err) && c.Live == nil && apply.NamespaceMissing(ctx, d.Client, t.ID.Namespace) {
		if d.CreatesNamespace != nil && !d.CreatesNamespace(t.ID.Namespace) {
			return c, "", fmt.Errorf("dry-run apply %s: namespace %s does not exist and the manifests do not create it: %w", t.ID, t.ID.Namespace, err)
		}
		c.Merged = u
		return c, Written(fmt.Sprintf("namespace %s does not exist yet", t.ID.Namespace)), nil
	}
	if err != nil {
		return c, "", fmt.Errorf("dry-run apply %s: %w", t.ID, err)
	}
	c.Merged = merged
	return c, "", nil
}

// replace dry-runs what the controller does with Replace=true: a create,
// or an update that replaces the live object whole (fields that other
// managers set are gone, unlike with an apply).
func (d *Differ) replace(ctx context.Context, u, live *unstructured.Unstructured) error {
	if live == nil {
		return d.Client.Create(ctx, u, client.DryRunAll, client.FieldOwner(syncv1alpha1.FieldManager))
	}
	u.SetResourceVersion(live.GetResourceVersion())
	return d.Client.Update(ctx, u, client.DryRunAll, client.FieldOwner(syncv1alpha1.FieldManager))
}

// live returns the live object, or nil when there is none.
func (d *Differ) live(ctx context.Context, u *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(u.GroupVersionKind())
	err := d.Client.Get(ctx, client.ObjectKeyFromObject(u), live)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return live, nil
}
