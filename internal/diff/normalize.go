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
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// volatileFields change with every write, or belong to the server.
var volatileFields = [][]string{
	{"metadata", "managedFields"},
	{"metadata", "resourceVersion"},
	{"metadata", "uid"},
	{"metadata", "generation"},
	{"metadata", "creationTimestamp"},
	{"status"},
}

// lastApplied is the annotation of client-side kubectl apply, which holds
// the whole object as last applied (Secret values included).
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// Normalize returns a copy of u without the fields that are not compared
// (see the package doc), or nil for nil.
func Normalize(u *unstructured.Unstructured) *unstructured.Unstructured {
	if u == nil {
		return nil
	}
	out := u.DeepCopy()
	for _, f := range volatileFields {
		unstructured.RemoveNestedField(out.Object, f...)
	}
	if ann := out.GetAnnotations(); ann != nil {
		delete(ann, syncv1alpha1.AnnotationOperation)
		if len(ann) == 0 {
			unstructured.RemoveNestedField(out.Object, "metadata", "annotations")
		} else {
			out.SetAnnotations(ann)
		}
	}
	return out
}

// Masks of Secret values.
const (
	masked       = "***"
	maskedBefore = "*** (before)"
	maskedAfter  = "*** (after)"
)

// MaskSecrets replaces, in place, the values of Secret objects' data and
// stringData maps, and the last-applied-configuration annotation, on both
// sides at once: a value equal on both sides becomes "***" on both; one
// that differs becomes "*** (before)" on the live side and "*** (after)"
// on the merged side; a key on one side only becomes "***". Either side
// may be nil. Objects that are not core/v1 Secrets are left alone.
func MaskSecrets(live, merged *unstructured.Unstructured) {
	if !isSecret(live) && !isSecret(merged) {
		return
	}
	for _, field := range []string{"data", "stringData"} {
		lm, mm := stringMap(live, field), stringMap(merged, field)
		keys := slices.Sorted(maps.Keys(lm))
		for k := range mm {
			if _, ok := lm[k]; !ok {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			before, inLive := lm[k]
			after, inMerged := mm[k]
			switch {
			case inLive && inMerged && before != after:
				lm[k], mm[k] = maskedBefore, maskedAfter
			case inLive && inMerged:
				lm[k], mm[k] = masked, masked
			case inLive:
				lm[k] = masked
			default:
				mm[k] = masked
			}
		}
		setMap(live, field, lm)
		setMap(merged, field, mm)
	}
	maskAnnotation(live, merged, lastApplied)
}

func isSecret(u *unstructured.Unstructured) bool {
	if u == nil {
		return false
	}
	gvk := u.GroupVersionKind()
	return gvk.Group == "" && gvk.Kind == "Secret"
}

// stringMap returns u's map field with every value as a string (a
// non-string value, which the API server would reject, is rendered
// with %v so that it is masked too); nil when absent.
func stringMap(u *unstructured.Unstructured, field string) map[string]string {
	if u == nil {
		return nil
	}
	m, ok := u.Object[field].(map[string]any)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(v)
		}
		out[k] = s
	}
	return out
}

func setMap(u *unstructured.Unstructured, field string, m map[string]string) {
	if u == nil || m == nil {
		return
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	u.Object[field] = out
}

// maskAnnotation masks one annotation on both sides by the same rules.
func maskAnnotation(live, merged *unstructured.Unstructured, key string) {
	lv, inLive := annotation(live, key)
	mv, inMerged := annotation(merged, key)
	switch {
	case inLive && inMerged && lv != mv:
		setAnnotation(live, key, maskedBefore)
		setAnnotation(merged, key, maskedAfter)
	case inLive || inMerged:
		if inLive {
			setAnnotation(live, key, masked)
		}
		if inMerged {
			setAnnotation(merged, key, masked)
		}
	}
}

func annotation(u *unstructured.Unstructured, key string) (string, bool) {
	if u == nil {
		return "", false
	}
	v, ok := u.GetAnnotations()[key]
	return v, ok
}

func setAnnotation(u *unstructured.Unstructured, key, value string) {
	ann := u.GetAnnotations()
	ann[key] = value
	u.SetAnnotations(ann)
}
