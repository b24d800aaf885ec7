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

	"sigs.k8s.io/yaml"
)

// ConfigMapData writes o in Argo CD's ConfigMap format, so that
// ParseConfigMap reads the same scripts back: an exact entry becomes the key
// resource.customizations.health.<group>_<Kind> (<Kind> for the core group),
// with resource.customizations.useOpenLibs.<group>_<Kind>: "true" when it
// uses the open libraries; the wildcards (and a group or kind with a _,
// which a key cannot hold) become entries of the YAML resource.customizations
// key. A broken script (Script.Err) is an error; all of them are joined.
//
// The warnings say where the ConfigMap cannot look up as o does: a ConfigMap
// prefers, among matching wildcards, the one with the most literal
// characters, where a tree (LoadTree) takes the first directory in byte
// order; and a ConfigMap's * matches across the / of group/Kind, so a
// wildcard without a group matches the kinds of every group there.
func (o *Overrides) ConfigMapData() (data map[string]string, warnings []string, err error) {
	data = map[string]string{}
	yamlEntries := map[string]customization{}
	var errs []error
	if o == nil {
		return data, nil, nil
	}
	for gk, s := range o.exact {
		if s.Err != nil {
			errs = append(errs, s.Err)
			continue
		}
		if strings.Contains(gk.Group, "_") || strings.Contains(gk.Kind, "_") {
			yamlEntries[joinKey(gk.Group, gk.Kind)] = customization{HealthLua: s.Lua, UseOpenLibs: s.UseOpenLibs}
			continue
		}
		suffix := gk.Kind
		if gk.Group != "" {
			suffix = gk.Group + "_" + gk.Kind
		}
		data[HealthKeyPrefix+suffix] = s.Lua
		if s.UseOpenLibs {
			data[UseOpenLibsKeyPrefix+suffix] = "true"
		}
	}
	for _, w := range o.wildcards {
		if w.script.Err != nil {
			errs = append(errs, w.script.Err)
			continue
		}
		yamlEntries[w.pattern] = customization{HealthLua: w.script.Lua, UseOpenLibs: w.script.UseOpenLibs}
	}
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return nil, nil, errors.Join(errs...)
	}
	if len(yamlEntries) > 0 {
		raw, err := yaml.Marshal(yamlEntries)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", CustomizationsKey, err)
		}
		data[CustomizationsKey] = string(raw)
	}
	return data, o.configMapWarnings(), nil
}

// configMapWarnings compares the lookups of o's wildcards with those of a
// ConfigMap holding them.
func (o *Overrides) configMapWarnings() []string {
	var out []string
	for i, a := range o.wildcards {
		if !strings.Contains(a.pattern, "/") {
			out = append(out, fmt.Sprintf("wildcard %q has no group: in a ConfigMap it matches the kinds of every group, not only the core group's", a.pattern))
		}
		for _, b := range o.wildcards[i+1:] {
			if !patternsOverlap(a.pattern, b.pattern) {
				continue
			}
			cm := NewOverrides()
			cm.setWildcard(a)
			cm.setWildcard(b)
			if cm.wildcards[0].pattern != a.pattern {
				out = append(out, fmt.Sprintf("wildcards %q and %q may both match a kind: here %q wins, in a ConfigMap %q", a.pattern, b.pattern, a.pattern, b.pattern))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// patternsOverlap tells whether some group/Kind matches both patterns: they
// have as many segments and each pair of segments overlaps. (A pattern
// without a group is warned about on its own.)
func patternsOverlap(p, q string) bool {
	ps, qs := strings.Split(p, "/"), strings.Split(q, "/")
	if len(ps) != len(qs) {
		return false
	}
	for i := range ps {
		if !globsOverlap(ps[i], qs[i]) {
			return false
		}
	}
	return true
}

// globsOverlap tells whether some string matches both patterns (with *
// matching any run of characters).
func globsOverlap(p, q string) bool {
	type state struct{ i, j int }
	seen := map[state]bool{}
	var walk func(i, j int) bool
	walk = func(i, j int) bool {
		st := state{i, j}
		if seen[st] {
			return false
		}
		seen[st] = true
		if i == len(p) && j == len(q) {
			return true
		}
		pStar := i < len(p) && p[i] == '*'
		qStar := j < len(q) && q[j] == '*'
		switch {
		case pStar && walk(i+1, j): // p's * matches nothing more
			return true
		case qStar && walk(i, j+1):
			return true
		case i == len(p) || j == len(q):
			return false
		case pStar && walk(i, j+1): // p's * takes q's next character or *
			return true
		case qStar && walk(i+1, j):
			return true
		}
		return !pStar && !qStar && p[i] == q[j] && walk(i+1, j+1)
	}
	return walk(0, 0)
}
