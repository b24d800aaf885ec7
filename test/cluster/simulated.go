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
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// startSimulation starts kube-controller-manager, kube-scheduler and kwok
// against the running API server, creates the fake nodes and waits until
// they are Ready and the default ServiceAccount exists.
func (c *Cluster) startSimulation(ctx context.Context) error {
	cl, err := c.Client(nil)
	if err != nil {
		return err
	}
	// Before kube-controller-manager and kwok run, so that nothing else
	// writes the nodes yet.
	if err := createFakeNodes(ctx, cl, c.opts.Nodes); err != nil {
		return err
	}
	certDir := c.env.ControlPlane.APIServer.CertDir
	rootCA := filepath.Join(c.LogDir, "root-ca.crt")
	if err := os.WriteFile(rootCA, c.Config.CAData, 0o600); err != nil {
		return err
	}
	stages := filepath.Join(c.LogDir, "kwok-stages.yaml")
	if err := os.WriteFile(stages, kwokStages, 0o600); err != nil {
		return err
	}
	kc := "--kubeconfig=" + c.KubeconfigPath
	kubeletPort, err := freeLoopbackPort()
	if err != nil {
		return err
	}
	cmds := []struct {
		name string
		args []string
	}{
		{"kube-controller-manager", []string{
			kc, "--leader-elect=false", "--secure-port=0", "--controllers=*",
			"--use-service-account-credentials=false",
			// The token and service account controllers: every namespace
			// gets its default ServiceAccount, as in a real cluster.
			"--service-account-private-key-file=" + filepath.Join(certDir, "sa-signer.key"),
			"--root-ca-file=" + rootCA,
			"--kube-api-qps=1000", "--kube-api-burst=1000",
		}},
		{"kube-scheduler", []string{
			kc, "--leader-elect=false", "--secure-port=0",
			"--kube-api-qps=1000", "--kube-api-burst=1000",
		}},
		{"kwok", []string{
			kc, "--config=" + stages,
			"--manage-all-nodes=false", "--manage-nodes-with-annotation-selector=" + FakeNodeAnnotation + "=fake",
			"--node-lease-duration-seconds=40", "--cidr=10.244.0.0/16",
			// The fake nodes' kubelet API (pods/log) is kwok's server:
			// see podlogs.go.
			"--node-ip=127.0.0.1", fmt.Sprintf("--node-port=%d", kubeletPort),
			fmt.Sprintf("--server-address=127.0.0.1:%d", kubeletPort), "--enable-crds=ClusterLogs",
		}},
	}
	for _, cmd := range cmds {
		ch, err := c.thread.startChild(cmd.name, filepath.Join(c.AssetsDir, cmd.name), cmd.args,
			filepath.Join(c.LogDir, cmd.name+".log"), c.pidFile)
		if ch != nil {
			c.children = append(c.children, ch)
		}
		if err != nil {
			return err
		}
	}
	return c.waitSimulated(ctx, cl)
}

// waitSimulated waits until every fake node is Ready and the default
// namespace has its default ServiceAccount, or a process died.
func (c *Cluster) waitSimulated(ctx context.Context, cl client.Client) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, ch := range c.children {
			if ch.exited() {
				return fmt.Errorf("%s exited during start: see %s.log", ch.Name, ch.Name)
			}
		}
		ready, why, err := c.simulatedReady(ctx, cl)
		if err != nil {
			return err
		}
		if ready {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("simulated cluster not ready: %s: %w", why, ctx.Err())
		case <-tick.C:
		}
	}
}

func (c *Cluster) simulatedReady(ctx context.Context, cl client.Client) (bool, string, error) {
	var nodes corev1.NodeList
	if err := cl.List(ctx, &nodes); err != nil {
		return false, "", fmt.Errorf("list nodes: %w", err)
	}
	ready := 0
	for _, n := range nodes.Items {
		for _, cond := range n.Status.Conditions {
			if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
				ready++
			}
		}
	}
	if ready < c.opts.Nodes {
		return false, fmt.Sprintf("%d of %d fake nodes Ready (kwok)", ready, c.opts.Nodes), nil
	}
	return defaultServiceAccountExists(ctx, cl, corev1.NamespaceDefault)
}

// defaultServiceAccountExists reports whether namespace has its default
// ServiceAccount, which kube-controller-manager creates.
func defaultServiceAccountExists(ctx context.Context, cl client.Client, namespace string) (bool, string, error) {
	var sa corev1.ServiceAccount
	err := cl.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "default"}, &sa)
	switch {
	case err == nil:
		return true, "", nil
	case apierrors.IsNotFound(err):
		return false, "no default ServiceAccount in namespace " + namespace + " (kube-controller-manager)", nil
	default:
		return false, "", fmt.Errorf("get default ServiceAccount of %s: %w", namespace, err)
	}
}
