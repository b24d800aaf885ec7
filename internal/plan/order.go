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
	"cmp"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// item is a task with the input index of its object, the last tie-breaker
// of the order (two generateName hooks may share an ID).
type item struct {
	Task
	index int
}

// assemble turns valid entries into the ordered plan (without warnings).
func assemble(entries []*entry) *Plan {
	var main, onFail, onDelete, skipped []item
	for _, e := range entries {
		base := Task{ID: e.id, Version: e.version, Object: e.obj, Wave: e.wave, Options: e.options, DependsOn: e.deps}
		switch {
		case e.skipped():
			base.Hook = &Hook{
				Type:           syncv1alpha1.HookTypeSkip,
				Types:          []syncv1alpha1.HookType{syncv1alpha1.HookTypeSkip},
				DeletePolicies: e.policies,
				GenerateName:   e.genName,
			}
			skipped = append(skipped, item{base, e.index})
		case len(e.types) == 0:
			base.Phase = syncv1alpha1.SyncPhaseSync
			main = append(main, item{base, e.index})
		default:
			for _, t := range e.types {
				task := base
				task.Phase = syncv1alpha1.SyncPhase(t)
				task.Hook = &Hook{Type: t, Types: e.types, DeletePolicies: e.policies, GenerateName: e.genName}
				switch t {
				case syncv1alpha1.HookTypeSyncFail:
					onFail = append(onFail, item{task, e.index})
				case syncv1alpha1.HookTypePreDelete, syncv1alpha1.HookTypePostDelete:
					onDelete = append(onDelete, item{task, e.index})
				default:
					main = append(main, item{task, e.index})
				}
			}
		}
	}
	moveAhead(main)
	slices.SortFunc(main, compareItems)
	slices.SortFunc(onFail, compareItems)
	slices.SortFunc(onDelete, compareItems)
	slices.SortFunc(skipped, compareItems)
	p := &Plan{Steps: group(main), OnFail: group(onFail), OnDelete: group(onDelete)}
	for _, it := range skipped {
		p.Skipped = append(p.Skipped, it.Task)
	}
	return p
}

// phaseRank orders the phases; SyncFail steps live in Plan.OnFail.
func phaseRank(p syncv1alpha1.SyncPhase) int {
	switch p {
	case syncv1alpha1.SyncPhasePreSync:
		return 0
	case syncv1alpha1.SyncPhaseSync:
		return 1
	case syncv1alpha1.SyncPhasePrune:
		return 2
	case syncv1alpha1.SyncPhasePruneLast:
		return 3
	case syncv1alpha1.SyncPhasePostSync:
		return 4
	case syncv1alpha1.SyncPhaseSyncFail:
		return 5
	case syncv1alpha1.SyncPhasePreDelete:
		return 6
	case syncv1alpha1.SyncPhasePostDelete:
		return 7
	default:
		return 8
	}
}

// compareSteps orders (phase, wave) pairs.
func compareSteps(pa syncv1alpha1.SyncPhase, wa int32, pb syncv1alpha1.SyncPhase, wb int32) int {
	return cmp.Or(cmp.Compare(phaseRank(pa), phaseRank(pb)), cmp.Compare(wa, wb))
}

// compareItems is the plan order: phase, wave, kind (kindOrder by group
// and kind, then others by group and kind), namespace, name, input
// position.
func compareItems(a, b item) int {
	return cmp.Or(
		compareSteps(a.Phase, a.Wave, b.Phase, b.Wave),
		cmp.Compare(rankOfKind(a.ID.GroupKind()), rankOfKind(b.ID.GroupKind())),
		cmp.Compare(a.ID.Group, b.ID.Group),
		cmp.Compare(a.ID.Kind, b.ID.Kind),
		cmp.Compare(a.ID.Namespace, b.ID.Namespace),
		cmp.Compare(a.ID.Name, b.ID.Name),
		cmp.Compare(a.index, b.index),
	)
}

// moveAhead moves every plain Namespace to the step of the first object
// in it, and every plain CRD to the step of the first custom resource of
// its kind, when that step is earlier. Inside the step the kind order puts
// Namespaces and CRDs first. Only the PreSync, Sync and PostSync tasks
// count: SyncFail hooks run only on failure, so a Namespace cannot wait
// for them.
func moveAhead(items []item) {
	for i := range items {
		t := &items[i].Task
		if t.IsHook() {
			continue
		}
		holds := Holds(t)
		if holds == nil {
			continue
		}
		first := -1
		for j := range items {
			o := &items[j]
			if j == i || !holds(o.ID) {
				continue
			}
			if first < 0 || compareItems(*o, items[first]) < 0 {
				first = j
			}
		}
		if first < 0 || compareSteps(items[first].Phase, items[first].Wave, t.Phase, t.Wave) >= 0 {
			continue
		}
		id := items[first].ID
		t.Phase, t.Wave, t.MovedAheadOf = items[first].Phase, items[first].Wave, &id
	}
}

// group cuts sorted items into steps of one phase and wave.
func group(items []item) []Step {
	var steps []Step
	for _, it := range items {
		if n := len(steps); n == 0 || steps[n-1].Phase != it.Phase || steps[n-1].Wave != it.Wave {
			steps = append(steps, Step{Phase: it.Phase, Wave: it.Wave})
		}
		s := &steps[len(steps)-1]
		s.Tasks = append(s.Tasks, it.Task)
	}
	return steps
}

// definedKind returns the group and kind a CRD task defines (spec.group,
// spec.names.kind).
func definedKind(t *Task) (schema.GroupKind, bool) {
	if t.Object == nil {
		return schema.GroupKind{}, false
	}
	group, _, _ := unstructured.NestedString(t.Object.Object, "spec", "group")
	kind, _, _ := unstructured.NestedString(t.Object.Object, "spec", "names", "kind")
	return schema.GroupKind{Group: group, Kind: kind}, kind != ""
}

// Holds returns, for a Namespace or a CustomResourceDefinition, which
// objects it holds: the ones in the namespace, or the resources of the
// kind it defines. Deleting it deletes them too. It is nil for any other
// object, and for a CRD whose kind is not known.
func Holds(t *Task) func(ObjectID) bool {
	switch {
	case t.ID.Group == "" && t.ID.Kind == "Namespace":
		name := t.ID.Name
		return func(o ObjectID) bool { return o.Namespace == name }
	case t.ID.Group == "apiextensions.k8s.io" && t.ID.Kind == "CustomResourceDefinition":
		gk, ok := definedKind(t)
		if !ok {
			return nil
		}
		return func(o ObjectID) bool { return o.GroupKind() == gk }
	}
	return nil
}
