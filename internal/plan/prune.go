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
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// CodeUsesPruned is the lint code of a hook whose pods need an object that
// a prune step of the same operation deletes before the hook runs.
const CodeUsesPruned = "SW008"

// Entry is one object of an application's inventory: what an operation
// applied, or left in place, with the place it had in that operation's
// plan.
type Entry struct {
	ID      ObjectID               `json:"id"`
	Version string                 `json:"version"`
	Phase   syncv1alpha1.SyncPhase `json:"phase"`
	Wave    int32                  `json:"wave"`
	// PruneLast is the PruneLast=true sync option the object was applied with.
	PruneLast bool `json:"pruneLast,omitempty"`
	// Defines is, for a CustomResourceDefinition, the kind it defines: a
	// prune keeps a CRD whose resources the operation keeps or applies.
	Defines *schema.GroupKind `json:"defines,omitempty"`
}

// Inventory lists the objects that an operation with plan p leaves to its
// application: the tasks for which in is true, and the objects it left in
// place without spec.prune (p.Kept), which stay part of the application.
// A nil in takes what a Succeeded operation leaves: every plain resource,
// all of them applied, and no prune task. Hooks are never part of an
// inventory.
func Inventory(p *Plan, in func(t *Task) bool) []Entry {
	if in == nil {
		in = func(t *Task) bool { return !t.Prune }
	}
	var out []Entry
	for i := range p.Steps {
		for j := range p.Steps[i].Tasks {
			t := &p.Steps[i].Tasks[j]
			if t.IsHook() || !in(t) {
				continue
			}
			e := Entry{ID: t.ID, Version: t.Version, Phase: t.Phase, Wave: t.Wave,
				PruneLast: t.Option(syncv1alpha1.SyncOptionPruneLast)}
			if gk, ok := definedKind(t); ok && t.ID.Group == "apiextensions.k8s.io" && t.ID.Kind == "CustomResourceDefinition" {
				e.Defines = &gk
			}
			out = append(out, e)
		}
	}
	return append(out, p.Kept...)
}

// MarkInventoried sets Task.Inventoried on the plain resources of p that
// the application's inventory holds: an operation that fails before it
// writes them still leaves them to its application.
func MarkInventoried(p *Plan, inventory []Entry) {
	held := make(map[ObjectID]bool, len(inventory))
	for _, e := range inventory {
		held[e.ID] = true
	}
	for i := range p.Steps {
		for j := range p.Steps[i].Tasks {
			if t := &p.Steps[i].Tasks[j]; !t.IsHook() && !t.Prune && held[t.ID] {
				t.Inventoried = true
			}
		}
	}
}

// PruneCandidates returns the entries of the previous inventory that plan p
// does not contain in any form (a resource, a hook, a skipped object), in
// inventory order.
func PruneCandidates(p *Plan, previous []Entry) []Entry {
	present := map[ObjectID]bool{}
	for _, steps := range [][]Step{p.Steps, p.OnFail, p.OnDelete} {
		for i := range steps {
			for j := range steps[i].Tasks {
				present[steps[i].Tasks[j].ID] = true
			}
		}
	}
	for i := range p.Skipped {
		present[p.Skipped[i].ID] = true
	}
	var out []Entry
	for _, e := range previous {
		if !present[e.ID] {
			out = append(out, e)
		}
	}
	return out
}

// AddPrune inserts the prune steps of candidates into p, after its last
// Sync step and before its PostSync steps, and lints what they delete.
func AddPrune(p *Plan, candidates []Entry) {
	steps := PruneSteps(candidates)
	if len(steps) == 0 {
		return
	}
	at := len(p.Steps)
	for i, s := range p.Steps {
		if phaseRank(s.Phase) > phaseRank(syncv1alpha1.SyncPhaseSync) {
			at = i
			break
		}
	}
	p.Steps = slices.Concat(p.Steps[:at:at], steps, p.Steps[at:])
	p.Warnings = append(p.Warnings, lintPruned(p)...)
}

// Teardown turns p, the plan of a Delete operation's manifests, into the
// teardown of inventory: the PreDelete hook steps, the prune steps of every
// object of the inventory, then the PostDelete hook steps. The manifests'
// other objects and hooks are not part of a teardown.
func Teardown(p *Plan, inventory []Entry) *Plan {
	out := &Plan{}
	var post []Step
	for _, s := range p.OnDelete {
		if s.Phase == syncv1alpha1.SyncPhasePreDelete {
			out.Steps = append(out.Steps, s)
		} else {
			post = append(post, s)
		}
	}
	out.Steps = append(out.Steps, PruneSteps(inventory)...)
	out.Steps = append(out.Steps, post...)
	kept := map[ObjectID]bool{}
	for i := range out.Steps {
		for j := range out.Steps[i].Tasks {
			kept[out.Steps[i].Tasks[j].ID] = true
		}
	}
	for _, w := range p.Warnings {
		if kept[w.Resource] && w.Code != CodeUsedBeforeCreated {
			out.Warnings = append(out.Warnings, w)
		}
	}
	out.Warnings = append(out.Warnings, lintPruned(out)...)
	return out
}

