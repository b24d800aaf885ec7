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

package v1alpha1_test

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

func TestKeptBy(t *testing.T) {
	opts := func(v string) map[string]string { return map[string]string{syncv1alpha1.AnnotationSyncOptions: v} }
	for _, c := range []struct {
		name          string
		ann           map[string]string
		prune, delete string // why a prune, a teardown keeps it ("" deletes)
	}{
		{"nothing", nil, "", ""},
		{"Prune=false", opts("Validate=false,Prune=false"), "the live object has the sync option Prune=false", "the live object has the sync option Prune=false"},
		{"Prune=confirm", opts("Prune=confirm"), "the live object has the sync option Prune=confirm; syncwave asks no confirmation: delete it by hand if it must go",
			"the live object has the sync option Prune=confirm; syncwave asks no confirmation: delete it by hand if it must go"},
		{"Delete=false", opts("Delete=false"), "", "the live object has the sync option Delete=false (kept when its application is torn down)"},
		{"Delete=confirm", opts("Delete=confirm"), "", "the live object has the sync option Delete=confirm (kept when its application is torn down); syncwave asks no confirmation: delete it by hand if it must go"},
		{"Helm's keep", map[string]string{"helm.sh/resource-policy": "keep"}, "the live object has helm.sh/resource-policy: keep", "the live object has helm.sh/resource-policy: keep"},
		{"Flux's prune: disabled", map[string]string{"kustomize.toolkit.fluxcd.io/prune": "disabled"},
			"the live object has kustomize.toolkit.fluxcd.io/prune: disabled", "the live object has kustomize.toolkit.fluxcd.io/prune: disabled"},
		{"other values delete", map[string]string{"helm.sh/resource-policy": "delete", "kustomize.toolkit.fluxcd.io/prune": "enabled"}, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := syncv1alpha1.KeptBy(c.ann, false); got != c.prune {
				t.Errorf("prune: %q, want %q", got, c.prune)
			}
			if got := syncv1alpha1.KeptBy(c.ann, true); got != c.delete {
				t.Errorf("teardown: %q, want %q", got, c.delete)
			}
		})
	}
}

func TestKeptAsHome(t *testing.T) {
	for _, tc := range []struct {
		group, kind, name string
		kept              bool
	}{
		{"", "Namespace", "prod", true},
		{"", "Namespace", "staging", false},
		{"", "ConfigMap", "prod", false},
		{"example.com", "Namespace", "prod", false},
	} {
		if got := syncv1alpha1.KeptAsHome(tc.group, tc.kind, tc.name, "prod") != ""; got != tc.kept {
			t.Errorf("KeptAsHome(%q, %q, %q, prod) kept = %v, want %v", tc.group, tc.kind, tc.name, got, tc.kept)
		}
	}
}

func TestOwnedByOperationNamed(t *testing.T) {
	op := func(apiVersion, kind, name string) []metav1.OwnerReference {
		return []metav1.OwnerReference{{APIVersion: apiVersion, Kind: kind, Name: name, UID: "old"}}
	}
	for _, tc := range []struct {
		refs []metav1.OwnerReference
		want bool
	}{
		{op(syncv1alpha1.GroupVersion.String(), "SyncOperation", "web"), true},
		{op("syncwave.dev/v1beta1", "SyncOperation", "web"), true},
		{op(syncv1alpha1.GroupVersion.String(), "SyncOperation", "api"), false},
		{op("apps/v1", "SyncOperation", "web"), false},
		{op(syncv1alpha1.GroupVersion.String(), "Job", "web"), false},
		{nil, false},
	} {
		if got := syncv1alpha1.OwnedByOperationNamed(tc.refs, "web"); got != tc.want {
			t.Errorf("OwnedByOperationNamed(%v, web) = %v, want %v", tc.refs, got, tc.want)
		}
	}
}
