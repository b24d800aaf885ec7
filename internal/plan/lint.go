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
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// The lint codes. They are stable: users grep for them and may silence
// them by code. doc.go describes each.
const (
	CodeUsedBeforeCreated     = "SW001"
	CodeSyncFailHookUsesLater = "SW002"
	CodeHookJobNoDeadline     = "SW003"
	CodeHookJobBackoffLimit   = "SW004"
	CodeHookNoBeforeCreation  = "SW005"
	CodeNoHealthCheck         = "SW006"
	CodeHelmHookIgnored       = "SW007"
	CodeUnknownSyncOption     = "SW010"
)

// maxHookBackoffLimit is the largest backoffLimit of a hook Job that does
// not draw a warning.
const maxHookBackoffLimit = 2

// position is the place of a step on the time line of an operation: the
// steps first, then the SyncFail steps (which run only on failure).
type position struct {
	index  int
	onFail bool
	step   *Step
}

// linter collects the warnings of one plan, without duplicates (a hook of
// two phases is looked at twice).
type linter struct {
	opts     Options
	created  map[ObjectID]position
	warnings []Warning
	seen     map[Warning]bool
	crSeen   map[schema.GroupKind]bool
}

func lint(p *Plan, entries []*entry, opts Options) []Warning {
	l := &linter{opts: opts, created: map[ObjectID]position{}, seen: map[Warning]bool{}, crSeen: map[schema.GroupKind]bool{}}
	l.eachTask(p, func(t *Task, pos position) {
		if _, ok := l.created[t.ID]; !ok {
			l.created[t.ID] = pos
		}
	})
	l.eachTask(p, func(t *Task, pos position) {
		l.dependencies(t, pos)
		l.hookJob(t)
		l.hookPolicy(t)
		l.health(t)
		l.lintGraph(t)
	})
	l.specOptions(opts.SyncOptions)
	for _, e := range entries {
		l.syncOptions(e)
		if len(e.helmIgnored) > 0 {
			l.warn(CodeHelmHookIgnored, e.id, "Helm hook %q has no sync equivalent, so the object is never applied (syncwave runs pre-install and pre-upgrade hooks as PreSync, post-install and post-upgrade hooks as PostSync, pre-delete and post-delete hooks in Delete operations)",
				strings.Join(e.helmIgnored, ","))
		}
	}
	return l.warnings
}

// eachTask calls fn for every task in time-line order.
func (l *linter) eachTask(p *Plan, fn func(*Task, position)) {
	for i := range p.Steps {
		for j := range p.Steps[i].Tasks {
			fn(&p.Steps[i].Tasks[j], position{index: i, step: &p.Steps[i]})
		}
	}
	for i := range p.OnFail {
		for j := range p.OnFail[i].Tasks {
			fn(&p.OnFail[i].Tasks[j], position{index: len(p.Steps) + i, onFail: true, step: &p.OnFail[i]})
		}
	}
}

func (l *linter) warn(code string, id ObjectID, format string, args ...any) {
	w := Warning{Code: code, Resource: id, Message: fmt.Sprintf(format, args...)}
	if !l.seen[w] {
		l.seen[w] = true
		l.warnings = append(l.warnings, w)
	}
}

// syncOptions flags the names in an object's sync-options annotation that
// syncwave does not know (SW010): a typo such as "Prun=false" would
// otherwise be ignored without a word, and the object pruned.
func (l *linter) syncOptions(e *entry) {
	if v, ok := e.obj.GetAnnotations()[syncv1alpha1.AnnotationSyncOptions]; ok {
		l.unknownOptions(e.id, strings.Split(v, ","), syncv1alpha1.AnnotationSyncOptions)
	}
}

// specOptions flags the names in spec.syncOptions that syncwave does not
// know (SW010), as a warning about no object (Warning.Resource is zero):
// the controller says it in an event when the operation starts.
func (l *linter) specOptions(items []string) {
	l.unknownOptions(ObjectID{}, items, "spec.syncOptions")
}

// unknownOptions warns, about id, of each name in the sync option items
// (read from where) that syncwave does not know.
func (l *linter) unknownOptions(id ObjectID, items []string, where string) {
	opts, _ := syncv1alpha1.ParseSyncOptions(items)
	for _, name := range slices.Sorted(maps.Keys(opts)) {
		if !syncv1alpha1.KnownSyncOption(name) {
			l.warn(CodeUnknownSyncOption, id, "unknown sync option %q in %s: it has no effect (check the spelling; names are case-sensitive, e.g. Prune, Replace, ServerSideApply)",
				name, where)
		}
	}
}