// PruneSteps orders the deletion of entries (SPEC §13): one Prune step per
// wave, highest wave first; then the PruneLast step of wave 0 with the
// objects that have PruneLast=true, and the PruneLast step of wave 1 with
// Namespaces and CustomResourceDefinitions, which take what is left in
// them along. Inside a step, tasks come in reverse kind order (workloads
// before the ConfigMaps and ServiceAccounts they use), then namespace and
// name.
func PruneSteps(entries []Entry) []Step {
	byKey := map[[2]int64][]Task{}
	for _, e := range entries {
		phase, wave := syncv1alpha1.SyncPhasePrune, e.Wave
		switch {
		case containsOthers(e.ID):
			phase, wave = syncv1alpha1.SyncPhasePruneLast, 1
		case e.PruneLast:
			phase, wave = syncv1alpha1.SyncPhasePruneLast, 0
		}
		k := [2]int64{int64(phaseRank(phase)), int64(wave)}
		byKey[k] = append(byKey[k], pruneTask(e, phase, wave))
	}
	keys := make([][2]int64, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]int64) int {
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		if a[0] == int64(phaseRank(syncv1alpha1.SyncPhasePrune)) {
			return cmp.Compare(b[1], a[1]) // highest wave first
		}
		return cmp.Compare(a[1], b[1])
	})
	steps := make([]Step, 0, len(keys))
	for _, k := range keys {
		tasks := byKey[k]
		slices.SortFunc(tasks, comparePrune)
		steps = append(steps, Step{Phase: tasks[0].Phase, Wave: tasks[0].Wave, Tasks: tasks})
	}
	return steps
}

// containsOthers reports whether deleting the object deletes others: a
// Namespace (its objects) or a CustomResourceDefinition (its resources).
func containsOthers(id ObjectID) bool {
	return (id.Group == "" && id.Kind == "Namespace") ||
		(id.Group == "apiextensions.k8s.io" && id.Kind == "CustomResourceDefinition")
}

func comparePrune(a, b Task) int {
	return cmp.Or(
		cmp.Compare(rankOfKind(b.ID.GroupKind()), rankOfKind(a.ID.GroupKind())),
		cmp.Compare(a.ID.Group, b.ID.Group),
		cmp.Compare(a.ID.Kind, b.ID.Kind),
		cmp.Compare(a.ID.Namespace, b.ID.Namespace),
		cmp.Compare(a.ID.Name, b.ID.Name),
	)
}

func pruneTask(e Entry, phase syncv1alpha1.SyncPhase, wave int32) Task {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(schema.GroupVersionKind{Group: e.ID.Group, Version: e.Version, Kind: e.ID.Kind})
	u.SetName(e.ID.Name)
	u.SetNamespace(e.ID.Namespace)
	if e.Defines != nil { // what the CRD defines, for Holds and a later inventory
		_ = unstructured.SetNestedField(u.Object, e.Defines.Group, "spec", "group")
		_ = unstructured.SetNestedField(u.Object, e.Defines.Kind, "spec", "names", "kind")
	}
	t := Task{ID: e.ID, Version: e.Version, Object: u, Phase: phase, Wave: wave, Prune: true}
	if e.PruneLast {
		t.Options = map[string]string{syncv1alpha1.SyncOptionPruneLast: "true"}
	}
	return t
}

// lintPruned flags hooks whose namespace, or an object their pods need
// (ServiceAccount, Secret, ConfigMap, PersistentVolumeClaim), an earlier
// prune step of the same plan deletes: e.g. a PostDelete hook whose
// ServiceAccount or Namespace the teardown removed before it runs.
func lintPruned(p *Plan) []Warning {
	pruned := map[ObjectID]*Step{}
	var out []Warning
	for i := range p.Steps {
		s := &p.Steps[i]
		for j := range s.Tasks {
			t := &s.Tasks[j]
			if t.Prune {
				pruned[t.ID] = s
				continue
			}
			if !t.IsHook() {
				continue
			}
			if at, ok := pruned[ObjectID{Kind: "Namespace", Name: t.ID.Namespace}]; ok && t.ID.Namespace != "" {
				out = append(out, Warning{Code: CodeUsesPruned, Resource: t.ID, Message: fmt.Sprintf(
					"runs in namespace %q, which step %s of this operation deletes before the hook runs in step %s: it cannot be created; put the hook in a namespace outside the application",
					t.ID.Namespace, at, s)})
			}
			for _, r := range podRefs(t) {
				dep := ObjectID{Kind: r.kind, Namespace: t.ID.Namespace, Name: r.name}
				if at, ok := pruned[dep]; ok {
					out = append(out, Warning{Code: CodeUsesPruned, Resource: t.ID, Message: fmt.Sprintf(
						"uses %s %q (%s), which step %s of this operation deletes before the hook runs in step %s: its pods cannot start; keep the %s out of the application or give the hook its own",
						r.kind, r.name, r.field, at, s, r.kind)})
				}
			}
		}
	}
	return out
}

// ResolveVersions moves inventory entries whose version is not served any
// more to the version the API server prefers for their kind; entries of
// kinds not served at all keep theirs (the prune reports them).
func ResolveVersions(inv []Entry, mapper meta.RESTMapper) {
	for i := range inv {
		gk := inv[i].ID.GroupKind()
		if _, err := mapper.RESTMapping(gk, inv[i].Version); err == nil {
			continue
		}
		if m, err := mapper.RESTMapping(gk); err == nil {
			inv[i].Version = m.GroupVersionKind.Version
		}
	}
}
