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

package cel

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// KeyPrefix starts the health ConfigMap keys that hold CEL checks:
// health.cel.<group>_<Kind>, or health.cel.<Kind> for the core group.
const KeyPrefix = "health.cel."

// ParseChecks reads YAML or JSON holding one healthCheckExprs entry or a
// list of them. Unknown fields are errors, so that a misnamed expression
// (healthy, ready, ...) is not silently ignored.
func ParseChecks(raw []byte) ([]syncv1alpha1.HealthCheckExpr, error) {
	var doc any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parse health checks: %w", err)
	}
	switch doc.(type) {
	case nil:
		return nil, errors.New("no health check: the document is empty")
	case []any:
		var list []syncv1alpha1.HealthCheckExpr
		if err := yaml.UnmarshalStrict(raw, &list); err != nil {
			return nil, fmt.Errorf("parse health checks: %w", err)
		}
		return list, nil
	case map[string]any:
		var one syncv1alpha1.HealthCheckExpr
		if err := yaml.UnmarshalStrict(raw, &one); err != nil {
			return nil, fmt.Errorf("parse health check: %w", err)
		}
		return []syncv1alpha1.HealthCheckExpr{one}, nil
	}
	return nil, errors.New("want a healthCheckExprs entry {apiVersion, kind, current, failed, inProgress} or a list of them")
}

// ParseConfigMap reads the CEL checks of the health ConfigMap's data: every
// key health.cel.<group>_<Kind> (core group: health.cel.<Kind>) holds one
// entry or a list, as ParseChecks reads them. The key names what its
// entries check: each entry must be of the key's group and kind (an entry
// without a kind takes the key's). Other keys are ignored.
//
// Every problem gives an error that names its key; the other keys are kept.
// A key whose YAML does not parse, and an entry whose expression does not
// compile, are kept too, so that the objects they were meant for become
// Unknown with the error instead of silently falling back to another check.
func ParseConfigMap(e *Engine, data map[string]string) (*Checks, []error) {
	c := &Checks{}
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(data)) {
		if !strings.HasPrefix(k, KeyPrefix) {
			continue
		}
		gk, err := keyGroupKind(strings.TrimPrefix(k, KeyPrefix))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
			continue
		}
		list, err := ParseChecks([]byte(data[k]))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
			// The key's kind is Unknown with the error, as for a Lua key
			// that does not parse, rather than judged by another check.
			_ = c.add(&Check{Origin: k, GroupKind: gk, err: fmt.Errorf("health ConfigMap key %s does not parse: %w", k, err)})
			continue
		}
		for i, x := range list {
			ch, err := e.keyCheck(k, i, len(list), gk, x)
			if err != nil {
				errs = append(errs, err)
				if ch == nil {
					continue
				}
			}
			if err := c.add(ch); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return c, errs
}

// keyCheck compiles entry i of key k, as compileKept does; an entry for
// another group or kind than the key's returns no Check.
func (e *Engine) keyCheck(k string, i, n int, gk schema.GroupKind, x syncv1alpha1.HealthCheckExpr) (*Check, error) {
	origin := k
	if n > 1 {
		origin = fmt.Sprintf("%s[%d]", k, i)
	}
	if x.Kind == "" {
		x.Kind = gk.Kind
	}
	if got := GroupKindOf(x); x.APIVersion != "" && got != gk {
		return nil, fmt.Errorf("%s: the entry checks %s (apiVersion %q, kind %q), not the key's %s", origin, describeGK(got), x.APIVersion, x.Kind, describeGK(gk))
	}
	ch, err := e.compileKept(origin, x)
	if ch == nil && err != nil {
		// An entry without apiVersion or current still names its kind
		// through the key: its objects are Unknown with the error rather
		// than judged by another check.
		return &Check{Origin: origin, GroupKind: gk, err: err}, err
	}
	return ch, err
}

// keyGroupKind turns the "<group>_<Kind>" suffix of a key into a group and
// kind ("<Kind>" alone is the core group).
func keyGroupKind(suffix string) (schema.GroupKind, error) {
	parts := strings.Split(suffix, "_")
	switch {
	case len(parts) == 1 && parts[0] != "":
		return schema.GroupKind{Kind: parts[0]}, nil
	case len(parts) == 2 && parts[0] != "" && parts[1] != "":
		return schema.GroupKind{Group: parts[0], Kind: parts[1]}, nil
	}
	return schema.GroupKind{}, fmt.Errorf("want a key suffix <group>_<Kind> or <Kind>, got %q", suffix)
}
