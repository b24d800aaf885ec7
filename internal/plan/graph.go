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
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// CodeDependsOnUnjudged is the lint code of a dependency on an object whose
// health cannot be judged (doc.go).
const CodeDependsOnUnjudged = "SW009"

// readDependsOn parses syncwave.dev/depends-on: a comma list of
// "[group/]Kind/[namespace/]name". A namespaced kind without a namespace
// gets the object's own namespace (else the default namespace); a
// cluster-scoped kind loses any namespace, as objects do.
func (b *builder) readDependsOn(r *objectReader, e *entry, ann map[string]string) []ObjectID {
	value, ok := ann[syncv1alpha1.AnnotationDependsOn]
	if !ok {
		return nil
	}
	field := annotationField(syncv1alpha1.AnnotationDependsOn)
	items := splitList(value)
	if len(items) == 0 {
		r.fail(field, "is empty: list objects as [group/]Kind/[namespace/]name, separated by commas")
		return nil
	}
	var out []ObjectID
	for _, item := range items {
		id, err := parseRef(item)
		if err != nil {
			r.fail(field, "%v", err)
			continue
		}
		if !b.namespaced(id.GroupKind()) {
			id.Namespace = ""
		} else if id.Namespace == "" {
			id.Namespace = cmpOr(e.id.Namespace, b.opts.DefaultNamespace)
			if id.Namespace == "" {
				r.fail(field, "%q names a namespaced %s without a namespace and no default namespace is set", item, id.Kind)
				continue
			}
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// parseRef reads "[group/]Kind/[namespace/]name". Of three parts, the first
// is a Kind when it starts with an upper-case letter (Kind/namespace/name),
// else a group (group/Kind/name): API groups are lower-case DNS names.
func parseRef(s string) (ObjectID, error) {
	parts := strings.Split(s, "/")
	bad := func(why string) (ObjectID, error) {
		return ObjectID{}, fmt.Errorf("%q is not [group/]Kind/[namespace/]name: %s", s, why)
	}
	if slices.Contains(parts, "") {
		return bad("an empty part")
	}
	var id ObjectID
	switch len(parts) {
	case 2:
		id = ObjectID{Kind: parts[0], Name: parts[1]}
	case 3:
		if isKind(parts[0]) {
			id = ObjectID{Kind: parts[0], Namespace: parts[1], Name: parts[2]}
		} else {
			id = ObjectID{Group: parts[0], Kind: parts[1], Name: parts[2]}
		}
	case 4:
		id = ObjectID{Group: parts[0], Kind: parts[1], Namespace: parts[2], Name: parts[3]}
	default:
		return bad(fmt.Sprintf("%d parts", len(parts)))
	}
	if !isKind(id.Kind) {
		return bad(fmt.Sprintf("kind %q must start with an upper-case letter", id.Kind))
	}
	if id.Group == "core" {
		id.Group = ""
	}
	return id, nil
}

func isKind(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// checkGraph validates the dependencies of every step: each names an object
// of the same step, and no step has a cycle. Every error names both
// objects.
func (b *builder) checkGraph(p *Plan) []FieldError {
	where := map[ObjectID][]*Step{}
	all := [][]Step{p.Steps, p.OnFail, p.OnDelete}
	for _, steps := range all {
		for i := range steps {
			for j := range steps[i].Tasks {
				id := steps[i].Tasks[j].ID
				where[id] = append(where[id], &steps[i])
			}
		}
	}
	skipped := map[ObjectID]bool{}
	for i := range p.Skipped {
		skipped[p.Skipped[i].ID] = true
	}
	var errs []FieldError
	for _, steps := range all {
		for i := range steps {
			s := &steps[i]
			errs = append(errs, b.checkRefs(s, where, skipped)...)
			errs = append(errs, b.checkCycles(s)...)
		}
	}
	return errs
}

func (b *builder) graphError(t *Task, format string, args ...any) FieldError {
	return FieldError{ID: t.ID, Origin: b.taskOrigin(t), Field: annotationField(syncv1alpha1.AnnotationDependsOn),
		Msg: fmt.Sprintf(format, args...)}
}

// taskOrigin finds where the object of t was read.
func (b *builder) taskOrigin(t *Task) string {
	if i, ok := b.resources[t.ID]; ok && !t.IsHook() {
		return b.origin(i)
	}
	if i, ok := b.hooks[hookKey{id: t.ID, phase: t.Phase}]; ok {
		return b.origin(i)
	}
	return ""
}

func (b *builder) checkRefs(s *Step, where map[ObjectID][]*Step, skipped map[ObjectID]bool) []FieldError {
	var errs []FieldError
	for j := range s.Tasks {
		t := &s.Tasks[j]
		for _, dep := range t.DependsOn {
			steps := where[dep]
			switch {
			case slices.Contains(steps, s):
			case len(steps) > 0:
				names := make([]string, len(steps))
				for k, o := range steps {
					names[k] = o.String()
				}
				errs = append(errs, b.graphError(t, "depends on %s, which is in step %s, not in this object's step %s: depends-on orders objects of one phase and wave; order steps with sync waves",
					dep, strings.Join(names, ", "), s))
			case skipped[dep]:
				errs = append(errs, b.graphError(t, "depends on %s, which is skipped (hook Skip or a Helm hook without a sync equivalent) and never applied", dep))
			default:
				errs = append(errs, b.graphError(t, "depends on %s, which is not in the manifests", dep))
			}
		}
	}
	return errs
}

// checkCycles reports each dependency cycle of step s once, on its first
// object in plan order, naming every object of the cycle.
func (b *builder) checkCycles(s *Step) []FieldError {
	index := make(map[ObjectID]int, len(s.Tasks))
	for j := range s.Tasks {
		index[s.Tasks[j].ID] = j
	}
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(s.Tasks))
	var stack []int
	var errs []FieldError
	var visit func(j int)
	visit = func(j int) {
		color[j] = grey
		stack = append(stack, j)
		for _, dep := range s.Tasks[j].DependsOn {
			k, ok := index[dep]
			if !ok {
				continue // reported by checkRefs
			}
			switch color[k] {
			case white:
				visit(k)
			case grey:
				errs = append(errs, b.cycleError(s, stack[slices.Index(stack, k):]))
			}
		}
		stack = stack[:len(stack)-1]
		color[j] = black
	}
	for j := range s.Tasks {
		if color[j] == white {
			visit(j)
		}
	}
	return errs
}

func (b *builder) cycleError(s *Step, cycle []int) FieldError {
	first := slices.Min(cycle)
	at := slices.Index(cycle, first)
	names := make([]string, 0, len(cycle)+1)
	for k := range cycle {
		names = append(names, s.Tasks[cycle[(at+k)%len(cycle)]].ID.String())
	}
	t := &s.Tasks[first]
	if len(cycle) == 1 {
		return b.graphError(t, "depends on itself")
	}
	names = append(names, t.ID.String())
	return b.graphError(t, "dependency cycle in step %s: %s (each waits for the next, so none can start)", s, strings.Join(names, " -> "))
}

// Dependencies returns, for each task of s, the indexes of the tasks of s
// that it depends on (resolved by ID; a name not in the step is left out).
func (s *Step) Dependencies() [][]int {
	index := make(map[ObjectID]int, len(s.Tasks))
	for j := range s.Tasks {
		index[s.Tasks[j].ID] = j
	}
	var out [][]int
	for j := range s.Tasks {
		for _, dep := range s.Tasks[j].DependsOn {
			k, ok := index[dep]
			if !ok {
				continue
			}
			if out == nil {
				out = make([][]int, len(s.Tasks))
			}
			out[j] = append(out[j], k)
		}
	}
	return out
}

// lintGraph flags a dependency on a custom resource whose health nobody
// knows (SW009): it counts as Healthy as soon as it exists (or once its
// controller first writes a status), so waiting for it orders the writes
// but not the readiness.
func (l *linter) lintGraph(t *Task) {
	for _, dep := range t.DependsOn {
		gk := schema.GroupKind{Group: dep.Group, Kind: dep.Kind}
		if !isCustomResource(gk) || (l.opts.HasHealthCheck != nil && l.opts.HasHealthCheck(gk)) {
			continue
		}
		l.warn(CodeDependsOnUnjudged, t.ID, "depends on %s, but no health check is known for %s: it counts as Healthy as soon as it exists (or its controller first writes a status), so this object may start before %s is ready; add a health check (Lua or CEL) for %s",
			dep, gk.String(), dep.Name, gk.String())
	}
}
