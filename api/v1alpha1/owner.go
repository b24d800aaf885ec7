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

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// OwnedByOperationNamed reports whether refs name a SyncOperation called
// name, of any UID. An object that a SyncOperation of the name of a new
// one owns, under another UID, was left by an earlier operation of that
// name (two cannot exist at once, so that one is gone) for the garbage
// collector: the new operation may replace it.
func OwnedByOperationNamed(refs []metav1.OwnerReference, name string) bool {
	for _, o := range refs {
		gv, err := schema.ParseGroupVersion(o.APIVersion)
		if err == nil && gv.Group == GroupVersion.Group && o.Kind == "SyncOperation" && o.Name == name {
			return true
		}
	}
	return false
}
