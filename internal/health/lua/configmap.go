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
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// KeyError is a key of the health ConfigMap that does not parse: YAML in
// resource.customizations that does not parse, a malformed key, a
// useOpenLibs value that is not a boolean, a script that does not compile.
type KeyError struct {
	// Key is the ConfigMap key.
	Key string
	// Entry is the pattern of the resource.customizations entry at fault;
	// "" when the fault is the whole key's.
	Entry string
	// Err says what is wrong.
	Err error
}

// Where is the key, and the entry within it.
func (e *KeyError) Where() string {
	if e.Entry != "" {
		return fmt.Sprintf("%s[%q]", e.Key, e.Entry)
	}
	return e.Key
}

func (e *KeyError) Error() string { return e.Where() + ": " + e.Err.Error() }

func (e *KeyError) Unwrap() error { return e.Err }

// objectError is what the objects of the kinds a broken key was meant for
// get as their Unknown message.
func (e *KeyError) objectError() error {
	return fmt.Errorf("health ConfigMap key %s does not parse: %w", e.Where(), e.Err)
}

// customization is the part of an entry of the YAML resource.customizations
// key that health uses; actions, ignoreDifferences and so on are ignored.
type customization struct {
	HealthLua   string `json:"health.lua"`
	UseOpenLibs bool   `json:"health.lua.useOpenLibs,omitempty"`
	// LegacyOpenLibs is the key that earlier builds of syncwave read and
	// wrote (useOpenLibs, not Argo CD's); it is still read, never written.
	LegacyOpenLibs bool `json:"useOpenLibs,omitempty"`
}

// cmEntry gathers what the keys of a ConfigMap say about one pattern.
type cmEntry struct {
	script  Script
	fromKey bool      // a resource.customizations.health.* key set the script
	yamlErr *KeyError // resource.customizations (or its entry) is broken
	keyErr  *KeyError // the pattern's useOpenLibs key is broken
}

type cmParser struct {
	entries map[string]*cmEntry
	errs    []error
}

func (c *cmParser) entry(p string) *cmEntry {
	if c.entries[p] == nil {
		c.entries[p] = &cmEntry{}
	}
	return c.entries[p]
}

// ParseConfigMap reads health scripts from the data of a ConfigMap in Argo
// CD's format: the YAML resource.customizations key, then the keys
// resource.customizations.health.<group>_<Kind> and
// resource.customizations.useOpenLibs.<group>_<Kind>, which win over the YAML
// for the same group and kind (Argo CD merges them the same way). Other keys
// are ignored.
//
// Every bad entry gives a *KeyError that names its key; the other entries
// are kept. A bad entry is not dropped silently either: where the kinds it
// was meant for are known, the Overrides holds a broken Script for them
// (Script.Err), so that their objects become Unknown with "health ConfigMap
// key K does not parse: ..." instead of falling back to another check. When
// the YAML of resource.customizations does not parse at all, its entries'
// patterns are read, as well as can be, from the lines that start a
// top-level key.
func ParseConfigMap(data map[string]string) (*Overrides, []error) {
	c := &cmParser{entries: map[string]*cmEntry{}}
	if raw, ok := data[CustomizationsKey]; ok && strings.TrimSpace(raw) != "" {
		c.customizations(raw)
	}
	for _, k := range slices.Sorted(maps.Keys(data)) {
		switch {
		case strings.HasPrefix(k, HealthKeyPrefix):
			c.healthKey(k, data[k])
		case strings.HasPrefix(k, UseOpenLibsKeyPrefix):
			c.useOpenLibsKey(k, data[k])
		}
	}
	return c.overrides()
}

func (c *cmParser) customizations(raw string) {
	var m map[string]any
	if err := yaml.Unmarshal([]byte(raw), &m); err != nil {
		ke := &KeyError{Key: CustomizationsKey, Err: err}
		c.errs = append(c.errs, ke)
		for _, p := range topLevelKeys(raw) {
			if _, _, err := splitPattern(p); err == nil {
				c.entry(p).yamlErr = ke
			}
		}
		return
	}
	for _, p := range slices.Sorted(maps.Keys(m)) {
		if _, _, err := splitPattern(p); err != nil {
			c.errs = append(c.errs, &KeyError{Key: CustomizationsKey, Err: err})
			continue
		}
		var cz customization
		b, err := json.Marshal(m[p])
		if err == nil {
			err = json.Unmarshal(b, &cz)
		}
		if err != nil {
			ke := &KeyError{Key: CustomizationsKey, Entry: p, Err: err}
			c.errs = append(c.errs, ke)
			c.entry(p).yamlErr = ke
			continue
		}
		e := c.entry(p)
		e.script = Script{Lua: cz.HealthLua, UseOpenLibs: cz.UseOpenLibs || cz.LegacyOpenLibs, Origin: fmt.Sprintf("%s[%q]", CustomizationsKey, p)}
	}
}

