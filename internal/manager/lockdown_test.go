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

package manager_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manager"
	"github.com/syncwave/syncwave/test/cluster"
)

// TestNoCrossNamespaceRefs runs the manager with the tenant lockdown
// (--default-service-account, --no-cross-namespace-refs): an operation
// that names a Flux source or a dependency in another namespace fails at
// once, naming the field, and nothing is read or applied.
func TestNoCrossNamespaceRefs(t *testing.T) {
	ctrllog.SetLogger(logr.Discard())
	g := NewWithT(t)
	c := cluster.StartT(t, cluster.Options{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}})
	cl := c.ClientT(t, manager.Scheme())
	o := manager.DefaultOptions()
	o.MetricsBindAddress, o.HealthProbeBindAddress = "0", "0"
	o.Registry = prometheus.NewRegistry()
	o.SkipNameValidation = true
	o.DefaultServiceAccount, o.NoCrossNamespaceRefs = "deployer", true
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- manager.Run(ctx, c.Config, o) }()
	t.Cleanup(func() {
		cancel()
		g.Eventually(done, 30*time.Second).Should(Receive(Succeed()))
	})

	ns := c.NamespaceT(t, "tenant-")
	cm := []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app"}}`)
	for _, tc := range []struct {
		name   string
		spec   syncv1alpha1.SyncOperationSpec
		reason string
		msg    string
	}{
		{"source", syncv1alpha1.SyncOperationSpec{Sources: []syncv1alpha1.ManifestSource{
			{SourceRef: &syncv1alpha1.FluxSourceReference{Kind: "GitRepository", Name: "private", Namespace: "team-b"}}}},
			syncv1alpha1.ReasonInvalidManifests, "spec.sources[0].sourceRef.namespace: GitRepository team-b/private is in another namespace than the operation's (" + ns + ")"},
		{"dependency", syncv1alpha1.SyncOperationSpec{Application: "web", DependsOn: []syncv1alpha1.ApplicationDependency{{Application: "ledger", Namespace: "team-b"}},
			Manifests: []runtime.RawExtension{{Raw: cm}}},
			syncv1alpha1.ReasonInvalidDependencies, "spec.dependsOn[0].namespace: application team-b/ledger is in another namespace than the operation's (" + ns + ")"},
	} {
		op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: tc.name, Namespace: ns}, Spec: tc.spec}
		g.Expect(cl.Create(context.Background(), op)).To(Succeed())
		g.Eventually(func() bool {
			_ = cl.Get(context.Background(), client.ObjectKeyFromObject(op), op)
			return op.Status.Phase.Terminal()
		}, 30*time.Second, 50*time.Millisecond).Should(BeTrue(), tc.name)
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed), tc.name)
		g.Expect(op.Status.Reason).To(Equal(tc.reason), tc.name)
		g.Expect(op.Status.Message).To(ContainSubstring(tc.msg+", and this controller refuses references to other namespaces (--no-cross-namespace-refs)"), tc.name)
		g.Expect(op.Status.Snapshot).To(BeNil(), "nothing pinned")
	}
	err := cl.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "app"}, &corev1.ConfigMap{})
	g.Expect(client.IgnoreNotFound(err)).To(Succeed())
	g.Expect(err).To(HaveOccurred(), "nothing applied")
}
