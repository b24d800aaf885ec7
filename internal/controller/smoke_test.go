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
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manager"
)

func TestSmoke(t *testing.T) {
	g := NewWithT(t)
	env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")},
		BinaryAssetsDirectory: os.Getenv("SYNCWAVE_K8S_ASSETS"), ErrorIfCRDPathMissing: true}
	a := env.ControlPlane.GetAPIServer().Configure()
	a.Set("advertise-address", "127.0.0.1")
	a.Set("endpoint-reconciler-type", "none")
	cfg, err := env.Start()
	g.Expect(err).NotTo(HaveOccurred())
	defer env.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := manager.DefaultOptions()
	o.MetricsBindAddress, o.HealthProbeBindAddress = "0", "0"
	go func() { _ = manager.Run(ctx, cfg, o) }()
	c, err := client.New(cfg, client.Options{Scheme: manager.Scheme()})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "smoke"}})).To(Succeed())
	var ms []runtime.RawExtension
	for i, w := range []string{"0", "1", "1", "-1"} {
		cm := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{
			"name": "cm" + string(rune('a'+i)), "annotations": map[string]any{"argocd.argoproj.io/sync-wave": w}},
			"data": map[string]any{"k": "v"}}
		b, _ := json.Marshal(cm)
		ms = append(ms, runtime.RawExtension{Raw: b})
	}
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op1", Namespace: "smoke"},
		Spec: syncv1alpha1.SyncOperationSpec{Manifests: ms}}
	g.Expect(c.Create(ctx, op)).To(Succeed())
	g.Eventually(func() syncv1alpha1.OperationPhase {
		_ = c.Get(ctx, client.ObjectKeyFromObject(op), op)
		return op.Status.Phase
	}, 20*time.Second, 50*time.Millisecond).Should(Equal(syncv1alpha1.OperationSucceeded))
	b, _ := json.MarshalIndent(op.Status, "", " ")
	t.Log(string(b))
	// spec is immutable except terminate
	op.Spec.TargetNamespace = "other"
	err = c.Update(ctx, op)
	g.Expect(err).To(HaveOccurred())
	t.Log(err)
}
