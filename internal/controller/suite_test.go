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

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manager"
	"github.com/syncwave/syncwave/test/cluster"
)

// The envtest level (kube-apiserver + etcd) with the controller running in
// this process: API-level behaviour (validation, dry-run, server-side apply,
// CRDs, sources). Pods never run here; see test/e2e for that.
var (
	env *cluster.Cluster
	k8s client.Client
)

func TestMain(m *testing.M) {
	ctrllog.SetLogger(logr.Discard())
	opts := cluster.Options{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}}
	os.Exit(cluster.RunTests(m, opts, func(c *cluster.Cluster) (func(), error) {
		env = c
		var err error
		if k8s, err = c.Client(manager.Scheme()); err != nil {
			return nil, err
		}
		ctx, cancel := context.WithCancel(context.Background())
		o := manager.DefaultOptions()
		o.MetricsBindAddress, o.HealthProbeBindAddress = "0", "0"
		// No garbage collector runs here to finish foreground deletions.
		o.PrunePropagation = metav1.DeletePropagationBackground
		o.HistoryLimit = 3
		done := make(chan error, 1)
		go func() { done <- manager.Run(ctx, c.Config, o) }()
		return func() { cancel(); <-done }, nil
	}))
}

func namespace(t *testing.T) string {
	t.Helper()
	return env.NamespaceT(t, "ctrl-")
}

// objects parses YAML documents into inline manifests.
func objects(t *testing.T, docs ...string) []runtime.RawExtension {
	t.Helper()
	out := make([]runtime.RawExtension, 0, len(docs))
	for _, d := range docs {
		m := map[string]any{}
		if err := yaml.Unmarshal([]byte(d), &m); err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(m)
		out = append(out, runtime.RawExtension{Raw: raw})
	}
	return out
}

func run(t *testing.T, ns string, spec syncv1alpha1.SyncOperationSpec) *syncv1alpha1.SyncOperation {
	t.Helper()
	g := NewWithT(t)
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns}, Spec: spec}
	g.Expect(k8s.Create(context.Background(), op)).To(Succeed())
	g.Eventually(func() bool {
		_ = k8s.Get(context.Background(), client.ObjectKeyFromObject(op), op)
		return op.Status.Phase.Terminal()
	}, 30*time.Second, 20*time.Millisecond).Should(BeTrue())
	return op
}

func exists(t *testing.T, obj client.Object, ns, name string) bool {
	t.Helper()
	err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, obj)
	return err == nil
}
