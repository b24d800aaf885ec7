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

// objectReader collects the problems of one object before its ID is known.
type objectReader struct {
	obj  map[string]any
	errs []FieldError
}

func (r *objectReader) fail(field, format string, args ...any) {
	r.errs = append(r.errs, FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
}

// failed reports whether field already has an error, so that a malformed
// field is not reported missing too.
func (r *objectReader) failed(field string) bool {
	return slices.ContainsFunc(r.errs, func(fe FieldError) bool { return fe.Field == field })
}

// str reads an optional string field; path is the field path in messages.
func (r *objectReader) str(m map[string]any, key, path string) string {
	v, ok := m[key]
	if !ok || v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		r.fail(path, "must be a string, not %s", jsonType(v))
	}
	return s
}

// metadata returns metadata as a map, reporting a non-object.
func (r *objectReader) metadata() map[string]any {
	v, ok := r.obj["metadata"]
	if !ok || v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		r.fail("metadata", "must be an object, not %s", jsonType(v))
	}
	return m
}

// annotations returns the annotations, reporting values that are not
// strings: an unquoted `sync-wave: -5` in YAML is a number, and
// unstructured.GetAnnotations would silently drop all annotations.
func (r *objectReader) annotations(meta map[string]any) map[string]string {
	v, ok := meta["annotations"]
	if !ok || v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		r.fail("metadata.annotations", "must be an object, not %s", jsonType(v))
		return nil
	}
	out := make(map[string]string, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		val := m[k]
		s, ok := val.(string)
		if !ok {
			r.fail(annotationField(k), "must be a string, not %s (quote the value in YAML)", jsonType(val))
			continue
		}
		out[k] = s
	}
	return out
}

func (r *objectReader) groupVersion() schema.GroupVersion {
	v, present := r.obj["apiVersion"]
	apiVersion := r.str(r.obj, "apiVersion", "apiVersion")
	if apiVersion == "" {
		if !present || v == nil || v == "" {
			r.fail("apiVersion", "is required")
		}
		return schema.GroupVersion{}
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil || gv.Version == "" {
		r.fail("apiVersion", "%q is not a valid API version (want \"v1\" or \"group/version\")", apiVersion)
		return schema.GroupVersion{}
	}
	return gv
}

func (b *builder) readHook(r *objectReader, e *entry, ann map[string]string) {
	if v, ok := ann[syncv1alpha1.AnnotationHook]; ok {
		types, err := parseArgoHook(v)
		if err != nil {
			r.fail(annotationField(syncv1alpha1.AnnotationHook), "%s", err)
		}
		e.types = types
		return
	}
	if v, ok := ann[syncv1alpha1.AnnotationHelmHook]; ok {
		e.types, e.helmIgnored = parseHelmHook(v)
		if len(e.types) > 0 {
			e.helmIgnored = nil
		}
	}
}

// readWave reads the sync-wave annotation, else Helm's hook weight.
func readWave(r *objectReader, ann map[string]string) int32 {
	for _, key := range []string{syncv1alpha1.AnnotationSyncWave, syncv1alpha1.AnnotationHelmHookWeight} {
		v, ok := ann[key]
		if !ok {
			continue
		}
		w, err := parseWave(v)
		if err != nil {
			r.fail(annotationField(key), "%s", err)
		}
		return w
	}
	return 0
}

// readPolicies reads the Argo CD delete policy, else Helm's, else the
// default BeforeHookCreation. They are validated on every object that sets
// them, hook or not: a typo is a typo.
func readPolicies(r *objectReader, ann map[string]string) []syncv1alpha1.HookDeletePolicy {
	for _, key := range []string{syncv1alpha1.AnnotationHookDeletePolicy, syncv1alpha1.AnnotationHelmHookDeletePolicy} {
		v, ok := ann[key]
		if !ok {
			continue
		}
		p, err := parsePolicies(v, key == syncv1alpha1.AnnotationHelmHookDeletePolicy)
		if err != nil {
			r.fail(annotationField(key), "%s", err)
		}
		return p
	}
	return []syncv1alpha1.HookDeletePolicy{syncv1alpha1.HookDeletePolicyBeforeHookCreation}
}

func (b *builder) readOptions(r *objectReader, ann map[string]string) map[string]string {
	var own map[string]string
	if v, ok := ann[syncv1alpha1.AnnotationSyncOptions]; ok {
		var err error
		if own, err = parseOptionList(strings.Split(v, ",")); err != nil {
			r.fail(annotationField(syncv1alpha1.AnnotationSyncOptions), "%s", err)
		}
	}
	if len(b.specOpts) == 0 && len(own) == 0 {
		return nil
	}
	out := make(map[string]string, len(b.specOpts)+len(own))
	for k, v := range b.specOpts {
		out[k] = v
	}
	for k, v := range own {
		out[k] = v
	}
	return out
}

func (b *builder) readName(r *objectReader, e *entry, name, genName string) {
	switch {
	case name != "" || r.failed("metadata") || r.failed("metadata.name"):
	case genName != "" && e.isHook():
		e.id.Name = genName
		e.genName = true
	case genName != "":
		r.fail("metadata.name", "is required: metadata.generateName is only allowed on hooks, a resource needs a stable name")
	case e.isHook():
		r.fail("metadata.name", "is required (or metadata.generateName, for a hook)")
	default:
		r.fail("metadata.name", "is required")
	}
}

func (b *builder) defaultNamespace(r *objectReader, e *entry) {
	if !b.namespaced(e.id.GroupKind()) {
		e.id.Namespace = ""
		return
	}
	if e.id.Namespace != "" {
		return
	}
	if b.opts.DefaultNamespace == "" {
		r.fail("metadata.namespace", "is required: %s is namespaced and no default namespace is set", e.id.Kind)
		return
	}
	e.id.Namespace = b.opts.DefaultNamespace
}
