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

package diff

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestPrunable: diff lists the inventory objects the controller's prune
// deletes, no more, no fewer.
func TestPrunable(t *testing.T) {
	for _, tc := range []struct {
		name        string
		annotations map[string]string
		deleting    bool
		want        bool
	}{
		{name: "plain", want: true},
		{name: "a Helm 2 CRD (crd-install is no hook)", annotations: map[string]string{"helm.sh/hook": "crd-install"}, want: true},
		{name: "a hook annotation added to the live object", annotations: map[string]string{"argocd.argoproj.io/hook": "PreSync"}, want: true},
		{name: "Prune=false", annotations: map[string]string{"argocd.argoproj.io/sync-options": "Validate=false,Prune=false"}, want: false},
		{name: "Argo CD's Prune=confirm: kept, syncwave asks no confirmation", annotations: map[string]string{"argocd.argoproj.io/sync-options": "Prune=confirm"}, want: false},
		{name: "helm.sh/resource-policy: keep", annotations: map[string]string{"helm.sh/resource-policy": "keep"}, want: false},
		{name: "Flux's kustomize.toolkit.fluxcd.io/prune: disabled", annotations: map[string]string{"kustomize.toolkit.fluxcd.io/prune": "disabled"}, want: false},
		{name: "Delete=false alone does not keep it from a prune", annotations: map[string]string{"argocd.argoproj.io/sync-options": "Delete=false"}, want: true},
		{name: "being deleted", deleting: true, want: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := &unstructured.Unstructured{}
			u.SetAnnotations(tc.annotations)
			if tc.deleting {
				now := metav1.Now()
				u.SetDeletionTimestamp(&now)
			}
			if got := prunable(u); got != tc.want {
				t.Errorf("prunable = %v, want %v", got, tc.want)
			}
		})
	}
}
