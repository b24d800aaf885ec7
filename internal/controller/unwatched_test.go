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
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/controller"
)

// readyWhenData is a health check: a ConfigMap is Healthy once its data
// says ready: "yes".
const readyWhenData = `if obj.data ~= nil and obj.data.ready == "yes" then return {status = "Healthy"} end
return {status = "Progressing", message = "not ready"}`

// TestAServiceAccountThatMayNotListOrWatch: the operation's ServiceAccount
// may get and write ConfigMaps but not list or watch them, so the
// informer of its cache never syncs. Its objects are read directly and
// looked at again (the change of one is seen without any event); once the
// informer had its time, the wait says which permission is missing.
func TestAServiceAccountThatMayNotListOrWatch(t *testing.T) {
	g := NewWithT(t)
	ns := namespace(t)
	ctx := context.Background()
	g.Expect(k8s.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "blind", Namespace: ns}})).To(Succeed())
	g.Expect(k8s.Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "no-list", Namespace: ns},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "create", "patch", "update"}}}})).To(Succeed())
	g.Expect(k8s.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "blind", Namespace: ns},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "no-list"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "blind", Namespace: ns}}})).To(Succeed())
	spec := func(name string) syncv1alpha1.SyncOperationSpec {
		return syncv1alpha1.SyncOperationSpec{ServiceAccountName: "blind", Timeout: &metav1.Duration{Duration: time.Minute},
			HealthChecks: []syncv1alpha1.HealthCheck{{Kind: "ConfigMap", Lua: readyWhenData}},
			Manifests:    objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: `+name+`}, data: {ready: "no"}}`)}
	}
	blocked := func(op *syncv1alpha1.SyncOperation) func() string {
		return func() string {
			_ = k8s.Get(ctx, client.ObjectKeyFromObject(op), op)
			var msgs []string
			for _, b := range op.Status.BlockedBy {
				msgs = append(msgs, b.Message)
			}
			return strings.Join(msgs, "; ")
		}
	}

	first := create(t, ns, "first", spec("gate"))
	g.Eventually(blocked(first), 20*time.Second, 50*time.Millisecond).Should(ContainSubstring("not ready"))
	// Made ready by hand: no watch event reaches the operation, and yet it
	// sees the change.
	cm := &corev1.ConfigMap{}
	g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "gate"}, cm)).To(Succeed())
	cm.Data["ready"] = "yes"
	g.Expect(k8s.Update(ctx, cm)).To(Succeed())
	g.Eventually(phaseOf(first), 20*time.Second, 100*time.Millisecond).Should(Equal(syncv1alpha1.OperationSucceeded), first.Status.Message)

	defer controller.SetUnsyncedGrace(time.Second)()
	second := create(t, ns, "second", spec("other"))
	g.Eventually(blocked(second), 20*time.Second, 100*time.Millisecond).Should(And(
		ContainSubstring("the informer of ConfigMap has not synced in 1s"),
		ContainSubstring("system:serviceaccount:"+ns+":blind may not list or watch it")))
	terminate(t, second)
}
