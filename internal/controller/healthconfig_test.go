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
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	healthlib "github.com/syncwave/syncwave/config/health"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/health/cel"
	"github.com/syncwave/syncwave/internal/health/lua"
)

// argoHealthDirEnv names a checkout of Argo CD's resource_customizations
// for TestImportedTreeJudgesAsTheFixtures; unset, only the committed tree
// runs.
const argoHealthDirEnv = "SYNCWAVE_ARGO_HEALTH_DIR"

// committedTree is the lua package's small tree (exact, wildcard and core
// directories).
var committedTree = filepath.Join("..", "health", "lua", "testdata", "tree")

var healthCM = types.NamespacedName{Namespace: "syncwave-system", Name: "syncwave-health"}

// configMapReader serves one ConfigMap (or none): the health ConfigMap as
// the controller's cache would. A pure unit test of the assessor chain.
type configMapReader struct {
	client.Reader
	cm *corev1.ConfigMap
}

func (r configMapReader) Get(_ context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	if r.cm == nil || key != client.ObjectKeyFromObject(r.cm) {
		return apierrors.NewNotFound(schema.GroupResource{Resource: "configmaps"}, key.Name)
	}
	r.cm.DeepCopyInto(obj.(*corev1.ConfigMap))
	return nil
}

func healthConfigMap(data map[string]string) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{Data: data}
	cm.Name, cm.Namespace, cm.ResourceVersion = healthCM.Name, healthCM.Namespace, "1"
	return cm
}

// judgeWith returns the controller's health judge (r.judge: the Lua layers
// of hc, then the built-in and generic checks) for an operation without
// spec.healthChecks.
func judgeWith(hc *HealthConfig) func(*unstructured.Unstructured) health.Result {
	r := &SyncOperationReconciler{HealthConfig: hc}
	j := r.judge(context.Background(), &syncv1alpha1.SyncOperation{}, &target{})
	return j.Health
}

func newHealthConfig(g Gomega, cm *corev1.ConfigMap, dir string) *HealthConfig {
	lib, err := lua.LoadLibrary(healthlib.FS)
	g.Expect(err).NotTo(HaveOccurred())
	return &HealthConfig{Engine: lua.NewEngine(lua.DefaultOptions()), Reader: configMapReader{cm: cm}, ConfigMap: healthCM, Dir: dir, Library: lib}
}

// TestImportedTreeJudgesAsTheFixtures: a script tree, written as the health
// ConfigMap by health import's code (ConfigMapData) or mounted as
// --health-dir, judges every fixture of the tree through the controller's
// chain as the fixture expects, that is as Argo CD does. Objects with a
// deletionTimestamp are left out: the controller reports them Progressing
// whatever a script says.
func TestImportedTreeJudgesAsTheFixtures(t *testing.T) {
	trees := map[string]string{"committed": committedTree}
	if dir := os.Getenv(argoHealthDirEnv); dir != "" {
		trees["argo-cd"] = dir
	}
	for name, dir := range trees {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			tree, errs := lua.LoadTree(os.DirFS(dir))
			g.Expect(errs).To(BeEmpty())
			data, warnings, err := tree.ConfigMapData()
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(warnings).To(BeEmpty())
			cases, err := lua.NewEngine(lua.DefaultOptions()).RunFixtures(context.Background(), os.DirFS(dir), true)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(cases).NotTo(BeEmpty())

			for _, layer := range []struct {
				name string
				hc   *HealthConfig
			}{
				{"health ConfigMap", newHealthConfig(g, healthConfigMap(data), "")},
				{"--health-dir", newHealthConfig(g, nil, dir)},
			} {
				judge := judgeWith(layer.hc)
				passed, failed, skipped := 0, 0, 0
				for _, c := range cases {
					g.Expect(c.Err).NotTo(HaveOccurred(), "%s/%s", c.Dir, c.InputPath)
					raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(c.Dir), filepath.FromSlash(c.InputPath)))
					g.Expect(err).NotTo(HaveOccurred())
					obj, err := lua.ParseObject(raw)
					g.Expect(err).NotTo(HaveOccurred())
					if obj.GetDeletionTimestamp() != nil {
						skipped++
						continue
					}
					got := judge(obj)
					if got.Status == c.Want.Status && got.Message == c.Want.Message {
						passed++
						continue
					}
					failed++
					t.Errorf("%s: %s/%s: want %s %q, got %s %q", layer.name, c.Dir, c.InputPath, c.Want.Status, c.Want.Message, got.Status, got.Message)
				}
				t.Logf("%s, %s: %d passed, %d failed (%d with a deletionTimestamp left out)", name, layer.name, passed, failed, skipped)
				g.Expect(passed).To(BeNumerically(">", 0))
			}
		})
	}
}

