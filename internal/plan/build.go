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

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// Options tune Build. The zero value works for objects that all name their
// namespace.
type Options struct {
	// DefaultNamespace is given to namespaced objects that do not name one
	// (the operation's spec.targetNamespace, or its own namespace). When it
	// is empty, such objects are a validation error.
	DefaultNamespace string
	// SyncOptions are the spec-level sync options ("Name=value"). An
	// object's argocd.argoproj.io/sync-options annotation overrides them
	// name by name.
	SyncOptions []string
	// IsNamespaced reports whether a kind is namespaced, e.g. from the API
	// server's RESTMapper. When it is nil or does not know a kind, Build
	// uses the CRDs of the input (spec.scope), then a built-in table of
	// well-known cluster-scoped kinds; any other kind is namespaced.
	IsNamespaced func(schema.GroupKind) (namespaced, known bool)
	// HasHealthCheck reports whether a health check is known for a kind
	// (a Lua script or a built-in check). It decides the SW006 lint on
	// custom resources. When nil, no custom resource has a known check.
	HasHealthCheck func(schema.GroupKind) bool
	// Origins, when set, runs parallel to the objects given to Build and
	// says where each was read ("app.yaml, document 2"). Validation errors
	// quote it.
	Origins []string
}

// entry is one input object, read and validated.
type entry struct {
	index   int
	id      ObjectID
	version string
	obj     *unstructured.Unstructured
	wave    int32
	// types are the hook types; nil for a plain resource.
	types    []syncv1alpha1.HookType
	policies []syncv1alpha1.HookDeletePolicy
	genName  bool
	options  map[string]string
	// helmIgnored are Helm hook events without a sync equivalent; an
	// object with only such events is skipped.
	helmIgnored []string
	// deps are the objects of syncwave.dev/depends-on.
	deps []ObjectID
}

func (e *entry) skipped() bool {
	return len(e.helmIgnored) > 0 || (len(e.types) == 1 && e.types[0] == syncv1alpha1.HookTypeSkip)
}

func (e *entry) isHook() bool { return len(e.types) > 0 || len(e.helmIgnored) > 0 }

// builder accumulates the errors of one Build call.
type builder struct {
	opts     Options
	crds     map[schema.GroupKind]bool // namespaced, by the CRDs of the input
	specOpts map[string]string
	errs     []FieldError
	// seen detect duplicates: the index of the first object per key.
	resources map[ObjectID]int
	hooks     map[hookKey]int
}

type hookKey struct {
	id    ObjectID
	phase syncv1alpha1.SyncPhase
}

// Build validates the objects and orders them into a plan (SPEC §4). It is
// a pure function of its input. When any object is invalid it returns a
// *ValidationError that lists every problem of every object, and no plan.
//
// Build does not modify objs: tasks carry copies, with the namespace of
// namespaced objects defaulted to Options.DefaultNamespace and the
// namespace of cluster-scoped objects removed (the API server ignores it
// too, and Helm charts often set it on ClusterRoles).
func Build(objs []*unstructured.Unstructured, opts Options) (*Plan, error) {
	b := &builder{
		opts:      opts,
		crds:      crdScopes(objs),
		resources: map[ObjectID]int{},
		hooks:     map[hookKey]int{},
	}
	b.readSpecOptions()
	entries := make([]*entry, 0, len(objs))
	for i, obj := range objs {
		if e := b.read(i, obj); e != nil {
			entries = append(entries, e)
		}
	}
	if len(b.errs) > 0 {
		return nil, &ValidationError{Errs: b.errs}
	}
	p := assemble(entries)
	if errs := b.checkGraph(p); len(errs) > 0 {
		return nil, &ValidationError{Errs: errs}
	}
	p.Warnings = lint(p, entries, opts)
	return p, nil
}

func (b *builder) origin(i int) string {
	if i >= 0 && i < len(b.opts.Origins) {
		return b.opts.Origins[i]
	}
	return ""
}

// describe names object i for messages about another object.
func (b *builder) describe(i int) string {
	if o := b.origin(i); o != "" {
		return o
	}
	return fmt.Sprintf("input object %d", i)
}

func (b *builder) readSpecOptions() {
	opts, err := parseOptionList(b.opts.SyncOptions)
	if err != nil {
		b.errs = append(b.errs, FieldError{Field: "spec.syncOptions", Msg: err.Error()})
	}
	b.specOpts = opts
}

