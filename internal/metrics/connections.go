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

package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// The metric names of the controller's connections beyond its own cluster
// and identity.
const (
	RemoteClustersName = "syncwave_remote_clusters"
	TenantCachesName   = "syncwave_tenant_caches"
	remoteClustersHelp = "Remote clusters (spec.kubeConfig) the controller holds connections to: those of running operations."
	tenantCachesHelp   = "Informer caches the controller runs besides its own: one per remote cluster, and per impersonated ServiceAccount and namespaces, while operations need them."
)

// RegisterConnections registers, on reg, how many remote clusters are
// connected and how many informer caches besides the controller's own run
// (remote clusters, impersonated ServiceAccounts): clusters and caches are
// called at scrape time. Both fall back when the operations that need
// them end.
func RegisterConnections(reg prometheus.Registerer, clusters, caches func() int) error {
	for _, g := range []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: RemoteClustersName, Help: remoteClustersHelp},
			func() float64 { return float64(clusters()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: TenantCachesName, Help: tenantCachesHelp},
			func() float64 { return float64(caches()) }),
	} {
		if err := reg.Register(g); err != nil {
			return err
		}
	}
	return nil
}
