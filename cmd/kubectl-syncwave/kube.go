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

package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// cluster connects the live commands to the API server with the standard
// kubectl flags (--kubeconfig, --context, -n/--namespace, ...).
type cluster struct {
	flags *genericclioptions.ConfigFlags
}

// addClusterFlags adds the kubectl connection flags to cmd. They are local
// to each live command: the offline commands (plan, health) need none.
func addClusterFlags(cmd *cobra.Command) *cluster {
	flags := genericclioptions.NewConfigFlags(true)
	flags.AddFlags(cmd.Flags())
	return &cluster{flags: flags}
}

// newScheme returns a scheme with the built-in types and the syncwave API.
func newScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := syncv1alpha1.AddToScheme(s); err != nil {
		return nil, err
	}
	return s, nil
}

// client returns a client and the namespace the command works in: the
// -n flag, else the kubeconfig context's namespace, else "default".
func (c *cluster) client() (client.WithWatch, string, error) {
	cfg, err := c.flags.ToRESTConfig()
	if err != nil {
		return nil, "", fmt.Errorf("load kubeconfig: %w", err)
	}
	ns, _, err := c.flags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, "", fmt.Errorf("read namespace from kubeconfig: %w", err)
	}
	s, err := newScheme()
	if err != nil {
		return nil, "", err
	}
	cl, err := client.NewWithWatch(cfg, client.Options{Scheme: s})
	if err != nil {
		return nil, "", fmt.Errorf("create client: %w", err)
	}
	return cl, ns, nil
}

// core returns a client of the core API (pods, events) for the same
// cluster and identity as client.
func (c *cluster) core() (kubernetes.Interface, error) {
	cfg, err := c.flags.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("create the core API client: %w", err)
	}
	return cs, nil
}