func (c *cmParser) healthKey(k, v string) {
	p, err := keyToPattern(strings.TrimPrefix(k, HealthKeyPrefix))
	if err != nil {
		c.errs = append(c.errs, &KeyError{Key: k, Err: err})
		return
	}
	e := c.entry(p)
	e.script.Lua, e.script.Origin, e.fromKey = v, k, true
}

func (c *cmParser) useOpenLibsKey(k, v string) {
	p, err := keyToPattern(strings.TrimPrefix(k, UseOpenLibsKeyPrefix))
	if err != nil {
		c.errs = append(c.errs, &KeyError{Key: k, Err: err})
		return
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		ke := &KeyError{Key: k, Err: fmt.Errorf("want true or false, got %q", v)}
		c.errs = append(c.errs, ke)
		c.entry(p).keyErr = ke
		return
	}
	c.entry(p).script.UseOpenLibs = b
}

// overrides builds the result: a broken entry becomes a Script with Err.
func (c *cmParser) overrides() (*Overrides, []error) {
	o := NewOverrides()
	for _, p := range slices.Sorted(maps.Keys(c.entries)) {
		e := c.entries[p]
		s := e.script
		hasLua := strings.TrimSpace(s.Lua) != ""
		var broken *KeyError
		switch {
		case e.keyErr != nil && hasLua:
			broken = e.keyErr
		case e.yamlErr != nil && !e.fromKey:
			broken = e.yamlErr
		case !hasLua:
			continue
		default:
			if _, err := compileScript(s.Lua); err != nil {
				broken = originError(s.Origin, p, err)
				c.errs = append(c.errs, broken)
			}
		}
		if broken != nil {
			s.Err = broken.objectError()
			if s.Origin == "" {
				s.Origin = broken.Where()
			}
		}
		if err := o.Set(p, s); err != nil {
			c.errs = append(c.errs, &KeyError{Key: s.Origin, Err: err})
		}
	}
	return o, c.errs
}

// originError is the KeyError of the script from origin (a key of its own,
// or an entry of resource.customizations) for pattern p.
func originError(origin, p string, err error) *KeyError {
	if strings.HasPrefix(origin, CustomizationsKey+"[") {
		return &KeyError{Key: CustomizationsKey, Entry: p, Err: err}
	}
	return &KeyError{Key: origin, Err: err}
}

// topLevelKeys returns, as well as YAML that does not parse allows, the keys
// of its top-level map: the lines that start in the first column with a
// (possibly quoted) key followed by a colon.
func topLevelKeys(raw string) []string {
	var out []string
	for _, line := range strings.Split(raw, "\n") {
		if line == "" || strings.ContainsRune(" \t#-", rune(line[0])) {
			continue
		}
		var key string
		if q := line[0]; q == '"' || q == '\'' {
			end := strings.IndexByte(line[1:], q)
			if end < 0 || !strings.HasPrefix(strings.TrimLeft(line[end+2:], " "), ":") {
				continue
			}
			key = line[1 : end+1]
		} else {
			k, _, found := strings.Cut(line, ":")
			if !found {
				continue
			}
			key = strings.TrimSpace(k)
		}
		if key != "" {
			out = append(out, key)
		}
	}
	return out
}

// keyToPattern turns the "<group>_<Kind>" suffix of a ConfigMap key into
// "group/Kind" ("<Kind>" alone is the core group).
func keyToPattern(suffix string) (string, error) {
	parts := strings.Split(suffix, "_")
	switch {
	case len(parts) == 1 && parts[0] != "":
		return parts[0], nil
	case len(parts) == 2 && parts[0] != "" && parts[1] != "":
		return parts[0] + "/" + parts[1], nil
	}
	return "", fmt.Errorf("want a key suffix <group>_<Kind> or <Kind>, got %q", suffix)
}
