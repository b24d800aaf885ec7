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
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// namespaceHealth: an Active namespace is Healthy. A Terminating one is
// Progressing, since deletion is a process that normally ends (its content
// and finalizers are removed) and the object will then be Missing; but when
// the namespace controller reports that deletion itself fails (a condition
// NamespaceDeletion...Failure is True, e.g. an API group whose discovery
// fails) it is Degraded, as it will not finish without help. A namespace
// without a phase has not been processed yet and is Progressing.
func namespaceHealth(obj *unstructured.Unstructured) (Result, error) {
	var ns corev1.Namespace
	if err := fromUnstructured(obj, &ns); err != nil {
		return Result{}, err
	}
	switch ns.Status.Phase {
	case corev1.NamespaceActive:
		return healthy("namespace is active"), nil
	case corev1.NamespaceTerminating:
		for _, c := range ns.Status.Conditions {
			if c.Status == corev1.ConditionTrue && namespaceDeletionFailures[c.Type] {
				return degraded("namespace deletion is failing: %s", describe(string(c.Type), c.Message, "")), nil
			}
		}
		var waiting []string
		for _, c := range ns.Status.Conditions {
			if c.Status == corev1.ConditionTrue && (c.Type == corev1.NamespaceContentRemaining || c.Type == corev1.NamespaceFinalizersRemaining) {
				waiting = append(waiting, describe("", c.Message, string(c.Type)))
			}
		}
		if len(waiting) > 0 {
			return progressing("namespace is terminating: %s", strings.Join(waiting, "; ")), nil
		}
		return progressing("namespace is terminating"), nil
	default:
		return progressing("waiting for the namespace to become Active"), nil
	}
}

// namespaceDeletionFailures are the conditions by which the namespace
// controller reports that it cannot delete the namespace's content.
var namespaceDeletionFailures = map[corev1.NamespaceConditionType]bool{
	corev1.NamespaceDeletionDiscoveryFailure: true,
	corev1.NamespaceDeletionContentFailure:   true,
	corev1.NamespaceDeletionGVParsingFailure: true,
}
