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
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// TestBrokenHealthKeysAreReported: keys of the health ConfigMap that do not
// parse, next to one that does, give a Warning event on the ConfigMap each,
// and the objects of the kinds they were meant for are Unknown with that
// said, instead of being judged by another check.
func TestBrokenHealthKeysAreReported(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	prev := &corev1.ConfigMap{}
	err := k8s.Get(ctx, client.ObjectKey{Namespace: "syncwave-system", Name: "syncwave-health"}, prev)
	g.Expect(err == nil || apierrors.IsNotFound(err)).To(BeTrue(), "%v", err)
	t.Cleanup(func() { setHealthConfigMap(t, prev.Data) })

	setHealthConfigMap(t, map[string]string{
		// Not YAML (a tab in the indentation), meant for MyDatabaseInstance.
		"resource.customizations":                           "databases.example.com/MyDatabaseInstance:\n  health.lua: |\n\t  return {status = \"Healthy\"}\n",
		"resource.customizations.health.example.com_Broken": "return {",
		"resource.customizations.health.ConfigMap":          `return {status = "Healthy", message = "fine key"}`,
		// A CEL key whose YAML does not parse, reported in the same event.
		"health.cel.example.com_BrokenCEL": "current: [",
	})
	ns := namespace(t)
	op := startOp(t, ns, syncv1alpha1.SyncOperationSpec{Manifests: objects(t, dbCRD,
		`{apiVersion: databases.example.com/v1, kind: MyDatabaseInstance, metadata: {name: db1, annotations: {argocd.argoproj.io/sync-wave: "1"}}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: cm1}}`,
	)})
	t.Cleanup(func() {
		_ = k8s.Get(ctx, client.ObjectKeyFromObject(op), op)
		op.Spec.Terminate = true
		_ = k8s.Update(ctx, op)
	})
	waitBlockedOn(t, op, "db1", "health ConfigMap key resource.customizations does not parse: ")
	for _, r := range op.Status.Resources {
		if r.Name == "cm1" {
			g.Expect(r.Message).To(Equal("fine key"), "the key that parses is used")
		}
	}

	notes := func() string {
		list := &eventsv1.EventList{}
		if err := k8s.List(ctx, list, client.InNamespace("syncwave-system")); err != nil {
			return err.Error()
		}
		var out []string
		for _, e := range list.Items {
			if e.Regarding.Kind == "ConfigMap" && e.Regarding.Name == "syncwave-health" && e.Reason == "HealthKeyInvalid" && e.Type == corev1.EventTypeWarning {
				out = append(out, e.Note)
			}
		}
		return strings.Join(out, "\n")
	}
	g.Eventually(notes, 10*time.Second, 50*time.Millisecond).Should(And(
		ContainSubstring("key resource.customizations does not parse: error converting YAML to JSON"),
		ContainSubstring("key resource.customizations.health.example.com_Broken does not parse: lua: syntax error"),
		ContainSubstring("key health.cel.example.com_BrokenCEL: parse health check"),
	))
}
