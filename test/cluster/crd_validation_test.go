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

package cluster

import (
	"context"
	"fmt"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// invalidOps are SyncOperation specs that the CRD's OpenAPI and CEL
// validation refuse, each with the field path and message the API server
// answers with. The README's validation table lists them.
var invalidOps = []struct {
	name string
	spec map[string]any
	want []string
}{
	{"no manifests and no sources", map[string]any{}, []string{"spec", "one of manifests or sources is required"}},
	{"a source naming both kinds", map[string]any{"sources": []any{map[string]any{"configMapRef": map[string]any{"name": "a"}, "secretRef": map[string]any{"name": "a"}}}},
		[]string{"spec.sources[0]", "exactly one of configMapRef, secretRef or sourceRef is required"}},
	{"a source naming neither", map[string]any{"sources": []any{map[string]any{}}}, []string{"spec.sources[0]", "exactly one of configMapRef, secretRef or sourceRef is required"}},
	{"a source name that is not a DNS name", map[string]any{"sources": []any{map[string]any{"configMapRef": map[string]any{"name": "Bad_Name"}}}},
		[]string{"spec.sources[0].configMapRef.name", "should match"}},
	{"an empty source name", map[string]any{"sources": []any{map[string]any{"secretRef": map[string]any{"name": ""}}}},
		[]string{"spec.sources[0].secretRef.name", "should be at least 1 chars long"}},
	{"a source key with a slash", map[string]any{"sources": []any{map[string]any{"configMapRef": map[string]any{"name": "a", "key": "../x"}}}},
		[]string{"spec.sources[0].configMapRef.key", "should match"}},
	{"a sourceRef of a kind Flux does not have", map[string]any{"sources": []any{map[string]any{"sourceRef": map[string]any{"kind": "HelmChart", "name": "a"}}}},
		[]string{"spec.sources[0].sourceRef.kind", "Unsupported value"}},
	{"a kubeConfig Secret without a name", map[string]any{"manifests": oneManifest(), "kubeConfig": map[string]any{"secretRef": map[string]any{"name": ""}}},
		[]string{"spec.kubeConfig.secretRef.name", "should be at least 1 chars long"}},
	{"101 sources", map[string]any{"sources": repeat(101, map[string]any{"configMapRef": map[string]any{"name": "a"}})},
		[]string{"spec.sources", "must have at most 100 items"}},
	{"a targetNamespace that is not a namespace name", map[string]any{"manifests": oneManifest(), "targetNamespace": "Prod"},
		[]string{"spec.targetNamespace", "should match"}},
	{"a 64-character targetNamespace", map[string]any{"manifests": oneManifest(), "targetNamespace": strings.Repeat("a", 64)},
		[]string{"spec.targetNamespace", "may not be more than 63 bytes"}},
	{"a serviceAccountName with a colon", map[string]any{"manifests": oneManifest(), "serviceAccountName": "system:admin"},
		[]string{"spec.serviceAccountName", "should match"}},
	{"a timeout that is not a duration", map[string]any{"manifests": oneManifest(), "timeout": "soon"},
		[]string{"spec.timeout", "invalid"}},
	{"a zero timeout", map[string]any{"manifests": oneManifest(), "timeout": "0s"}, []string{"spec.timeout", "timeout must be positive"}},
	{"a negative waveTimeout", map[string]any{"manifests": oneManifest(), "waveTimeout": "-1m"}, []string{"spec.waveTimeout", "waveTimeout must be positive"}},
	{"a negative degradedGracePeriod", map[string]any{"manifests": oneManifest(), "degradedGracePeriod": "-5s"},
		[]string{"spec.degradedGracePeriod", "degradedGracePeriod must not be negative"}},
	{"a sync option without =", map[string]any{"manifests": oneManifest(), "syncOptions": []any{"ServerSideApply"}},
		[]string{"spec.syncOptions[0]", "should match"}},
	{"two sync options in one item", map[string]any{"manifests": oneManifest(), "syncOptions": []any{"Prune=false,Replace=true"}},
		[]string{"spec.syncOptions[0]", "should match"}},
	{"33 sync options", map[string]any{"manifests": oneManifest(), "syncOptions": repeat(33, "Prune=false")},
		[]string{"spec.syncOptions", "must have at most 32 items"}},
	{"a health check without a kind", map[string]any{"manifests": oneManifest(), "healthChecks": []any{map[string]any{"lua": "return {}"}}},
		[]string{"spec.healthChecks[0].kind", "Required value"}},
	{"a health check with an empty script", map[string]any{"manifests": oneManifest(), "healthChecks": []any{map[string]any{"kind": "Thing", "lua": ""}}},
		[]string{"spec.healthChecks[0].lua", "should be at least 1 chars long"}},
	{"a health check kind with a slash", map[string]any{"manifests": oneManifest(), "healthChecks": []any{map[string]any{"kind": "apps/Deployment", "lua": "return {}"}}},
		[]string{"spec.healthChecks[0].kind", "should match"}},
	{"a health check group with its version", map[string]any{"manifests": oneManifest(), "healthChecks": []any{map[string]any{"group": "apps/v1", "kind": "Deployment", "lua": "return {}"}}},
		[]string{"spec.healthChecks[0].group", "should match"}},
	{"two health checks for one kind", map[string]any{"manifests": oneManifest(), "healthChecks": []any{
		map[string]any{"group": "example.com", "kind": "Thing", "lua": "return {}"},
		map[string]any{"group": "example.com", "kind": "Thing", "lua": "return {}"}}},
		[]string{"spec.healthChecks", "healthChecks has two entries for one group and kind"}},
	{"a terminate that is not a boolean", map[string]any{"manifests": oneManifest(), "terminate": "yes"},
		[]string{"spec.terminate", "must be of type boolean"}},
}

func oneManifest() []any {
	return []any{map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "a"}}}
}

