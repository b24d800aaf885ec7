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
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// Impersonator makes clients and caches that act as a ServiceAccount, for
// operations with spec.serviceAccountName (or the controller's
// --default-service-account): every read and write of their target objects
// is then authorized as that ServiceAccount, not as the controller.
type Impersonator struct {
	// Config is the connection of the cluster: the controller's own, or a
	// remote one (Remotes).
	Config *rest.Config
	// CacheConfig, when set, is the connection of informers (Config
	// without its request timeout, which would end every watch).
	CacheConfig *rest.Config
	// Options are the client options (scheme, REST mapper).
	Options client.Options
	// DefaultServiceAccount applies to operations that name none.
	DefaultServiceAccount string

	mu      sync.Mutex
	clients map[string]client.Client
}

// User returns the user an operation acts as, or "" for the controller's
// own identity.
func (i *Impersonator) User(op *syncv1alpha1.SyncOperation) string {
	sa := op.Spec.ServiceAccountName
	if sa == "" && i != nil {
		sa = i.DefaultServiceAccount
	}
	if sa == "" {
		return ""
	}
	return "system:serviceaccount:" + op.Namespace + ":" + sa
}

func (i *Impersonator) config(base *rest.Config, user string) *rest.Config {
	cfg := rest.CopyConfig(base)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	return cfg
}

// Client returns an uncached client that acts as user ("" for the
// connection's own identity).
func (i *Impersonator) Client(user string) (client.Client, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if c, ok := i.clients[user]; ok {
		return c, nil
	}
	c, err := client.New(i.config(i.Config, user), client.Options{Scheme: i.Options.Scheme, Mapper: i.Options.Mapper})
	if err != nil {
		return nil, fmt.Errorf("client for %s: %w", user, err)
	}
	if i.clients == nil {
		i.clients = map[string]client.Client{}
	}
	i.clients[user] = c
	return c, nil
}

// Cache returns a new cache of managed objects that reads as user, limited
// to namespaces (cluster-scoped kinds are read cluster-wide; no namespaces:
// every namespace).
func (i *Impersonator) Cache(user string, namespaces []string) (cache.Cache, error) {
	var ns map[string]cache.Config
	for _, n := range namespaces {
		if ns == nil {
			ns = map[string]cache.Config{}
		}
		ns[n] = cache.Config{}
	}
	base := i.Config
	if i.CacheConfig != nil {
		base = i.CacheConfig
	}
	return cache.New(i.config(base, user), cache.Options{
		Scheme: i.Options.Scheme, Mapper: i.Options.Mapper, DefaultNamespaces: ns,
		DefaultLabelSelector: labels.SelectorFromSet(labels.Set{syncv1alpha1.LabelManaged: "true"}),
		DefaultTransform:     cache.TransformStripManagedFields(),
	})
}
