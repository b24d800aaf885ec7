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

package controller

import (
	"fmt"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// crossNamespaceNote ends the message of a refused cross-namespace
// reference.
const crossNamespaceNote = "and this controller refuses references to other namespaces (--no-cross-namespace-refs)"

// crossNamespaceSource is, when the controller refuses references to
// other namespaces (NoCrossNamespaceRefs, Flux's --no-cross-namespace-refs
// lockdown for tenants), the refusal of the first Flux source of op in
// another namespace. Such a source is read as the controller, so without
// the refusal a tenant could deploy, and so read, another namespace's
// repository.
func (r *SyncOperationReconciler) crossNamespaceSource(op *syncv1alpha1.SyncOperation) error {
	if !r.NoCrossNamespaceRefs {
		return nil
	}
	for i, s := range op.Spec.Sources {
		if ref := s.SourceRef; ref != nil && ref.Namespace != "" && ref.Namespace != op.Namespace {
			return invalid("spec.sources[%d].sourceRef.namespace: %s %s/%s is in another namespace than the operation's (%s), %s",
				i, ref.Kind, ref.Namespace, ref.Name, op.Namespace, crossNamespaceNote)
		}
	}
	return nil
}

// crossNamespaceDependency is the same refusal for spec.dependsOn: "" when
// every dependency is in op's namespace or references are allowed.
func (r *SyncOperationReconciler) crossNamespaceDependency(op *syncv1alpha1.SyncOperation) string {
	if !r.NoCrossNamespaceRefs {
		return ""
	}
	for i, d := range op.Spec.DependsOn {
		if d.Namespace != "" && d.Namespace != op.Namespace {
			return fmt.Sprintf("spec.dependsOn[%d].namespace: application %s/%s is in another namespace than the operation's (%s), %s",
				i, d.Namespace, d.Application, op.Namespace, crossNamespaceNote)
		}
	}
	return ""
}
