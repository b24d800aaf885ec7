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

package lua

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// The keys of Argo CD's ConfigMap format that hold health checks.
const (
	// CustomizationsKey holds YAML: a map from "group/Kind" (or "Kind") to
	// {health.lua, useOpenLibs, ...}.
	CustomizationsKey = "resource.customizations"
	// HealthKeyPrefix is followed by "<group>_<Kind>" (or "<Kind>").
	HealthKeyPrefix = "resource.customizations.health."
	// UseOpenLibsKeyPrefix is followed by "<group>_<Kind>"; the value is a
	// boolean.
	UseOpenLibsKeyPrefix = "resource.customizations.useOpenLibs."
)

// Script is one health script.
type Script struct {
	// Lua is the script's source.
	Lua string
	// UseOpenLibs opens the string and math libraries for it.
	UseOpenLibs bool
	// Origin says where the script came from (a ConfigMap key,
	// spec.healthChecks[i], a library path); it prefixes error messages.
	Origin string
	// Err is set when the entry is broken (its ConfigMap key does not
	// parse, its script does not compile): the objects of its kinds are
	// Unknown with Err as their message instead of falling back to
	// another check.
	Err error
}

// Overrides holds health scripts by group and kind. Patterns may use * (any
// run of characters, dots included) in the group or the kind, as Argo CD
// allows: "*.crossplane.io/*". A lookup prefers an exact entry; among
// wildcards the one with the most literal characters wins (ties go to the
// alphabetically first pattern), where Argo CD picks any that matches. An
// Overrides read from a directory tree (LoadTree) orders its wildcards as
// Argo CD orders its wildcard directories instead. The zero value and nil
// are empty. An Overrides is not modified after it is built, so it is safe
// for concurrent lookups.
type Overrides struct {
	exact     map[schema.GroupKind]Script
	wildcards []wildcard
	// tree: the wildcards come from directories; see LoadTree.
	tree bool
}

type wildcard struct {
	pattern string // "group/Kind" or "Kind"
	// rank orders the wildcards of a tree: the directory's path.
	rank   string
	script Script
}

// NewOverrides returns an empty Overrides.
func NewOverrides() *Overrides { return &Overrides{} }

// Set adds (or replaces) the script for pattern: "group/Kind", or "Kind"
// for the core group, * allowed.
func (o *Overrides) Set(pattern string, s Script) error {
	group, kind, err := splitPattern(pattern)
	if err != nil {
		return err
	}
	p := joinKey(group, kind)
	if strings.Contains(p, "*") {
		o.setWildcard(wildcard{pattern: p, rank: p, script: s})
		return nil
	}
	if o.exact == nil {
		o.exact = map[schema.GroupKind]Script{}
	}
	o.exact[schema.GroupKind{Group: group, Kind: kind}] = s
	return nil
}

func (o *Overrides) setWildcard(w wildcard) {
	o.wildcards = slices.DeleteFunc(o.wildcards, func(x wildcard) bool { return x.pattern == w.pattern })
	o.wildcards = append(o.wildcards, w)
	slices.SortFunc(o.wildcards, func(a, b wildcard) int {
		if o.tree {
			return strings.Compare(a.rank, b.rank)
		}
		if la, lb := literalLen(a.pattern), literalLen(b.pattern); la != lb {
			return lb - la
		}
		return strings.Compare(a.pattern, b.pattern)
	})
}

// Lookup returns the script for gk.
func (o *Overrides) Lookup(gk schema.GroupKind) (Script, bool) {
	if o == nil {
		return Script{}, false
	}
	if s, ok := o.exact[gk]; ok {
		return s, true
	}
	if len(o.wildcards) == 0 {
		return Script{}, false
	}
	key := joinKey(gk.Group, gk.Kind)
	match := globMatch
	if o.tree {
		match = segmentMatch
	}
	for _, w := range o.wildcards {
		if match(w.pattern, key) {
			return w.script, true
		}
	}
	return Script{}, false
}

// HasScript tells whether there is a script for gk (the planner's lint
// warns about custom resources without one).
func (o *Overrides) HasScript(gk schema.GroupKind) bool {
	_, ok := o.Lookup(gk)
	return ok
}

// Len returns the number of patterns.
func (o *Overrides) Len() int {
	if o == nil {
		return 0
	}
	return len(o.exact) + len(o.wildcards)
}

// Patterns returns the patterns, sorted.
func (o *Overrides) Patterns() []string {
	if o == nil {
		return nil
	}
	out := make([]string, 0, o.Len())
	for gk := range o.exact {
		out = append(out, joinKey(gk.Group, gk.Kind))
	}
	for _, w := range o.wildcards {
		out = append(out, w.pattern)
	}
	slices.Sort(out)
	return out
}

// FromHealthChecks builds the overrides of a SyncOperation's
// spec.healthChecks. A later entry for the same group and kind replaces an
// earlier one; an entry without a kind or a script is skipped (the CRD
// validation rejects those).
func FromHealthChecks(checks []syncv1alpha1.HealthCheck) *Overrides {
	o := NewOverrides()
	for i, hc := range checks {
		if hc.Kind == "" || strings.TrimSpace(hc.Lua) == "" {
			continue
		}
		_ = o.Set(joinKey(hc.Group, hc.Kind), Script{
			Lua:         hc.Lua,
			UseOpenLibs: hc.UseOpenLibs,
			Origin:      fmt.Sprintf("spec.healthChecks[%d]", i),
		})
	}
	return o
}

var errEmptyKind = errors.New("the kind is empty")

func splitPattern(p string) (group, kind string, err error) {
	group, kind, found := strings.Cut(p, "/")
	if !found {
		group, kind = "", p
	}
	if kind == "" {
		return "", "", fmt.Errorf("%q: %w", p, errEmptyKind)
	}
	if found && group == "" {
		return "", "", fmt.Errorf("%q: the group before / is empty (write the core group's kinds without a group)", p)
	}
	if strings.ContainsAny(kind, "/ \t\n") || strings.ContainsAny(group, " \t\n") {
		return "", "", fmt.Errorf("%q: want group/Kind or Kind", p)
	}
	return group, kind, nil
}

func joinKey(group, kind string) string {
	if group == "" {
		return kind
	}
	return group + "/" + kind
}

func literalLen(p string) int { return len(p) - strings.Count(p, "*") }

// segmentMatch is globMatch where * stays within the group or the kind:
// pattern and s must have as many /-separated segments, each matching.
func segmentMatch(pattern, s string) bool {
	ps, ss := strings.Split(pattern, "/"), strings.Split(s, "/")
	if len(ps) != len(ss) {
		return false
	}
	for i := range ps {
		if !globMatch(ps[i], ss[i]) {
			return false
		}
	}
	return true
}

// globMatch matches s against a pattern where * stands for any run of
// characters (including none, dots and slashes).
func globMatch(pattern, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && pattern[px] == '*':
			starP, starS = px, sx
			px++
		case px < len(pattern) && pattern[px] == s[sx]:
			px++
			sx++
		case starP >= 0:
			starS++
			px, sx = starP+1, starS
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}
