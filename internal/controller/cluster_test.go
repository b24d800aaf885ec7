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
	"testing"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

func TestSameCluster(t *testing.T) {
	on := func(name, key string) *syncv1alpha1.SyncOperation {
		op := &syncv1alpha1.SyncOperation{}
		if name != "" {
			op.Spec.KubeConfig = &syncv1alpha1.KubeConfigReference{SecretRef: syncv1alpha1.SecretKeyReference{Name: name, Key: key}}
		}
		return op
	}
	for _, tc := range []struct {
		name string
		a, b *syncv1alpha1.SyncOperation
		want bool
	}{
		{"both on the controller's cluster", on("", ""), on("", ""), true},
		{"one remote", on("eu", ""), on("", ""), false},
		{"the same Secret", on("eu", ""), on("eu", ""), true},
		{"the default key and the same key named", on("eu", "value"), on("eu", ""), true},
		{"two Secrets", on("eu", ""), on("us", ""), false},
		{"two keys of one Secret", on("eu", "a"), on("eu", "b"), false},
	} {
		if got := sameCluster(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: sameCluster = %v, want %v", tc.name, got, tc.want)
		}
		if got := sameCluster(tc.b, tc.a); got != tc.want {
			t.Errorf("%s (swapped): sameCluster = %v, want %v", tc.name, got, tc.want)
		}
	}
}
