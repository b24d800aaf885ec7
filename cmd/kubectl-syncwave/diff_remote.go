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
	"context"
	"fmt"
	"io"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/syncwave/syncwave/internal/diff"
	"github.com/syncwave/syncwave/internal/kubeconfig"
)

// applicationCluster returns a client of the cluster where application
// o.application lives when its operations act on another one than c's
// (the inventory holder's spec.kubeConfig): diff --application then
// dry-runs the manifests and reads the prune candidates there, as the
// controller would sync them. It is nil when the application is on c's
// cluster, or has no inventory yet. The kubeconfig is read from its
// Secret with the user's own rights, and only inline credentials are
// accepted (package kubeconfig), as by the controller.
func (o *diffOptions) applicationCluster(ctx context.Context, c client.Client, pruner *diff.InventoryPruner, ns string, stderr io.Writer) (client.Client, error) {
	holder, err := pruner.Holder(ctx, o.application, ns)
	if err != nil || holder == nil || holder.Spec.KubeConfig == nil {
		return nil, err
	}
	ref := holder.Spec.KubeConfig.SecretRef
	where := fmt.Sprintf("spec.kubeConfig (Secret %s/%s) of SyncOperation %s/%s", ns, ref.Name, ns, holder.Name)
	fail := func(err error) error {
		return fmt.Errorf("application %s is on the cluster of %s: %w; or diff that cluster with its kubeconfig (--kubeconfig) and without --application", o.application, where, err)
	}
	sec := &corev1.Secret{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: ref.Name}, sec); err != nil {
		return nil, fail(fmt.Errorf("read its kubeconfig: %w", err))
	}
	key, err := kubeconfig.Key(sec.Data, ref.Key)
	if err != nil {
		return nil, fail(fmt.Errorf("its Secret %w", err))
	}
	cfg, err := kubeconfig.RESTConfig(sec.Data[key])
	if err != nil {
		return nil, fail(fmt.Errorf("key %s: %w", key, err))
	}
	s, err := newScheme()
	if err != nil {
		return nil, err
	}
	remote, err := client.New(cfg, client.Options{Scheme: s})
	if err != nil {
		return nil, fail(fmt.Errorf("connect: %w", err))
	}
	fmt.Fprintf(stderr, "application %s is on the cluster of %s: diffing there\n", o.application, where)
	return remote, nil
}