// TestHealthConfigLayerOrder: the ConfigMap before --health-dir before the
// library; in the tree, the exact directory before the wildcard ones.
func TestHealthConfigLayerOrder(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	writeScript := func(rel, msg string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		g.Expect(os.MkdirAll(p, 0o755)).To(Succeed())
		g.Expect(os.WriteFile(filepath.Join(p, lua.ScriptFile), []byte(`return {status = "Healthy", message = "`+msg+`"}`), 0o644)).To(Succeed())
	}
	writeScript("cert-manager.io/Certificate", "dir certificate")
	writeScript("example.com/Widget", "dir widget")
	writeScript("_.example.com/_", "dir wildcard")
	writeScript("pkg.example.com/Provider", "dir provider")

	hc := newHealthConfig(g, healthConfigMap(map[string]string{
		lua.HealthKeyPrefix + "example.com_Widget": `return {status = "Healthy", message = "configmap widget"}`,
	}), dir)
	hc.DirRefresh = 1 // check the tree on every use
	judge := judgeWith(hc)
	obj := func(apiVersion, kind string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": "x"}}}
	}
	g.Expect(judge(obj("example.com/v1", "Widget")).Message).To(Equal("configmap widget"))
	g.Expect(judge(obj("cert-manager.io/v1", "Certificate")).Message).To(Equal("dir certificate"), "the tree before the library")
	g.Expect(judge(obj("pkg.example.com/v1", "Provider")).Message).To(Equal("dir provider"))
	g.Expect(judge(obj("db.example.com/v1", "Table")).Message).To(Equal("dir wildcard"))
	g.Expect(judge(obj("serving.knative.dev/v1", "Service")).Source).To(Equal(health.SourceLua), "the library still comes last")

	// A change of the tree is picked up; a broken script judges its kinds
	// Unknown instead of letting the library decide.
	g.Expect(os.WriteFile(filepath.Join(dir, "cert-manager.io", "Certificate", lua.ScriptFile), []byte("return {"), 0o644)).To(Succeed())
	judge = judgeWith(hc) // every reconcile builds its judge
	res := judge(obj("cert-manager.io/v1", "Certificate"))
	g.Expect(res.Status).To(Equal(health.Unknown))
	g.Expect(res.Message).To(ContainSubstring("cert-manager.io/Certificate/health.lua: lua: syntax error"))
}

// TestHealthConfigLayerOrderWithCEL: the operation's CEL checks before the
// ConfigMap's, the ConfigMap's health.cel.* keys (after its Lua keys) before
// --health-dir and the library, and a CEL key that does not parse judges its
// kind Unknown instead of letting the tree decide.
func TestHealthConfigLayerOrderWithCEL(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	for _, rel := range []string{"cert-manager.io/Certificate", "example.com/Widget", "example.com/Gadget", "example.com/Broken"} {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		g.Expect(os.MkdirAll(p, 0o755)).To(Succeed())
		g.Expect(os.WriteFile(filepath.Join(p, lua.ScriptFile), []byte(`return {status = "Healthy", message = "dir"}`), 0o644)).To(Succeed())
	}
	hc := newHealthConfig(g, healthConfigMap(map[string]string{
		lua.HealthKeyPrefix + "example.com_Widget":    `return {status = "Healthy", message = "configmap lua"}`,
		cel.KeyPrefix + "example.com_Widget":          "{apiVersion: example.com/v1, current: 'false'}",
		cel.KeyPrefix + "example.com_Gadget":          "{apiVersion: example.com/v1, current: 'true'}",
		cel.KeyPrefix + "cert-manager.io_Certificate": "{apiVersion: cert-manager.io/v1, current: 'true'}",
		cel.KeyPrefix + "example.com_OnlyCEL":         "{apiVersion: example.com/v1, current: 'true'}",
		cel.KeyPrefix + "example.com_Broken":          "current: [",
	}), dir)
	hc.CEL = cel.NewEngine(cel.DefaultOptions())
	op := &syncv1alpha1.SyncOperation{Spec: syncv1alpha1.SyncOperationSpec{HealthCheckExprs: []syncv1alpha1.HealthCheckExpr{
		{APIVersion: "cert-manager.io/v1", Kind: "Certificate", Current: "false"},
	}}}
	r := &SyncOperationReconciler{HealthConfig: hc}
	judge := r.judge(context.Background(), op, &target{}).Health
	obj := func(apiVersion, kind string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": "x"}}}
	}
	g.Expect(judge(obj("example.com/v1", "Widget")).Message).To(Equal("configmap lua"), "at one level Lua wins")
	g.Expect(judge(obj("example.com/v1", "Gadget")).Source).To(Equal(health.SourceCEL), "the ConfigMap's CEL before the tree")
	res := judge(obj("cert-manager.io/v1", "Certificate"))
	g.Expect(res.Source).To(Equal(health.SourceCEL))
	g.Expect(res.Status).To(Equal(health.Progressing), "the operation's CEL before the ConfigMap's")
	res = judge(obj("example.com/v1", "Broken"))
	g.Expect(res.Status).To(Equal(health.Unknown))
	g.Expect(res.Message).To(ContainSubstring("health ConfigMap key health.cel.example.com_Broken does not parse"))

	has := hc.hasCheck(context.Background(), &syncv1alpha1.SyncOperation{})
	g.Expect(has(schema.GroupKind{Group: "example.com", Kind: "OnlyCEL"})).To(BeTrue(), "a health.cel key is a check for the plan's lint")
	g.Expect(has(schema.GroupKind{Group: "example.com", Kind: "Nothing"})).To(BeFalse())
}

func TestTruncateNote(t *testing.T) {
	g := NewWithT(t)
	g.Expect(truncateNote("short")).To(Equal("short"))
	long := truncateNote(strings.Repeat("é", 600))
	g.Expect(len(long)).To(BeNumerically("<=", maxNoteBytes))
	g.Expect(long).To(HaveSuffix("é..."))
}
