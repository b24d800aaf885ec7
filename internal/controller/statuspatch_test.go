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
	"encoding/json"
	"fmt"
	"testing"

	jsonpatch "github.com/evanphx/json-patch/v5"
	. "github.com/onsi/gomega"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

func res(name string, health syncv1alpha1.HealthStatus) syncv1alpha1.ResourceStatus {
	return syncv1alpha1.ResourceStatus{ResourceRef: syncv1alpha1.ResourceRef{Kind: "ConfigMap", Namespace: "ns", Name: name},
		SyncPhase: syncv1alpha1.SyncPhaseSync, Health: health}
}

// TestStatusPatchWritesWhatChanged: applying the patch to the old status
// gives the new one, and a health flip of one entry is one small op.
func TestStatusPatchWritesWhatChanged(t *testing.T) {
	var many []syncv1alpha1.ResourceStatus
	for i := range 300 {
		many = append(many, res(fmt.Sprintf("cm-%03d", i), syncv1alpha1.HealthProgressing))
	}
	flipped := append([]syncv1alpha1.ResourceStatus(nil), many...)
	flipped[150].Health = syncv1alpha1.HealthHealthy
	cases := map[string]struct {
		before, after syncv1alpha1.SyncOperationStatus
		maxOps        int
	}{
		"from nothing": {after: syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationPending}, maxOps: 1},
		"one health flip": {
			before: syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning, Resources: many},
			after:  syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning, Resources: flipped},
			maxOps: 1,
		},
		"entries go and come": {
			before: syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning, Message: "a",
				Resources: []syncv1alpha1.ResourceStatus{res("a", "Healthy"), res("b", "Progressing"), res("d", "Progressing")}},
			after: syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning,
				Resources: []syncv1alpha1.ResourceStatus{res("b", "Healthy"), res("c", "Progressing"), res("d", "Progressing"), res("e", "Missing")}},
			maxOps: 5,
		},
		"steps by position": {
			before: syncv1alpha1.SyncOperationStatus{Steps: []syncv1alpha1.StepResult{{Phase: "Sync", Tasks: 2}, {Phase: "Sync", Wave: 1, Tasks: 1}}},
			after:  syncv1alpha1.SyncOperationStatus{Steps: []syncv1alpha1.StepResult{{Phase: "Sync", Tasks: 2, Synced: 2}, {Phase: "Sync", Wave: 1, Tasks: 1}}},
			maxOps: 1,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			ops, err := statusPatch(&tc.before, &tc.after)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(len(ops)).To(BeNumerically("<=", tc.maxOps), "%+v", ops)
			doc, _ := json.Marshal(map[string]any{"status": tc.before})
			if len(ops) > 0 && ops[0].Path == "/status" {
				doc = []byte("{}")
			}
			raw, _ := json.Marshal(ops)
			p, err := jsonpatch.DecodePatch(raw)
			g.Expect(err).NotTo(HaveOccurred())
			patched, err := p.Apply(doc)
			g.Expect(err).NotTo(HaveOccurred())
			var got struct {
				Status syncv1alpha1.SyncOperationStatus `json:"status"`
			}
			g.Expect(json.Unmarshal(patched, &got)).To(Succeed())
			want, _ := json.Marshal(tc.after)
			have, _ := json.Marshal(got.Status)
			g.Expect(string(have)).To(Equal(string(want)))
		})
	}
}
