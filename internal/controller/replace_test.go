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

package controller_test

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// TestReplaceForceRecreatesTheObject: with Replace=true,Force=true the
// next operation deletes the object the previous one wrote and creates it
// again (a Job's template cannot change in place), then goes on.
func TestReplaceForceRecreatesTheObject(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	forced := func(data string) string {
		return `{apiVersion: v1, kind: ConfigMap, metadata: {name: once, annotations: {argocd.argoproj.io/sync-options: "Replace=true,Force=true"}}, data: {v: "` + data + `"}}`
	}
	after := `{apiVersion: v1, kind: ConfigMap, metadata: {name: after, annotations: {argocd.argoproj.io/sync-wave: "1"}}}`
	first := create(t, ns, "first", syncv1alpha1.SyncOperationSpec{Manifests: objects(t, forced("1"))})
	g.Eventually(phaseOf(first), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationSucceeded))
	before := &corev1.ConfigMap{}
	g.Expect(exists(t, before, ns, "once")).To(BeTrue())

	second := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "second", Namespace: ns},
		Spec: syncv1alpha1.SyncOperationSpec{Manifests: objects(t, forced("2"), after)}}
	g.Expect(k8s.Create(context.Background(), second)).To(Succeed())
	g.Eventually(phaseOf(second), 20*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.OperationSucceeded), second.Status.Message)
	now := &corev1.ConfigMap{}
	g.Expect(exists(t, now, ns, "once")).To(BeTrue())
	g.Expect(now.UID).NotTo(Equal(before.UID), "deleted and created again")
	g.Expect(now.Data).To(Equal(map[string]string{"v": "2"}))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "after")).To(BeTrue())
}