// crdScopes finds the CRDs of the input and whether their kinds are
// namespaced. Invalid CRDs are left to the API server.
func crdScopes(objs []*unstructured.Unstructured) map[schema.GroupKind]bool {
	m := map[schema.GroupKind]bool{}
	for _, o := range objs {
		if o == nil || o.Object == nil || o.GetKind() != "CustomResourceDefinition" {
			continue
		}
		if gv, err := schema.ParseGroupVersion(o.GetAPIVersion()); err != nil || gv.Group != "apiextensions.k8s.io" {
			continue
		}
		group, _, _ := unstructured.NestedString(o.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
		scope, _, _ := unstructured.NestedString(o.Object, "spec", "scope")
		if kind != "" {
			m[schema.GroupKind{Group: group, Kind: kind}] = scope != "Cluster"
		}
	}
	return m
}

func (b *builder) namespaced(gk schema.GroupKind) bool {
	if b.opts.IsNamespaced != nil {
		if ns, known := b.opts.IsNamespaced(gk); known {
			return ns
		}
	}
	if ns, ok := b.crds[gk]; ok {
		return ns
	}
	return !clusterScoped[gk]
}

// read validates object i and returns its entry, or nil when it is invalid.
func (b *builder) read(i int, obj *unstructured.Unstructured) *entry {
	if obj == nil || obj.Object == nil {
		b.errs = append(b.errs, FieldError{Origin: b.origin(i), Msg: "object is empty"})
		return nil
	}
	r := &objectReader{obj: obj.Object}
	e := &entry{index: i}
	gv := r.groupVersion()
	kind := r.str(obj.Object, "kind", "kind")
	if v := obj.Object["kind"]; v == nil || v == "" {
		r.fail("kind", "is required")
	}
	meta := r.metadata()
	name := r.str(meta, "name", "metadata.name")
	genName := r.str(meta, "generateName", "metadata.generateName")
	namespace := r.str(meta, "namespace", "metadata.namespace")
	ann := r.annotations(meta)
	e.id = ObjectID{Group: gv.Group, Kind: kind, Namespace: namespace, Name: name}
	e.version = gv.Version

	b.readHook(r, e, ann)
	e.wave = readWave(r, ann)
	e.policies = readPolicies(r, ann)
	e.options = b.readOptions(r, ann)
	b.readName(r, e, name, genName)
	if kind != "" {
		b.defaultNamespace(r, e)
		e.deps = b.readDependsOn(r, e, ann)
	}
	if e.id.Kind != "" && e.id.Name != "" && !r.failed("apiVersion") && !r.failed("metadata.namespace") && !r.failed(annotationField(syncv1alpha1.AnnotationHook)) {
		// The identity is known: report a duplicate even when the object
		// has other errors too.
		b.checkDuplicate(r, e)
	}
	if len(r.errs) > 0 {
		for _, fe := range r.errs {
			fe.ID = e.id
			fe.Origin = b.origin(i)
			b.errs = append(b.errs, fe)
		}
		return nil
	}
	e.obj = obj.DeepCopy()
	if e.obj.GetNamespace() != e.id.Namespace {
		e.obj.SetNamespace(e.id.Namespace)
	}
	return e
}

// checkDuplicate reports an object whose identity another object already
// has. Plain resources are unique by ID. A hook is unique by ID and phase:
// the same Job may be a PreSync and a PostSync hook, but two hooks of one
// phase would be created under one name (generateName hooks too: their
// names are derived from the operation and the phase). Skipped objects are
// never applied and never clash.
func (b *builder) checkDuplicate(r *objectReader, e *entry) {
	if e.skipped() {
		return
	}
	if !e.isHook() {
		if first, ok := b.resources[e.id]; ok {
			r.fail("", "duplicate object: %s defines it too", b.describe(first))
			return
		}
		if first, ok := b.anyHook(e.id); ok {
			r.fail("", "object is also a hook in %s; an object is either a hook or a resource", b.describe(first))
			return
		}
		b.resources[e.id] = e.index
		return
	}
	if first, ok := b.resources[e.id]; ok {
		r.fail("", "hook is also a plain resource in %s; an object is either a hook or a resource", b.describe(first))
		return
	}
	for _, t := range e.types {
		k := hookKey{id: e.id, phase: syncv1alpha1.SyncPhase(t)}
		if first, ok := b.hooks[k]; ok {
			r.fail("", "duplicate %s hook: %s defines a %s hook with the same identity", t, b.describe(first), t)
			return
		}
	}
	for _, t := range e.types {
		b.hooks[hookKey{id: e.id, phase: syncv1alpha1.SyncPhase(t)}] = e.index
	}
}

func (b *builder) anyHook(id ObjectID) (int, bool) {
	for _, t := range hookTypeOrder {
		if i, ok := b.hooks[hookKey{id: id, phase: syncv1alpha1.SyncPhase(t)}]; ok {
			return i, true
		}
	}
	return 0, false
}