func repeat(n int, v any) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func syncOperation(ns, name string, spec map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "syncwave.dev/v1alpha1", "kind": "SyncOperation",
		"metadata": map[string]any{"namespace": ns, "name": name}, "spec": spec}}
}

// TestCRDValidation creates each bad SyncOperation and checks that the API
// server refuses it as Invalid, naming the field; then it changes each
// immutable field of a good one. Run with -v to print the refusals.
func TestCRDValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	t.Parallel()
	c := StartT(t, Options{CRDDirectoryPaths: []string{crdDir}})
	cl := c.ClientT(t, nil)
	ns := c.NamespaceT(t, "validation-")
	ctx := context.Background()
	for i, tc := range invalidOps {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			err := cl.Create(ctx, syncOperation(ns, fmt.Sprintf("bad-%d", i), tc.spec))
			g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want Invalid, got %v", err)
			for _, w := range tc.want {
				g.Expect(err.Error()).To(ContainSubstring(w))
			}
			t.Logf("| %s | %s |", tc.name, answer(err))
		})
	}

	good := syncOperation(ns, "good", map[string]any{"manifests": oneManifest(), "timeout": "10m", "syncOptions": []any{"Prune=false"}})
	NewWithT(t).Expect(cl.Create(ctx, good)).To(Succeed())
	for _, tc := range []struct {
		field string
		value any
		want  string
	}{
		{"timeout", "20m", "timeout is immutable"},
		{"syncOptions", []any{"Prune=true"}, "syncOptions is immutable"},
		{"targetNamespace", "other", "spec is immutable except terminate"},
		{"manifests", []any{}, "immutable"},
	} {
		t.Run("changing "+tc.field, func(t *testing.T) {
			g := NewWithT(t)
			cur := &unstructured.Unstructured{}
			cur.SetGroupVersionKind(good.GroupVersionKind())
			g.Expect(cl.Get(ctx, client.ObjectKeyFromObject(good), cur)).To(Succeed())
			g.Expect(unstructured.SetNestedField(cur.Object, tc.value, "spec", tc.field)).To(Succeed())
			err := cl.Update(ctx, cur)
			g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want Invalid, got %v", err)
			g.Expect(err.Error()).To(ContainSubstring(tc.want))
			t.Logf("| changing spec.%s after creation | %s |", tc.field, answer(err))
		})
	}
	t.Run("terminate true then false", func(t *testing.T) {
		g := NewWithT(t)
		cur := &unstructured.Unstructured{}
		cur.SetGroupVersionKind(good.GroupVersionKind())
		g.Expect(cl.Get(ctx, client.ObjectKeyFromObject(good), cur)).To(Succeed())
		g.Expect(unstructured.SetNestedField(cur.Object, true, "spec", "terminate")).To(Succeed())
		g.Expect(cl.Update(ctx, cur)).To(Succeed(), "terminate may go to true")
		g.Expect(unstructured.SetNestedField(cur.Object, false, "spec", "terminate")).To(Succeed())
		err := cl.Update(ctx, cur)
		g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want Invalid, got %v", err)
		g.Expect(err.Error()).To(ContainSubstring("terminate cannot be unset once true"))
		t.Logf("| spec.terminate set back to false | %s |", answer(err))
	})
}

// answer is the API server's message without the object's name.
func answer(err error) string {
	s := err.Error()
	if _, rest, ok := strings.Cut(s, " is invalid: "); ok {
		s = rest
	}
	return strings.ReplaceAll(s, "|", `\|`)
}
