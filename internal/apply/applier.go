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

package apply

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

// Applier writes objects for SyncOperations.
type Applier struct {
	// Client makes the writes (the caller may give an impersonating client).
	Client client.Client
	// CRDKinds are the kinds that CRDs of the same operation define: their
	// objects skip the dry-run and wait for the CRD to be served.
	CRDKinds map[schema.GroupKind]bool
	// User is the impersonated user of the writes, for error messages ("" for
	// the controller itself).
	User string
	// ForbiddenFails makes a dry-run that authorization refuses a
	// rejection: spec.dryRun, or a plan with no RBAC object, so nothing
	// that follows could grant it. An admission's refusal (PodSecurity,
	// a quota, a policy), also Forbidden, is always one.
	ForbiddenFails bool
	// CreatesNamespace reports whether the operation creates a namespace
	// (a Namespace of its plan, or spec.targetNamespace with
	// CreateNamespace=true): an object in a namespace that does not exist
	// is not dry-run when it does, and is refused when it does not, since
	// its write would fail. nil: a missing namespace is never judged.
	CreatesNamespace func(namespace string) bool
	// Live returns, from a watch cache, a task's live object (nil when it
	// does not exist; known is false when the cache cannot tell). The
	// dry-run reads it once: an object known not to exist is dry-run as a
	// create, which costs the API server less than an apply, and one that
	// another application manages is reported (SharedError). nil makes
	// every dry-run an apply and reports nothing.
	Live func(t *plan.Task) (live *unstructured.Unstructured, known bool)
}

// Prepare returns a copy of the task's object ready to write: it carries the
// syncwave.dev/operation annotation and the syncwave.dev/managed label, so
// that the controller can watch it and trace it back, and the
// syncwave.dev/application label of the operation's application.
func Prepare(op *syncv1alpha1.SyncOperation, t *plan.Task) *unstructured.Unstructured {
	u := t.Object.DeepCopy()
	ann := u.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[syncv1alpha1.AnnotationOperation] = op.Namespace + "/" + op.Name
	u.SetAnnotations(ann)
	lbl := u.GetLabels()
	if lbl == nil {
		lbl = map[string]string{}
	}
	lbl[syncv1alpha1.LabelManaged] = "true"
	if app := op.Spec.Application; app != "" {
		lbl[syncv1alpha1.LabelApplication] = app
	}
	u.SetLabels(lbl)
	if t.ID.Namespace != "" {
		u.SetNamespace(t.ID.Namespace)
	}
	return u
}

// DryRun validates a task on the server, as its write will be made. Hooks
// and Replace=true objects are dry-run created (an existing object is
// fine: the hook policy or the replace handles it), with Validate=false
// without field validation, as they are written; other objects are dry-run
// server-side applied (a new one, unless Validate=false, as a dry-run
// create with strict field validation, which refuses what the apply
// refuses and costs less). Server-side apply refuses a field that the
// kind's schema does not declare whatever Validate says, so Validate=false
// does not skip its dry-run. Objects of kinds that the operation's own
// CRDs define, objects with SkipDryRunOnMissingResource=true whose kind is
// not served, and objects in a namespace that the operation creates are
// skipped; an object in a namespace that neither exists nor is created is
// refused (CreatesNamespace).
func (a *Applier) DryRun(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task) error {
	if a.CRDKinds[t.ID.GroupKind()] {
		return nil
	}
	var live *unstructured.Unstructured
	known := false
	if a.Live != nil {
		live, known = a.Live(t)
	}
	err := a.dryWrite(ctx, op, t, known && live == nil)
	switch {
	case err == nil:
		return shared(op, t, live)
	case meta.IsNoMatchError(err) && t.Option(syncv1alpha1.SyncOptionSkipDryRunOnMissingResource):
		return nil
	case apierrors.IsNotFound(err) && NamespaceMissing(ctx, a.Client, t.ID.Namespace):
		if a.CreatesNamespace == nil || a.CreatesNamespace(t.ID.Namespace) {
			return nil
		}
		return a.classify("dry-run", t, fmt.Errorf(
			"namespace %s does not exist and the operation does not create it (add its Namespace manifest, or CreateNamespace=true in spec.syncOptions for spec.targetNamespace): %w",
			t.ID.Namespace, err))
	case apierrors.IsForbidden(err) && !a.ForbiddenFails && authorizationDenied(err):
		// Authorization is judged at the real write: an earlier step of the
		// same operation may grant it (a Role and RoleBinding in wave -1).
		return nil
	}
	return a.classify("dry-run", t, err)
}

// shared returns a *SharedError when live, the cached live object of a
// non-hook task, belongs to another application than op's.
func shared(op *syncv1alpha1.SyncOperation, t *plan.Task, live *unstructured.Unstructured) error {
	if live == nil || t.IsHook() {
		return nil
	}
	app := live.GetLabels()[syncv1alpha1.LabelApplication]
	if app == "" || app == op.Spec.Application {
		return nil
	}
	return &SharedError{Object: t.ID.String(), Application: app, Refuse: t.Option(syncv1alpha1.SyncOptionFailOnSharedResource)}
}

