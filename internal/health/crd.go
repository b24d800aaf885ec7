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
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// crdHealth: a CustomResourceDefinition whose names conflict with another
// (NamesAccepted False) will never serve, so it is Degraded. Otherwise it is
// Healthy once Established (its resources are served), and Progressing before
// that or while it is being deleted. The conditions are read from the
// unstructured object so that this package need not import
// k8s.io/apiextensions-apiserver.
func crdHealth(obj *unstructured.Unstructured) (Result, error) {
	conds, err := conditionsOf(obj)
	if err != nil {
		return Result{}, err
	}
	if c, ok := findCondition(conds, "NamesAccepted"); ok && c.Status == "False" {
		return degraded("names not accepted: %s", describe(c.Reason, c.Message, "")), nil
	}
	if c, ok := findCondition(conds, "Terminating"); ok && c.Status == "True" {
		if c.Reason == "InstanceDeletionFailed" {
			return degraded("deletion failed: %s", describe(c.Reason, c.Message, "")), nil
		}
		return progressing("being deleted: %s", describe(c.Reason, c.Message, "")), nil
	}
	c, ok := findCondition(conds, "Established")
	switch {
	case !ok:
		return progressing("waiting for the CRD to be established"), nil
	case c.Status == "True":
		return healthy("CRD is established"), nil
	default:
		return progressing("waiting for the CRD to be established: %s", describe(c.Reason, c.Message, "Established is "+c.Status)), nil
	}
}
