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

package manager

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/syncwave/syncwave/internal/controller"
)

// registerConnectionGauges exports how many remote clusters are connected
// and how many informer caches besides the controller's own run (remote
// clusters and impersonated ServiceAccounts): both fall back when the
// operations that need them end.
func registerConnectionGauges(reg prometheus.Registerer, remotes *controller.Remotes, w *controller.Watcher) error {
	for _, g := range []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "syncwave_remote_clusters",
			Help: "Remote clusters (spec.kubeConfig) the controller holds connections to: those of running operations."},
			func() float64 { return float64(remotes.Clusters()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "syncwave_tenant_caches",
			Help: "Informer caches the controller runs besides its own: one per remote cluster, and per impersonated ServiceAccount and namespaces, while operations need them."},
			func() float64 { return float64(w.Tenants()) }),
	} {
		if err := reg.Register(g); err != nil {
			return err
		}
	}
	return nil
}
