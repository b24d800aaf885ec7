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

package plan

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// ObjectID identifies one object of a plan: group, kind, namespace and name.
// For a hook that only has metadata.generateName, Name is that prefix and
// GenerateName is true.
type ObjectID struct {
	Group     string `json:"group,omitempty"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// GroupKind returns the group and kind of the object.
func (id ObjectID) GroupKind() schema.GroupKind {
	return schema.GroupKind{Group: id.Group, Kind: id.Kind}
}

// String renders the ID as "group/Kind/namespace/name", leaving out an empty
// group and an empty namespace: "apps/Deployment/prod/api",
// "Namespace/prod", "ConfigMap/prod/cfg".
func (id ObjectID) String() string {
	s := id.Kind
	if id.Group != "" {
		s = id.Group + "/" + s
	}
	if id.Namespace != "" {
		s += "/" + id.Namespace
	}
	return s + "/" + id.Name
}

// Hook describes how a task that is a hook runs.
type Hook struct {
	// Type is the hook type of this task (one task per type of the object).
	Type syncv1alpha1.HookType `json:"type"`
	// Types are all the hook types the object declares.
	Types []syncv1alpha1.HookType `json:"types,omitempty"`
	// DeletePolicies default to BeforeHookCreation.
	DeletePolicies []syncv1alpha1.HookDeletePolicy `json:"deletePolicies,omitempty"`
	// GenerateName is true when the object has only metadata.generateName;
	// the runtime gives it a deterministic name per operation.
	GenerateName bool `json:"generateName,omitempty"`
}

// HasPolicy reports whether the hook has the delete policy p.
func (h *Hook) HasPolicy(p syncv1alpha1.HookDeletePolicy) bool {
	for _, x := range h.DeletePolicies {
		if x == p {
			return true
		}
	}
	return false
}

// Task is one object applied (or one hook created) in one step.
type Task struct {
	// ID identifies the object. The namespace is already defaulted.
	ID ObjectID `json:"id"`
	// Version is the API version of the object ("v1", "apps/v1" -> "v1").
	Version string `json:"version"`
	// Object is the manifest, with its namespace defaulted. Callers must not
	// mutate it; DeepCopy first.
	Object *unstructured.Unstructured `json:"object"`
	// Phase and Wave place the task.
	Phase syncv1alpha1.SyncPhase `json:"phase"`
	Wave  int32                  `json:"wave"`
	// Hook is nil for a plain resource.
	Hook *Hook `json:"hook,omitempty"`
	// Options are the effective sync options (spec.syncOptions overridden
	// by the object's annotation), e.g. {"Replace": "true"}.
	Options map[string]string `json:"options,omitempty"`
	// MovedAheadOf is set on a Namespace or CRD that Build moved to an
	// earlier step than its own annotations say: the first object in that
	// namespace, or the first custom resource of that kind.
	MovedAheadOf *ObjectID `json:"movedAheadOf,omitempty"`
	// Prune is true for a task that deletes the object instead of applying
	// it: an object of the application's inventory that the operation
	// prunes or tears down (phases Prune and PruneLast). Object then holds
	// only apiVersion, kind, name and namespace.
	Prune bool `json:"prune,omitempty"`
	// DependsOn are the objects of the same step (syncwave.dev/depends-on,
	// namespaces defaulted) that must be healthy, or for a hook succeeded,
	// before this task is applied.
	DependsOn []ObjectID `json:"dependsOn,omitempty"`
	// Inventoried is set on a plain resource that the application's
	// inventory already held when the operation started (MarkInventoried):
	// it stays the application's even if this operation fails before it
	// writes it.
	Inventoried bool `json:"inventoried,omitempty"`
}

// IsHook reports whether the task is a hook.
func (t *Task) IsHook() bool { return t.Hook != nil }

// Option reports whether the sync option name is set to "true".
func (t *Task) Option(name string) bool { return t.Options[name] == "true" }

// Step is one (phase, wave) of a plan, with its tasks in apply order.
type Step struct {
	Phase syncv1alpha1.SyncPhase `json:"phase"`
	Wave  int32                  `json:"wave"`
	Tasks []Task                 `json:"tasks"`
}

// String renders the step as "Phase/wave", e.g. "Sync/3".
func (s *Step) String() string { return fmt.Sprintf("%s/%d", s.Phase, s.Wave) }

// Plan is the ordered plan of an operation.
type Plan struct {
	// Steps are the PreSync, Sync and PostSync steps in execution order.
	Steps []Step `json:"steps"`
	// OnFail are the SyncFail steps, by wave; they run only on failure.
	OnFail []Step `json:"onFail,omitempty"`
	// OnDelete are the PreDelete and PostDelete hook steps; only a Delete
	// operation runs them (Teardown).
	OnDelete []Step `json:"onDelete,omitempty"`
	// Skipped are objects annotated hook=Skip; they are never applied.
	Skipped []Task `json:"skipped,omitempty"`
	// Kept are the entries of the application's previous inventory that
	// the manifests no longer contain, left in place by an operation
	// without spec.prune: they stay part of the application (Inventory), so
	// that a later prune or teardown still deletes them.
	Kept []Entry `json:"kept,omitempty"`
	// Warnings are lint findings; with --strict they are errors.
	Warnings []Warning `json:"warnings,omitempty"`
}

// Warning is one lint finding about one object.
type Warning struct {
	// Code is stable, e.g. "SW001".
	Code string `json:"code"`
	// Resource is the object the warning is about.
	Resource ObjectID `json:"resource"`
	// Message says what is wrong and how to fix it.
	Message string `json:"message"`
}
