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
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/source"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/kubeconfig"
)

// remoteRequestTimeout bounds every request to a remote cluster but
// watches, so that a cluster that does not answer holds a worker for at
// most that long.
const remoteRequestTimeout = 10 * time.Second

// Remotes connects operations with spec.kubeConfig to their cluster. One
// connection (clients, REST mapper, impersonated clients, pod log readers,
// CRD lookups) is kept per kubeconfig content, shared by the operations that
// use it and closed with the last of them (Release): a rotated Secret gives
// new content, hence a new connection, on the next reconcile.
type Remotes struct {
	// Scheme types the clients.
	Scheme *runtime.Scheme

	mu       sync.Mutex
	clusters map[string]*remoteCluster
	// users maps an operation to the key of the cluster it uses.
	users map[types.UID]string
	// events wake the operations of a cluster that stopped or started
	// answering (Source).
	events chan event.GenericEvent
}

// remoteCluster is one connection to a remote cluster.
type remoteCluster struct {
	key    string
	mapper meta.RESTMapper
	// imp makes the clients and informer caches of the cluster, as the
	// kubeconfig's identity or an impersonated ServiceAccount.
	imp   *Impersonator
	logs  *HookLogs
	crds  *CRDStatus
	reach *reachability
	users map[types.UID]types.NamespacedName
}

// Source wakes the operations of a cluster that stops or starts answering:
// an operation that waits for health gets no watch event from a cluster
// that is gone.
func (m *Remotes) Source() source.Source {
	return source.Channel(m.eventChan(), &handler.EnqueueRequestForObject{})
}

func (m *Remotes) eventChan() chan event.GenericEvent {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.events == nil {
		m.events = make(chan event.GenericEvent, 256)
	}
	return m.events
}

// wake enqueues the operations of the cluster of key.
func (m *Remotes) wake(key string) {
	m.mu.Lock()
	c, ok := m.clusters[key]
	var ops []types.NamespacedName
	if ok {
		ops = slices.Collect(maps.Values(c.users))
	}
	events := m.events
	m.mu.Unlock()
	if events == nil || len(ops) == 0 {
		return
	}
	go func() {
		for _, op := range ops {
			events <- event.GenericEvent{Object: &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: op.Namespace, Name: op.Name}}}
		}
	}()
}

// Connect returns the connection of kubeconfig for operation op (uid);
// source names where the kubeconfig comes from. The operation stops using
// any other connection; one left without operations is closed.
func (m *Remotes) Connect(uid types.UID, op types.NamespacedName, kubeconfig []byte, source string) (*remoteCluster, error) {
	sum := sha256.Sum256(kubeconfig)
	key := hex.EncodeToString(sum[:8])
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.clusters == nil {
		m.clusters, m.users = map[string]*remoteCluster{}, map[types.UID]string{}
	}
	c, ok := m.clusters[key]
	if !ok {
		var err error
		if c, err = m.dial(key, kubeconfig, source); err != nil {
			return nil, err
		}
		m.clusters[key] = c
	}
	if old, ok := m.users[uid]; ok && old != key {
		m.leave(uid, old)
	}
	c.users[uid] = op
	m.users[uid] = key
	return c, nil
}

// Current returns the connection operation uid used last, or nil.
func (m *Remotes) Current(uid types.UID) *remoteCluster {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.clusters[m.users[uid]]
}

// Release says that operation uid needs no remote cluster any more.
func (m *Remotes) Release(uid types.UID) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if key, ok := m.users[uid]; ok {
		m.leave(uid, key)
	}
}

// Clusters returns how many remote connections are open (for tests and
// the syncwave_remote_clusters metric).
func (m *Remotes) Clusters() int {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.clusters)
}

// leave drops uid from the cluster of key; m.mu is held.
func (m *Remotes) leave(uid types.UID, key string) {
	delete(m.users, uid)
	c, ok := m.clusters[key]
	if !ok {
		return
	}
	delete(c.users, uid)
	if len(c.users) == 0 {
		delete(m.clusters, key)
	}
}

func (m *Remotes) dial(key string, data []byte, source string) (*remoteCluster, error) {
	cfg, err := kubeconfig.RESTConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	reach := &reachability{onChange: func() { m.wake(key) }}
	cfg.Wrap(reach.wrap)
	cacheCfg := rest.CopyConfig(cfg)
	cfg.Timeout = remoteRequestTimeout
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	mapper, err := apiutil.NewDynamicRESTMapper(cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	// The server's URL as client-go makes it (a scheme added when the
	// kubeconfig names none, its path kept as a prefix).
	base, _, err := rest.DefaultServerUrlFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: server: %w", source, err)
	}
	probeURL := base.JoinPath("readyz").String()
	reach.probe = func(ctx context.Context) error { return readyz(ctx, hc, probeURL) }
	imp := &Impersonator{Config: cfg, CacheConfig: cacheCfg, Options: client.Options{Scheme: m.Scheme, Mapper: mapper}}
	own, err := imp.Client("")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return &remoteCluster{
		key: key, mapper: mapper, imp: imp, reach: reach,
		logs:  &HookLogs{Config: cfg, HTTPClient: hc},
		crds:  &CRDStatus{Metadata: own, Reader: own, Mapper: mapper, MaxAge: remoteCRDMaxAge},
		users: map[types.UID]types.NamespacedName{},
	}, nil
}

// remoteCRDMaxAge is how long what a remote cluster's CRD says of its
// status subresource is used before the CRD is asked again: the remote has
// no informer of CRDs, and each custom resource judged would be a request.
const remoteCRDMaxAge = 30 * time.Second

// readyz asks the API server whether it serves, at its /readyz URL.
func readyz(ctx context.Context, hc *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /readyz answered %s", resp.Status)
	}
	return nil
}
