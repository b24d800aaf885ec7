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
	"strings"
)

// FieldError is one problem with one field of one object.
type FieldError struct {
	// ID identifies the object as far as it could be read: a missing kind or
	// name is left empty.
	ID ObjectID
	// Origin says where the object was read ("guide/10-db.yaml, document 0"),
	// when the caller passed Options.Origins.
	Origin string
	// Field is the path of the offending field, e.g.
	// "metadata.annotations[argocd.argoproj.io/sync-wave]".
	Field string
	// Msg says what is wrong.
	Msg string
}

// Error renders "origin: object: field: message", leaving out empty parts.
func (e *FieldError) Error() string {
	parts := make([]string, 0, 4)
	if e.Origin != "" {
		parts = append(parts, e.Origin)
	}
	if id := describeID(e.ID); id != "" {
		parts = append(parts, id)
	}
	if e.Field != "" {
		parts = append(parts, e.Field)
	}
	parts = append(parts, e.Msg)
	return strings.Join(parts, ": ")
}

// describeID renders an ID that may be incomplete; it is empty when nothing
// of the object is known (errors about Options).
func describeID(id ObjectID) string {
	if id == (ObjectID{}) {
		return ""
	}
	if id.Kind == "" {
		id.Kind = "<no kind>"
	}
	if id.Name == "" {
		id.Name = "<no name>"
	}
	return id.String()
}

// ValidationError lists every problem Build found in its input, so that a
// user fixes them all in one go. Callers test for it with errors.As.
type ValidationError struct {
	Errs []FieldError
}

// Error lists every field error, one a line after a count.
func (e *ValidationError) Error() string {
	if len(e.Errs) == 1 {
		return "invalid manifests: " + e.Errs[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "invalid manifests: %d errors:", len(e.Errs))
	for i := range e.Errs {
		b.WriteString("\n  - ")
		b.WriteString(e.Errs[i].Error())
	}
	return b.String()
}
