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

package apply

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// Error is a failed write of one object. Rejected tells whether retrying
// cannot help (invalid, forbidden, unknown kind); NotReady whether the
// write must wait for something of the same operation, such as a CRD.
type Error struct {
	Object   string
	Verb     string
	Err      error
	rejected bool
	notReady bool
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("%s %s: %v", e.Verb, e.Object, e.Err) }

// Unwrap returns the API error.
func (e *Error) Unwrap() error { return e.Err }

// Rejected reports whether the API server refused the write for good.
func (e *Error) Rejected() bool { return e.rejected }

// NotReady reports whether the write must wait.
func (e *Error) NotReady() bool { return e.notReady }

// classify wraps err from a write of obj.
func classify(verb, obj string, err error) error {
	if err == nil {
		return nil
	}
	e := &Error{Object: obj, Verb: verb, Err: err}
	switch {
	case meta.IsNoMatchError(err):
		e.rejected = true
	case undeclaredField(err):
		e.rejected = true
		e.Err = fmt.Errorf("%w (server-side apply writes only the fields that the kind's schema declares, Validate=false or not: remove or correct the field, or add Replace=true, whose create and update drop unknown fields with Validate=false)", err)
	case apierrors.IsInvalid(err), apierrors.IsBadRequest(err), apierrors.IsForbidden(err),
		apierrors.IsMethodNotSupported(err), apierrors.IsNotAcceptable(err), apierrors.IsUnsupportedMediaType(err),
		apierrors.IsRequestEntityTooLargeError(err), apierrors.IsNotFound(err), apierrors.IsAlreadyExists(err),
		apierrors.IsConflict(err) && !isOptimisticConflict(err), apierrors.IsUnauthorized(err):
		e.rejected = true
	}
	return e
}

// undeclaredField reports whether err is the API server's refusal of a
// server-side apply whose object does not fit the kind's schema (a field
// not declared, or of the wrong type): an internal error in name, the same
// on every try.
func undeclaredField(err error) bool {
	return apierrors.IsInternalError(err) && strings.Contains(err.Error(), "failed to create typed patch object")
}

func isOptimisticConflict(err error) bool {
	var st apierrors.APIStatus
	if !errors.As(err, &st) {
		return false
	}
	d := st.Status().Details
	return d == nil || len(d.Causes) == 0
}

// waitFor marks err as a wait rather than a failure.
func waitFor(obj string, err error) error {
	return &Error{Object: obj, Verb: "apply", Err: err, notReady: true}
}

// notServedYet reports whether err is the API server's 404 for a resource
// it does not serve (yet): a write creates a missing object, so a NotFound
// that is not about the object's namespace means the resource's handler
// is not there. A CRD that was just created, or deleted and created again,
// is Established a moment before the API server serves its custom
// resources.
func notServedYet(err error) bool {
	if !apierrors.IsNotFound(err) {
		return false
	}
	var st apierrors.APIStatus
	if errors.As(err, &st) {
		if d := st.Status().Details; d != nil && d.Group == "" && d.Kind == "namespaces" {
			return false
		}
	}
	return true
}

// authorizerDenial is how the API server words a request that
// authorization refused: `<resource> "<name>" is forbidden: User "<user>"
// cannot <verb> resource ...`. Admission refusals (PodSecurity, quotas,
// policies) are Forbidden too, in other words.
var authorizerDenial = regexp.MustCompile(`is forbidden: User "[^"]*" cannot `)

// authorizationDenied reports whether a Forbidden err comes from
// authorization (RBAC), not from admission.
func authorizationDenied(err error) bool {
	return apierrors.IsForbidden(err) && authorizerDenial.MatchString(err.Error())
}

// SharedError says that the live object of a task belongs to another
// application. With Refuse (FailOnSharedResource=true) it is a rejection;
// otherwise a warning: the object is taken over.
type SharedError struct {
	Object      string
	Application string
	Refuse      bool
}

// Error implements error.
func (e *SharedError) Error() string {
	msg := fmt.Sprintf("%s is managed by application %s (label %s on the live object)", e.Object, e.Application, syncv1alpha1.LabelApplication)
	if e.Refuse {
		msg += "; FailOnSharedResource=true refuses to take it over"
	}
	return msg
}

// Rejected reports whether the object must not be taken over.
func (e *SharedError) Rejected() bool { return e.Refuse }

// SharedWith is the application that manages the object.
func (e *SharedError) SharedWith() string { return e.Application }
