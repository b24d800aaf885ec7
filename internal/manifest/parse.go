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
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/source/artifact"
)

// Object is one parsed manifest and where it was read.
type Object struct {
	// Object is the manifest. Numbers are int64 or float64, as
	// unstructured requires.
	Object *unstructured.Unstructured
	// Source names where the document was read (see Error.Source).
	Source string
	// Index is the document index inside Source, from 0.
	Index int
	// Item is the path of the object inside a flattened List document,
	// e.g. "items[3]"; empty for an object that is a whole document.
	Item string
}

// Origin renders where the object was read: "app.yaml, document 2" or
// "app.yaml, document 0, items[3]". plan.Options.Origins takes these.
func (o Object) Origin() string {
	s := fmt.Sprintf("%s, document %d", o.Source, o.Index)
	if o.Item != "" {
		s += ", " + o.Item
	}
	return s
}

// Unstructured returns the manifests of objs, in order.
func Unstructured(objs []Object) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(objs))
	for i := range objs {
		out[i] = objs[i].Object
	}
	return out
}

// Origins returns the origins of objs, in order, for plan.Options.Origins.
func Origins(objs []Object) []string {
	out := make([]string, len(objs))
	for i := range objs {
		out[i] = objs[i].Origin()
	}
	return out
}

// MaxErrors is how many problems Parse reports of one source; the rest
// are counted in a last one.
const MaxErrors = 20

// Parse reads the objects of one source: multi-document YAML, or a stream
// of JSON objects when the data starts with "{". Empty and comment-only
// documents are skipped; List kinds are flattened. Every bad document is
// reported (up to MaxErrors, then how many more), each as a *Error, joined
// with errors.Join; then no object is returned. A source of more than
// syncv1alpha1.MaxObjects objects is an error too, and is not read
// further. Parse does not validate the objects themselves (apiVersion,
// kind, annotations): plan.Build does.
func Parse(source string, data []byte) ([]Object, error) {
	p := &parser{source: source}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		p.parseJSON(data)
	} else {
		p.parseYAML(data)
	}
	if p.dropped > 0 {
		p.errs = append(p.errs, &Error{Source: source, Index: -1, Msg: fmt.Sprintf("and %d more problems", p.dropped)})
	}
	if len(p.objs) > syncv1alpha1.MaxObjects {
		p.errs = append(p.errs, tooManyObjects(source))
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return p.objs, nil
}

// tooManyObjects says that the objects read up to source are too many.
func tooManyObjects(source string) *Error {
	return &Error{Source: source, Index: -1,
		Msg: fmt.Sprintf("more than %d objects: an operation holds at most %d; split the manifests into several operations", syncv1alpha1.MaxObjects, syncv1alpha1.MaxObjects)}
}

type parser struct {
	source  string
	index   int // index of the next non-empty document
	line    int // line of the stream where the current document starts
	objs    []Object
	errs    []error
	dropped int // problems past MaxErrors
}

// done tells that reading further is of no use: too many objects.
func (p *parser) done() bool { return len(p.objs) > syncv1alpha1.MaxObjects }

// fail records a problem of the current document, at its first line.
func (p *parser) fail(field, msg string, err error) {
	p.failAt(p.line, field, msg, err)
}

// failAt records a problem of the current document at a line of the
// stream (0: unknown).
func (p *parser) failAt(line int, field, msg string, err error) {
	if len(p.errs) >= MaxErrors {
		p.dropped++
		return
	}
	p.errs = append(p.errs, &Error{Source: p.source, Index: p.index, Line: line, Field: field, Msg: msg, Err: err})
}

func (p *parser) parseJSON(data []byte) {
	dec := json.NewDecoder(bytes.NewReader(data))
	for !p.done() {
		p.line = lineAt(data, skipSpace(data, int(dec.InputOffset())))
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			// A JSON stream cannot be resynchronised after a syntax error.
			line := p.line
			if se, ok := errors.AsType[*json.SyntaxError](err); ok {
				line = lineAt(data, int(se.Offset))
			}
			p.failAt(line, "", "invalid JSON", err)
			return
		}
		p.document(raw)
	}
}

func (p *parser) parseYAML(data []byte) {
	docs, serr := splitYAML(data)
	for _, d := range docs {
		if p.done() {
			return
		}
		p.line = d.contentLine()
		js, err := yaml.YAMLToJSON(d.data)
		if err != nil {
			line, cause := relocateYAMLError(err, d.line-1)
			if line == 0 {
				line = p.line
			}
			p.failAt(line, "", "invalid YAML", cause)
			p.index++
			continue
		}
		p.document(js)
	}
	if serr != nil {
		p.failAt(serr.line, "", "cannot split YAML documents", serr)
	}
}

// document decodes one JSON document; "null" (an empty YAML document) is
// skipped without counting.
func (p *parser) document(js []byte) {
	var v any
	if err := utiljson.Unmarshal(js, &v); err != nil {
		p.fail("", "invalid document", err)
		p.index++
		return
	}
	if v == nil {
		return
	}
	p.object(v, "")
	p.index++
}

// object adds v, flattening Lists into their items.
func (p *parser) object(v any, item string) {
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(item, fmt.Sprintf("not an object but %s: a manifest is a Kubernetes object with apiVersion, kind and metadata", typeName(v)), nil)
		return
	}
	if items, ok := listItems(m); ok {
		for i, it := range items {
			if p.done() {
				return
			}
			p.object(it, joinPath(item, fmt.Sprintf("items[%d]", i)))
		}
		return
	}
	if av, _ := m["apiVersion"].(string); strings.HasPrefix(av, kustomizeGroup+"/") || (av == "" && artifact.IsKustomizationFile(filepath.ToSlash(p.source))) {
		p.fail(item, "a kustomization file, not a Kubernetes object: render its directory (kubectl syncwave -k DIR; a Flux source whose path is that directory is built)", nil)
		return
	}
	p.objs = append(p.objs, Object{Object: &unstructured.Unstructured{Object: m}, Source: p.source, Index: p.index, Item: item})
}

// kustomizeGroup is the API group of kustomization files (Kustomization,
// Component), which kustomize reads and no API server serves.
const kustomizeGroup = "kustomize.config.k8s.io"

// listItems returns the items of a List kind: a kind ending in "List" with
// an items list. A custom kind that ends in "List" but has no items list
// (an "AllowList") is an object like any other.
func listItems(m map[string]any) ([]any, bool) {
	kind, _ := m["kind"].(string)
	if !strings.HasSuffix(kind, "List") {
		return nil, false
	}
	items, ok := m["items"].([]any)
	return items, ok
}

func joinPath(parent, child string) string {
	if parent == "" {
		return child
	}
	return parent + "." + child
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64, float64:
		return "a number"
	case []any:
		return "a list"
	default:
		return fmt.Sprintf("a %T", v)
	}
}
