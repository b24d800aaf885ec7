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

package manifest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// Result is what Load read.
type Result struct {
	// Objects are the manifests in input order: spec.manifests first, then
	// each source in list order (keys sorted when a source names none).
	Objects []Object
	// Digest identifies the input (see Digest); it goes to
	// status.planDigest so that a changed source is noticed.
	Digest string
	// Revisions are the artifacts of the Flux sources read, one per
	// sourceRef in spec order, for status.revisions.
	Revisions []syncv1alpha1.SourceRevision
}

// Unstructured returns the manifests, in order, for plan.Build.
func (r *Result) Unstructured() []*unstructured.Unstructured { return Unstructured(r.Objects) }

// Origins returns where each object was read, for plan.Options.Origins.
func (r *Result) Origins() []string { return Origins(r.Objects) }

// Load reads the manifests of op: the inline spec.manifests, then every
// spec.sources entry in order, from ConfigMaps (data and binaryData) and
// Secrets in the operation's namespace. Problems with the input (a missing
// object or key, a bad document, more than MaxObjects objects) are *Error
// values, several joined when several sources are bad; other errors of the
// reader (the API server is down, RBAC) are returned wrapped, so that the
// caller retries. Flux sources are refused as disabled; see LoadWith.
func Load(ctx context.Context, r client.Reader, op *syncv1alpha1.SyncOperation) (*Result, error) {
	return LoadWith(ctx, r, op, Options{})
}

// LoadWith is Load that reads Flux sources through o.Artifacts: the
// artifact's manifest files under the sourceRef's path, in path order, each
// file a source of its own ("spec.sources[0] (OCIRepository ns/app,
// deploy/api.yaml)"), so that errors name the file and its line.
//
// Every ConfigMap and Secret source is read and parsed, and every Flux
// source located, before any artifact is downloaded: an operation that
// waits for one missing source downloads nothing on each wake, and one
// that fails on bad input downloads nothing at all.
func LoadWith(ctx context.Context, r client.Reader, op *syncv1alpha1.SyncOperation, o Options) (*Result, error) {
	l := &loader{}
	for i := range op.Spec.Manifests {
		l.inline(i, op.Spec.Manifests[i])
		if l.tooMany() {
			return nil, l.err()
		}
	}
	bySource := make([][]Object, len(op.Spec.Sources))
	flux := make([]*fluxSource, len(op.Spec.Sources)) // nil: not a Flux source
	for i, src := range op.Spec.Sources {
		if src.SourceRef != nil && src.ConfigMapRef == nil && src.SecretRef == nil {
			f := newFluxSource(i, op.Namespace, *src.SourceRef)
			flux[i] = f
			if err := l.inputError(f.locate(ctx, o.Artifacts)); err != nil {
				return nil, err
			}
			continue
		}
		docs, err := readSource(ctx, r, op.Namespace, i, src)
		if err := l.inputError(err); err != nil {
			return nil, err
		}
		if bySource[i] = l.parse(docs); l.tooMany() {
			return nil, l.err()
		}
	}
	var revisions []syncv1alpha1.SourceRevision
	for i, f := range flux {
		if f == nil || len(l.errs) > 0 {
			continue
		}
		docs, rev, err := f.read(ctx, o.Artifacts)
		if err := l.inputError(err); err != nil {
			return nil, err
		}
		if rev != nil {
			revisions = append(revisions, *rev)
		}
		if bySource[i] = l.parse(docs); l.tooMany() {
			return nil, l.err()
		}
	}
	if err := l.err(); err != nil {
		return nil, err
	}
	for _, objs := range bySource {
		l.objs = append(l.objs, objs...)
	}
	return &Result{Objects: l.objs, Digest: Digest(l.objs), Revisions: revisions}, nil
}

// loader gathers the objects and the input errors of one Load.
type loader struct {
	objs    []Object // the inline manifests; the sources' are appended last
	count   int      // objects read so far, of every source
	errs    []error
	last    string // the last source read
	bad     int    // documents that failed to parse
	skipped int    // documents not parsed once MaxErrors of them failed
}

// inputError records an input problem (a *Error) and returns nil, so that
// every bad source is reported at once; any other error is returned, to be
// retried.
func (l *loader) inputError(err error) error {
	var inputErr *Error
	if errors.As(err, &inputErr) {
		l.errs = append(l.errs, err)
		return nil
	}
	return err
}

