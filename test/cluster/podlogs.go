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
	_ "embed"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// Pod logs on the simulated level. kwok serves the kubelet API of its fake
// nodes, pods/log included, from files: the API server reaches it at the
// node's InternalIP (127.0.0.1, --kubelet-preferred-address-types) and
// kubelet port (status.daemonEndpoints, kwok's --node-port), over TLS that
// it does not verify (no --kubelet-certificate-authority). Which file a
// container's log comes from is a ClusterLogs rule, read from the API
// (kwok --enable-crds=ClusterLogs). kwok v0.8.0 selects pods by namespace
// and name only, not by label or annotation, so ServePodLogs works per
// namespace: a test gives its own namespace the log it needs.

// kwokLogsCRD is the ClusterLogs CustomResourceDefinition.
//
//go:embed kwok-logs-crd.yaml
var kwokLogsCRD []byte

func clusterLogsCRD() (*apiextensionsv1.CustomResourceDefinition, error) {
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.UnmarshalStrict(kwokLogsCRD, crd); err != nil {
		return nil, fmt.Errorf("read kwok-logs-crd.yaml: %w", err)
	}
	return crd, nil
}

// freeLoopbackPort returns a port that was free on 127.0.0.1 a moment ago.
func freeLoopbackPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port for kwok: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ServePodLogs makes every container of every pod in namespace log lines
// (on stdout), as pods/log and kubectl logs read them. A later call for the
// same namespace replaces the lines. Simulated level only.
func (c *Cluster) ServePodLogs(ctx context.Context, namespace string, lines ...string) error {
	if !c.opts.Simulated {
		return fmt.Errorf("pod logs need the simulated level (Options.Simulated)")
	}
	dir := filepath.Join(c.LogDir, "pod-logs")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	path := filepath.Join(dir, namespace+".log")
	if err := os.WriteFile(path, criLog(time.Now(), lines), 0o600); err != nil {
		return err
	}
	cl, err := c.Client(nil)
	if err != nil {
		return err
	}
	rule := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "ClusterLogs",
		"metadata": map[string]any{"name": "pod-logs-" + namespace},
		"spec": map[string]any{
			"selector": map[string]any{"matchNamespaces": []any{namespace}},
			"logs":     []any{map[string]any{"logsFile": path}},
		},
	}}
	err = cl.Create(ctx, rule)
	if apierrors.IsAlreadyExists(err) {
		// The same rule (name, namespace, file): only the file changed.
		return nil
	}
	if err != nil {
		return fmt.Errorf("create ClusterLogs for namespace %s: %w", namespace, err)
	}
	return nil
}

// criLog is lines in the CRI log format that kubelets (and kwok) read.
func criLog(at time.Time, lines []string) []byte {
	var b strings.Builder
	ts := at.UTC().Format(time.RFC3339Nano)
	for _, l := range lines {
		fmt.Fprintf(&b, "%s stdout F %s\n", ts, l)
	}
	return []byte(b.String())
}