// dependencies flags pods that need an object this operation creates only
// later: the pods cannot start, so the step never completes (SW001), or a
// SyncFail hook cannot run when the failure comes first (SW002).
func (l *linter) dependencies(t *Task, pos position) {
	for _, r := range podRefs(t) {
		dep := ObjectID{Kind: r.kind, Namespace: t.ID.Namespace, Name: r.name}
		at, ok := l.created[dep]
		if !ok {
			continue
		}
		what := fmt.Sprintf("%s %q (%s)", r.kind, r.name, r.field)
		switch {
		case !pos.onFail && at.onFail:
			l.warn(CodeUsedBeforeCreated, t.ID, "uses %s, which this operation creates only in the SyncFail step %s, which runs only on failure: its pods cannot start, so step %s cannot complete; create the %s in an earlier step",
				what, at.step, pos.step, r.kind)
		case at.index > pos.index:
			l.warn(CodeUsedBeforeCreated, t.ID, "uses %s, which this operation creates only in the later step %s: its pods cannot start, so step %s cannot complete; create the %s in an earlier step (a lower wave or an earlier phase)",
				what, at.step, pos.step, r.kind)
		case pos.onFail && !at.onFail && at.index > 0:
			l.warn(CodeSyncFailHookUsesLater, t.ID, "SyncFail hook uses %s, which this operation creates in step %s: if the operation fails before that step, the hook's pods cannot start; create the %s in the first step or outside the operation",
				what, at.step, r.kind)
		}
	}
}

// hookJob flags hook Jobs that can keep a step waiting for long.
func (l *linter) hookJob(t *Task) {
	if !t.IsHook() || t.ID.Group != "batch" || t.ID.Kind != "Job" {
		return
	}
	spec := mapAt(t.Object.Object, "spec")
	if _, ok := spec["activeDeadlineSeconds"]; !ok {
		l.warn(CodeHookJobNoDeadline, t.ID, "hook Job has no spec.activeDeadlineSeconds: if its pods cannot start or hang, the step waits until the operation times out; set a deadline")
	}
	switch v := spec["backoffLimit"].(type) {
	case nil:
		l.warn(CodeHookJobBackoffLimit, t.ID, "hook Job has no spec.backoffLimit, so a failing pod is retried 6 times (the Kubernetes default) before the hook fails; set it to %d or less", maxHookBackoffLimit)
	case int64:
		if v > maxHookBackoffLimit {
			l.warn(CodeHookJobBackoffLimit, t.ID, "hook Job has spec.backoffLimit %d, so a failing pod is retried %d times before the hook fails; set it to %d or less", v, v, maxHookBackoffLimit)
		}
	case float64:
		if v > maxHookBackoffLimit {
			l.warn(CodeHookJobBackoffLimit, t.ID, "hook Job has spec.backoffLimit %v, above %d; set it to %d or less", v, maxHookBackoffLimit, maxHookBackoffLimit)
		}
	}
}

// hookPolicy flags named hooks that the next operation cannot create again.
func (l *linter) hookPolicy(t *Task) {
	if !t.IsHook() || t.Hook.GenerateName || t.Hook.HasPolicy(syncv1alpha1.HookDeletePolicyBeforeHookCreation) {
		return
	}
	l.warn(CodeHookNoBeforeCreation, t.ID, "named hook without the BeforeHookCreation delete policy: when an earlier run left it in place, the next operation fails with \"already exists\"; add BeforeHookCreation or use metadata.generateName")
}

// health flags custom resources whose health nobody knows, once per kind.
func (l *linter) health(t *Task) {
	gk := t.ID.GroupKind()
	if !isCustomResource(gk) || l.crSeen[gk] {
		return
	}
	l.crSeen[gk] = true
	if l.opts.HasHealthCheck != nil && l.opts.HasHealthCheck(gk) {
		return
	}
	l.warn(CodeNoHealthCheck, t.ID, "no health check is known for %s: only generic status conditions are read, and an object without any counts as Healthy as soon as it exists (when its CRD declares a status subresource: once its controller writes status, or after the status grace); add a Lua health check (spec.healthChecks or the health ConfigMap)",
		gk.String())
}