// parse parses the documents of one source, and records their problems.
func (l *loader) parse(docs []document) []Object {
	var all []Object
	for _, d := range docs {
		if l.bad >= MaxErrors {
			l.skipped++
			continue
		}
		objs, err := Parse(d.source, d.data)
		if err != nil {
			l.bad++
			l.errs = append(l.errs, err)
			continue
		}
		all = append(all, objs...)
		l.count += len(objs)
		if len(objs) > 0 {
			l.last = objs[len(objs)-1].Source
		}
		if l.count > syncv1alpha1.MaxObjects {
			break
		}
	}
	return all
}

// add records the objects of one inline manifest.
func (l *loader) add(objs []Object, err error) {
	if err != nil {
		l.bad++
		l.errs = append(l.errs, err)
		return
	}
	l.objs = append(l.objs, objs...)
	l.count += len(objs)
	if len(objs) > 0 {
		l.last = objs[len(objs)-1].Source
	}
}

// tooMany records the object limit error once it is crossed.
func (l *loader) tooMany() bool {
	if l.count <= syncv1alpha1.MaxObjects {
		return false
	}
	l.errs = append(l.errs, tooManyObjects(l.last))
	return true
}

func (l *loader) err() error {
	if l.skipped > 0 {
		return errors.Join(append(l.errs, &Error{Source: "spec.sources", Index: -1,
			Msg: fmt.Sprintf("%d more keys or files were not parsed after %d that could not be", l.skipped, MaxErrors)})...)
	}
	return errors.Join(l.errs...)
}

func (l *loader) inline(i int, raw runtime.RawExtension) {
	source := fmt.Sprintf("spec.manifests[%d]", i)
	data := raw.Raw
	if data == nil && raw.Object != nil {
		var err error
		if data, err = json.Marshal(raw.Object); err != nil {
			l.errs = append(l.errs, &Error{Source: source, Index: -1, Msg: "cannot encode the object", Err: err})
			return
		}
	}
	objs, err := Parse(source, data)
	if err == nil && len(objs) == 0 {
		err = &Error{Source: source, Index: -1, Msg: "is empty"}
	}
	l.add(objs, err)
}

// document is the raw data of one key of a source.
type document struct {
	source string
	data   []byte
}

// readSource reads the keys of one ConfigMap or Secret.
func readSource(ctx context.Context, r client.Reader, namespace string, i int, src syncv1alpha1.ManifestSource) ([]document, error) {
	var (
		kind string
		ref  *syncv1alpha1.KeyReference
		data map[string][]byte
		err  error
	)
	switch {
	case src.ConfigMapRef != nil && src.SecretRef == nil:
		kind, ref = "ConfigMap", src.ConfigMapRef
		cm := &corev1.ConfigMap{}
		err = r.Get(ctx, client.ObjectKey{Namespace: namespace, Name: ref.Name}, cm)
		data = make(map[string][]byte, len(cm.Data)+len(cm.BinaryData))
		for k, v := range cm.Data {
			data[k] = []byte(v)
		}
		maps.Copy(data, cm.BinaryData)
	case src.SecretRef != nil && src.ConfigMapRef == nil:
		kind, ref = "Secret", src.SecretRef
		sec := &corev1.Secret{}
		err = r.Get(ctx, client.ObjectKey{Namespace: namespace, Name: ref.Name}, sec)
		data = sec.Data
	default:
		return nil, &Error{Source: fmt.Sprintf("spec.sources[%d]", i), Index: -1, Msg: "exactly one of configMapRef, secretRef and sourceRef must be set"}
	}
	whole := fmt.Sprintf("spec.sources[%d] (%s %s/%s)", i, kind, namespace, ref.Name)
	if apierrors.IsNotFound(err) {
		return nil, &Error{Source: whole, Index: -1, Msg: "not found",
			Err: &missingError{MissingSource{Kind: kind, Namespace: namespace, Name: ref.Name, Field: fmt.Sprintf("spec.sources[%d]", i)}, err}}
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", whole, err)
	}
	keys := slices.Sorted(maps.Keys(data))
	if ref.Key != "" {
		if _, ok := data[ref.Key]; !ok {
			return nil, &Error{Source: whole, Index: -1, Msg: fmt.Sprintf("has no key %q (keys: %s)", ref.Key, strings.Join(keys, ", "))}
		}
		keys = []string{ref.Key}
	}
	docs := make([]document, 0, len(keys))
	for _, k := range keys {
		docs = append(docs, document{
			source: fmt.Sprintf("spec.sources[%d] (%s %s/%s key %q)", i, kind, namespace, ref.Name, k),
			data:   data[k],
		})
	}
	return docs, nil
}
