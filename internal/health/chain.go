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

package health

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// Default returns the assessor used when no Lua override applies: the
// built-in checks, then the generic conditions. The controller prepends its
// Lua assessors: Chain(lua..., Builtin(), Generic()).
func Default() Assessor {
	return Chain(Builtin(), Generic())
}

// Chain returns an assessor that asks each of as in turn; the first one with
// an opinion wins. An assessor that returns an error ends the chain: the
// result is Unknown with the error as its message, so that a broken Lua script
// is visible instead of being skipped silently. Nil assessors are ignored.
// The chain has no opinion when none of as has one.
func Chain(as ...Assessor) Assessor {
	list := make([]Assessor, 0, len(as))
	for _, a := range as {
		if a != nil {
			list = append(list, a)
		}
	}
	return AssessorFunc(func(obj *unstructured.Unstructured) (Result, bool, error) {
		if obj == nil {
			return missingResult(), true, nil
		}
		for _, a := range list {
			r, ok, err := a.Assess(obj)
			if err != nil {
				return errorResult(r.Source, err), true, err
			}
			if ok {
				return r, true, nil
			}
		}
		return Result{}, false, nil
	})
}

// Assess returns the health of obj as judged by a (Default() when a is nil).
//
//   - A nil obj is Missing: the object does not exist.
//   - An object annotated syncwave.dev/health: exists is Healthy: its
//     author says that existing is enough; no assessor is asked.
//   - An assessor error gives Unknown with the error as message; the error
//     itself is not returned, because health is data, not a failure of the
//     caller.
//   - When no assessor has an opinion the object is Healthy: it exists and
//     nothing says otherwise (SPEC §7, the last step of the evaluation order).
//   - An object that is Healthy but has a deletionTimestamp is reported as
//     Progressing: it is about to go away, so it must not satisfy a wave.
func Assess(a Assessor, obj *unstructured.Unstructured) Result {
	if obj == nil {
		return missingResult()
	}
	r := assess(a, obj)
	if r.Status == Healthy && obj.GetDeletionTimestamp() != nil {
		r.Status = Progressing
		r.Message = "pending deletion"
		r.RecheckAfter = 0
	}
	if r.Source == "" {
		r.Source = SourceGeneric
	}
	return r
}

func assess(a Assessor, obj *unstructured.Unstructured) Result {
	if v, ok := obj.GetAnnotations()[syncv1alpha1.AnnotationHealth]; ok {
		return annotatedHealth(v)
	}
	if a == nil {
		a = Default()
	}
	r, ok, err := a.Assess(obj)
	switch {
	case err != nil:
		return errorResult(r.Source, err)
	case !ok:
		return Result{Status: Healthy, Message: "no health check applies; the object exists", Source: SourceGeneric}
	}
	return r
}

// annotatedHealth is the health that the syncwave.dev/health annotation
// asks for. A value other than exists is Unknown, so that a typo is seen
// instead of silently judged otherwise.
func annotatedHealth(v string) Result {
	if strings.TrimSpace(v) == syncv1alpha1.HealthExists {
		return Result{Status: Healthy, Message: "the object exists (" + syncv1alpha1.AnnotationHealth + ": " + syncv1alpha1.HealthExists + ")", Source: SourceGeneric}
	}
	return Result{Status: Unknown, Source: SourceGeneric,
		Message: fmt.Sprintf("annotation %s: want %q, got %q", syncv1alpha1.AnnotationHealth, syncv1alpha1.HealthExists, v)}
}

func missingResult() Result {
	return Result{Status: Missing, Message: "object does not exist", Source: SourceGeneric}
}

// errorResult is the Unknown result of a failed assessment. The source is the
// one of the result returned with the error; an assessor that fails without
// saying who it is, is counted as generic.
func errorResult(src Source, err error) Result {
	if src == "" {
		src = SourceGeneric
	}
	return Result{Status: Unknown, Message: err.Error(), Source: src}
}
