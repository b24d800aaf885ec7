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
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Error is a problem with the input manifests: a source that cannot be
// read, a document that cannot be parsed, too many objects. Callers test
// for it with errors.As; Load and Parse may join several.
type Error struct {
	// Source names where the input was read: a file path,
	// "spec.manifests[2]", `ConfigMap "app" key "app.yaml"`.
	Source string
	// Index is the document index inside Source (from 0), or -1 when the
	// error is about the source as a whole.
	Index int
	// Line is the line of Source (from 1) where the problem is: the line
	// the YAML or JSON parser names, else the first line of the document;
	// 0 when unknown or when the error is about the source as a whole.
	Line int
	// Field is the offending field inside the document, e.g. "items[3]",
	// or empty.
	Field string
	// Msg says what is wrong.
	Msg string
	// Err is the underlying cause, if any.
	Err error
}

// Error renders "source:line, document N: field: message: cause".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Where())
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Where renders where the problem is: "app.yaml:27, document 1", or
// "app.yaml, document 1" when the line is unknown, or "app.yaml" for the
// source as a whole.
func (e *Error) Where() string {
	s := e.Source
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	if e.Index >= 0 {
		s += fmt.Sprintf(", document %d", e.Index)
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// MissingSource is a source object that does not exist (yet), or a Flux
// source that is not usable yet.
type MissingSource struct {
	// Group is the API group: "" for ConfigMap and Secret, FluxGroup for
	// the Flux kinds.
	Group string
	// Kind is ConfigMap, Secret or a Flux source kind.
	Kind string
	// Namespace and Name name it.
	Namespace, Name string
	// Field is where the operation names it, e.g. "spec.sources[1]".
	Field string
	// Waiting is what a Flux source that exists is waited for (see
	// NotReadyError); "" when the source does not exist.
	Waiting string
	// Retry is true when no watch event will tell that the wait is over.
	Retry bool
}

// missingError marks the cause of a source that does not exist.
type missingError struct {
	MissingSource
	err error
}

func (m *missingError) Error() string { return m.err.Error() }
func (m *missingError) Unwrap() error { return m.err }

// Missing returns the missing sources when every problem err reports is a
// source that does not exist, so that the caller may wait for them; nil
// when any other problem is among them.
func Missing(err error) []MissingSource {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else if err != nil {
		errs = []error{err}
	}
	var out []MissingSource
	for _, e := range errs {
		var m *missingError
		if !errors.As(e, &m) {
			return nil
		}
		out = append(out, m.MissingSource)
	}
	return out
}
