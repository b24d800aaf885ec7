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
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// NamespacedFrom answers Options.IsNamespaced from a RESTMapper (the API
// server's discovery): a kind it does not know is unknown.
func NamespacedFrom(m meta.RESTMapper) func(schema.GroupKind) (namespaced, known bool) {
	return func(gk schema.GroupKind) (bool, bool) {
		mapping, err := m.RESTMapping(gk)
		if err != nil {
			return false, false
		}
		return mapping.Scope.Name() == meta.RESTScopeNameNamespace, true
	}
}

// DefinedKinds returns the kinds that the plan's CustomResourceDefinitions
// define, in every step: objects of those kinds are not dry-run before the
// start (SPEC §5), since their kind is not served yet.
func (p *Plan) DefinedKinds() map[schema.GroupKind]bool {
	out := map[schema.GroupKind]bool{}
	visit([][]Step{p.Steps, p.OnFail, p.OnDelete}, func(t *Task) bool {
		if t.ID.Group == "apiextensions.k8s.io" && t.ID.Kind == "CustomResourceDefinition" {
			if gk, ok := definedKind(t); ok {
				out[gk] = true
			}
		}
		return true
	})
	return out
}

// HoldsSecrets tells whether any step of the plan writes a core Secret: its
// snapshot must then be a Secret too, or the Secret's data would be
// readable by whoever may read ConfigMaps.
func (p *Plan) HoldsSecrets() bool {
	holds := false
	visit([][]Step{p.Steps, p.OnFail, p.OnDelete}, func(t *Task) bool {
		holds = t.ID.Group == "" && t.ID.Kind == "Secret"
		return !holds
	})
	return holds
}

// CreatedNamespaces returns the names of the Namespaces that the plan's
// steps write (prunes, which delete, are not): an object in one of them
// that does not exist yet cannot be dry-run before the start, while an
// object in a namespace that neither exists nor is written would fail
// at its write (SPEC §5: nothing applied then).
func (p *Plan) CreatedNamespaces() map[string]bool {
	out := map[string]bool{}
	visit([][]Step{p.Steps, p.OnFail}, func(t *Task) bool {
		if t.ID.Group == "" && t.ID.Kind == "Namespace" && !t.Prune {
			out[t.ID.Name] = true
		}
		return true
	})
	return out
}

// GrantsAccess reports whether the plan's steps write RBAC objects (Role,
// RoleBinding, ClusterRole, ClusterRoleBinding): then a write that
// authorization refuses before the start may be allowed by the time its
// step comes, so the start's dry-run does not refuse it.
func (p *Plan) GrantsAccess() bool {
	grants := false
	visit([][]Step{p.Steps, p.OnFail}, func(t *Task) bool {
		switch t.ID.Kind {
		case "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding":
			grants = t.ID.Group == "rbac.authorization.k8s.io" && !t.Prune
		}
		return !grants
	})
	return grants
}

// visit calls fn for every task of the groups of steps, in order, until fn
// returns false.
func visit(groups [][]Step, fn func(t *Task) bool) {
	for _, steps := range groups {
		for i := range steps {
			for j := range steps[i].Tasks {
				if !fn(&steps[i].Tasks[j]) {
					return
				}
			}
		}
	}
}
