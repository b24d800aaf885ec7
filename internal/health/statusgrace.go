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
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// DefaultStatusGrace is how long a custom resource whose controller has not
// written its status yet is Progressing, when neither the controller's
// --status-grace nor the object's syncwave.dev/status-grace says otherwise.
const DefaultStatusGrace = 10 * time.Second

// NoStatusGrace as a StatusWait's Grace waits for no status write
// (--status-grace=0), unless an object's annotation says otherwise.
const NoStatusGrace time.Duration = -1

// StatusWait tells the generic check how to judge a custom resource that
// shows none of the generic signals because it has no status at all yet
// (SPEC §7). When its CRD declares the status subresource, a status is
// coming: its controller has not spoken yet. Such an object is Progressing
// ("waiting for its controller to write status") until its first status
// write, for at most Grace after its creation, then Healthy with a message
// saying that no status came. The zero value never waits, like Generic.
type StatusWait struct {
	// HasStatusSubresource tells whether the CRD of gvk declares the status
	// subresource (for that version); nil means never.
	HasStatusSubresource func(gvk schema.GroupVersionKind) bool
	// Grace is the longest wait; DefaultStatusGrace when zero, none when
	// NoStatusGrace. The syncwave.dev/status-grace annotation of an object
	// overrides it.
	Grace time.Duration
	// Now is the time of the judgement.
	Now time.Time
}

// GenericWith is Generic with the status wait of w.
func GenericWith(w StatusWait) Assessor {
	return AssessorFunc(func(obj *unstructured.Unstructured) (Result, bool, error) {
		r, ok, err := Generic().Assess(obj)
		if err != nil || !ok || obj == nil || r.Status != Healthy || hasStatus(obj) {
			return r, ok, err
		}
		return w.judge(obj, r), true, nil
	})
}

// judge decides an object without status whose generic result is r.
func (w StatusWait) judge(obj *unstructured.Unstructured, r Result) Result {
	gvk := obj.GroupVersionKind()
	if w.HasStatusSubresource == nil || !w.HasStatusSubresource(gvk) {
		return r
	}
	grace, err := StatusGraceOf(obj, w.Grace)
	if err != nil {
		return Result{Status: Unknown, Message: err.Error(), Source: SourceGeneric}
	}
	waited := time.Duration(0)
	if created := obj.GetCreationTimestamp(); !created.IsZero() && w.Now.After(created.Time) {
		waited = w.Now.Sub(created.Time)
	}
	if waited < grace {
		return Result{Status: Progressing, Source: SourceGeneric, RecheckAfter: grace - waited,
			Message: fmt.Sprintf("waiting for its controller to write status (the %s CRD declares a status subresource; at most %s)", gvk.GroupKind(), grace)}
	}
	return Result{Status: Healthy, Source: SourceGeneric,
		Message: fmt.Sprintf("its controller wrote no status within %s although the %s CRD declares a status subresource; the object exists", grace, gvk.GroupKind())}
}

// StatusGraceOf is the status grace of obj: its syncwave.dev/status-grace
// annotation, else def (none when negative), else DefaultStatusGrace. A
// value that is not a non-negative duration is an error naming the object
// and the annotation.
func StatusGraceOf(obj *unstructured.Unstructured, def time.Duration) (time.Duration, error) {
	switch {
	case def == 0:
		def = DefaultStatusGrace
	case def < 0:
		def = 0
	}
	v, ok := obj.GetAnnotations()[syncv1alpha1.AnnotationStatusGrace]
	if !ok {
		return def, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s %q: annotation %s: want a duration such as 30s, got %q", obj.GetKind(), obj.GetName(), syncv1alpha1.AnnotationStatusGrace, v)
	}
	return d, nil
}

// hasStatus tells whether obj has a non-empty status, i.e. whether its
// controller has written one.
func hasStatus(obj *unstructured.Unstructured) bool {
	switch s := obj.Object["status"].(type) {
	case nil:
		return false
	case map[string]any:
		return len(s) > 0
	default:
		return true
	}
}
