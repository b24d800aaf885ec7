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
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// Status is a health status (Argo CD's codes).
type Status = syncv1alpha1.HealthStatus

// The health statuses.
const (
	Healthy     = syncv1alpha1.HealthHealthy
	Progressing = syncv1alpha1.HealthProgressing
	Degraded    = syncv1alpha1.HealthDegraded
	Suspended   = syncv1alpha1.HealthSuspended
	Missing     = syncv1alpha1.HealthMissing
	Unknown     = syncv1alpha1.HealthUnknown
)

// Source says which kind of check produced a Result; it is the "source"
// label of the syncwave_health_checks_total metric.
type Source string

// The sources of a health result.
const (
	SourceBuiltin Source = "builtin"
	SourceLua     Source = "lua"
	SourceCEL     Source = "cel"
	SourceGeneric Source = "generic"
)

// Result is the health of one object.
type Result struct {
	Status  Status
	Message string
	Source  Source
	// RecheckAfter, when positive, says that the result changes by itself
	// after this long although the object does not (a status grace that
	// ends): the caller judges the object again then, since no watch event
	// will come.
	RecheckAfter time.Duration
}

// Assessor computes the health of one live object. It returns false when it
// has no opinion about the object's kind, so that the next assessor of a
// chain is asked.
type Assessor interface {
	Assess(obj *unstructured.Unstructured) (Result, bool, error)
}

// AssessorFunc adapts a function to an Assessor.
type AssessorFunc func(obj *unstructured.Unstructured) (Result, bool, error)

// Assess calls f.
func (f AssessorFunc) Assess(obj *unstructured.Unstructured) (Result, bool, error) { return f(obj) }
