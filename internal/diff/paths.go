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

package diff

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// Paths returns the field paths where a and b differ ("spec.replicas",
// "data.key", "spec.template.spec.containers[0].image"), sorted, at most
// limit of them (0: all). Maps are compared key by key, lists element by
// element when their lengths match, and whole otherwise.
func Paths(a, b map[string]any, limit int) []string {
	var out []string
	walk("", a, b, &out)
	slices.Sort(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func walk(path string, a, b any, out *[]string) {
	if reflect.DeepEqual(a, b) {
		return
	}
	am, okA := a.(map[string]any)
	bm, okB := b.(map[string]any)
	if okA && okB {
		for k := range am {
			walk(join(path, k), am[k], bm[k], out)
		}
		for k := range bm {
			if _, seen := am[k]; !seen {
				walk(join(path, k), nil, bm[k], out)
			}
		}
		return
	}
	al, okA := a.([]any)
	bl, okB := b.([]any)
	if okA && okB && len(al) == len(bl) {
		for i := range al {
			walk(fmt.Sprintf("%s[%d]", path, i), al[i], bl[i], out)
		}
		return
	}
	*out = append(*out, path)
}

func join(path, key string) string {
	if strings.ContainsAny(key, ".[]") {
		key = "[" + key + "]"
		return path + key
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// Preview is the change a sync would make to the object of a Change, and
// the fields an update changes (Secret values are compared, never shown).
func Preview(c *Change, limit int) (syncv1alpha1.Change, []string) {
	switch {
	case c.Merged == nil:
		return syncv1alpha1.ChangeDelete, nil
	case c.Live == nil:
		return syncv1alpha1.ChangeCreate, nil
	}
	live, merged := c.normalized()
	paths := Paths(live.Object, merged.Object, limit)
	if len(paths) == 0 {
		return syncv1alpha1.ChangeUnchanged, nil
	}
	return syncv1alpha1.ChangeUpdate, paths
}