// dryWrite makes the dry-run of t's write; isNew tells that the cache knows
// the object does not exist.
func (a *Applier) dryWrite(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task, isNew bool) error {
	validate := t.Options[syncv1alpha1.SyncOptionValidate] != "false"
	u := Prepare(op, t)
	switch {
	case t.IsHook() || t.Option(syncv1alpha1.SyncOptionReplace):
		opts := []client.CreateOption{client.DryRunAll, client.FieldOwner(syncv1alpha1.FieldManager)}
		if !validate {
			opts = append(opts, client.FieldValidation(metav1.FieldValidationIgnore))
		}
		err := a.Client.Create(ctx, u, opts...)
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		return err
	case validate && isNew:
		// A new object: the apply would be a create. Strict field
		// validation refuses what an apply refuses (unknown fields).
		err := a.Client.Create(ctx, u, client.DryRunAll, client.FieldOwner(syncv1alpha1.FieldManager),
			client.FieldValidation(metav1.FieldValidationStrict))
		if apierrors.IsAlreadyExists(err) { // created meanwhile by someone else
			return a.dryApply(ctx, Prepare(op, t))
		}
		return err
	}
	return a.dryApply(ctx, u)
}

func (a *Applier) dryApply(ctx context.Context, u *unstructured.Unstructured) error {
	return a.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.DryRunAll,
		client.FieldOwner(syncv1alpha1.FieldManager), client.ForceOwnership)
}

// classify names the object and, for a forbidden write, the impersonated
// ServiceAccount (the API server's message names the verb).
func (a *Applier) classify(verb string, t *plan.Task, err error) error {
	obj := t.ID.String()
	if a.User != "" && apierrors.IsForbidden(err) {
		obj += " as " + a.User
	}
	return classify(verb, obj, err)
}

// NamespaceMissing reports whether namespace ns does not exist (false
// for "", a cluster-scoped object): a dry-run in it fails NotFound, and
// cannot judge the object unless the sync creates the namespace.
func NamespaceMissing(ctx context.Context, r client.Reader, ns string) bool {
	if ns == "" {
		return false
	}
	err := r.Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{})
	return apierrors.IsNotFound(err)
}

// Apply writes one task and returns the object as stored after the write.
func (a *Applier) Apply(ctx context.Context, op *syncv1alpha1.SyncOperation, t *plan.Task) (*unstructured.Unstructured, error) {
	u := Prepare(op, t)
	var err error
	if t.Option(syncv1alpha1.SyncOptionReplace) {
		err = a.replace(ctx, op, u, t)
		if errors.Is(err, errRecreating) {
			return nil, waitFor(t.ID.String(), err)
		}
	} else {
		err = a.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(u),
			client.FieldOwner(syncv1alpha1.FieldManager), client.ForceOwnership)
	}
	if err != nil {
		if a.CRDKinds[t.ID.GroupKind()] && (meta.IsNoMatchError(err) || notServedYet(err)) {
			return nil, waitFor(t.ID.String(), fmt.Errorf("waiting for the CustomResourceDefinition of %s to be established: %w", t.ID.GroupKind(), err))
		}
		return nil, a.classify("apply", t, err)
	}
	return u, nil
}

// errRecreating: Replace=true,Force=true deleted the live object, which
// is created again once it is gone.
var errRecreating = errors.New("Replace=true,Force=true: the live object was deleted; it is created again once it is gone")

// replace creates the object, or replaces the live one (Replace=true).
// With Force=true a live object that another operation wrote is deleted
// first (errRecreating until it is gone); one that op wrote is replaced,
// so a retry or a restart never deletes what op created.
func (a *Applier) replace(ctx context.Context, op *syncv1alpha1.SyncOperation, u *unstructured.Unstructured, t *plan.Task) error {
	opts := []client.CreateOption{client.FieldOwner(syncv1alpha1.FieldManager)}
	if t.Options[syncv1alpha1.SyncOptionValidate] == "false" {
		opts = append(opts, client.FieldValidation(metav1.FieldValidationIgnore))
	}
	err := a.Client.Create(ctx, u, opts...)
	if !apierrors.IsAlreadyExists(err) {
		return err
	}
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(u.GroupVersionKind())
	if err := a.Client.Get(ctx, client.ObjectKeyFromObject(u), live); err != nil {
		return err
	}
	if t.Option(syncv1alpha1.SyncOptionForce) && live.GetAnnotations()[syncv1alpha1.AnnotationOperation] != op.Namespace+"/"+op.Name {
		if live.GetDeletionTimestamp() == nil {
			uid := live.GetUID()
			err := a.Client.Delete(ctx, live, client.Preconditions{UID: &uid}, client.PropagationPolicy(metav1.DeletePropagationBackground))
			if client.IgnoreNotFound(err) != nil {
				return err
			}
		}
		return errRecreating
	}
	u.SetResourceVersion(live.GetResourceVersion())
	uopts := []client.UpdateOption{client.FieldOwner(syncv1alpha1.FieldManager)}
	if t.Options[syncv1alpha1.SyncOptionValidate] == "false" {
		uopts = append(uopts, client.FieldValidation(metav1.FieldValidationIgnore))
	}
	return a.Client.Update(ctx, u, uopts...)
}

// EnsureNamespace creates a namespace if it does not exist.
func (a *Applier) EnsureNamespace(ctx context.Context, op *syncv1alpha1.SyncOperation, name string) error {
	ns := &corev1.Namespace{}
	ns.Name = name
	ns.Annotations = map[string]string{syncv1alpha1.AnnotationOperation: op.Namespace + "/" + op.Name}
	err := a.Client.Create(ctx, ns, client.FieldOwner(syncv1alpha1.FieldManager))
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if apierrors.IsForbidden(err) {
		// Creating is authorised before existence is checked: an identity
		// that may read the namespace but not create namespaces is fine
		// when it exists.
		if a.Client.Get(ctx, client.ObjectKey{Name: name}, &corev1.Namespace{}) == nil {
			return nil
		}
	}
	return classify("create", "Namespace/"+name, err)
}
