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
	"flag"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/syncwave/syncwave/internal/controller"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/source/artifact"
)

// Options configure the controller (the flags of SPEC §11).
type Options struct {
	MetricsBindAddress     string
	MetricsSecure          bool
	HealthProbeBindAddress string
	// PprofBindAddress serves Go's profiles (net/http/pprof); "0" or ""
	// serves none.
	PprofBindAddress        string
	LeaderElect             bool
	LeaderElectionID        string
	HealthConfigMap         string
	DefaultTimeout          time.Duration
	MaxConcurrentReconciles int
	WatchNamespace          string
	// LeaseDuration, RenewDeadline and RetryPeriod time the leader
	// election (default 15s, 10s, 2s, as controller-runtime's); zero keeps
	// controller-runtime's default.
	LeaseDuration time.Duration
	RenewDeadline time.Duration
	RetryPeriod   time.Duration
	// Namespace is the controller's own namespace (POD_NAMESPACE): the
	// health ConfigMap and the leader election lease live there.
	Namespace string
	// DefaultServiceAccount is impersonated by operations that name no
	// spec.serviceAccountName (multi-tenant lockdown); "" for none.
	DefaultServiceAccount string
	// NoCrossNamespaceRefs refuses spec.sources[].sourceRef and
	// spec.dependsOn entries in another namespace than the operation's.
	NoCrossNamespaceRefs bool
	// LuaTimeout is the deadline of one Lua health script evaluation.
	LuaTimeout time.Duration
	// HealthLibrary enables the health scripts shipped with syncwave.
	HealthLibrary bool
	// StatusGrace is how long a custom resource whose CRD declares a status
	// subresource waits for its controller's first status write.
	StatusGrace time.Duration
	// HealthDir is a directory holding a tree of health scripts in Argo
	// CD's resource_customizations layout; "" for none.
	HealthDir string
	// HistoryLimit is how many finished operations of each application are
	// kept (--history-limit, default 10; negative keeps all).
	HistoryLimit int
	// PrunePropagation is the propagation policy of prune deletions,
	// default Foreground (tests without a garbage collector use Background).
	PrunePropagation metav1.DeletionPropagation
	// UnreachableGrace is how long past its timeout an operation waits for
	// its unreachable remote cluster to run its SyncFail hooks.
	UnreachableGrace time.Duration
	// FluxSources enables spec.sources[].sourceRef (--flux-sources).
	FluxSources bool
	// MaxArtifactSize bounds a Flux artifact, downloaded and unpacked
	// (--max-artifact-size).
	MaxArtifactSize int64
	// Registry receives syncwave's metrics; default controller-runtime's
	// registry, which the metrics endpoint serves. Tests that run several
	// managers in one process give each its own.
	Registry prometheus.Registerer
	// SkipNameValidation lets a process run a second manager (tests):
	// controller-runtime refuses two controllers of one name in a process.
	SkipNameValidation bool
	// Shard divides the operations among replicas (shard.go).
	Shard ShardOptions
}

// DefaultOptions returns the defaults of every flag.
func DefaultOptions() Options {
	return Options{
		MetricsBindAddress:      ":8443",
		MetricsSecure:           true,
		HealthProbeBindAddress:  ":8081",
		PprofBindAddress:        "0",
		LeaderElectionID:        "syncwave.syncwave.dev",
		LeaseDuration:           15 * time.Second,
		RenewDeadline:           10 * time.Second,
		RetryPeriod:             2 * time.Second,
		HealthConfigMap:         "syncwave-health",
		DefaultTimeout:          time.Hour,
		MaxConcurrentReconciles: 16,
		Namespace:               "syncwave-system",
		LuaTimeout:              time.Second,
		HealthLibrary:           true,
		StatusGrace:             health.DefaultStatusGrace,
		HistoryLimit:            10,
		UnreachableGrace:        controller.DefaultUnreachableGrace,
		Shard:                   DefaultShardOptions(),
		FluxSources:             true,
		MaxArtifactSize:         artifact.DefaultMaxSize,
	}
}

// BindFlags registers the flags of o on fs.
func (o *Options) BindFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.MetricsBindAddress, "metrics-bind-address", o.MetricsBindAddress, "address the metrics endpoint binds to; 0 disables it")
	fs.BoolVar(&o.MetricsSecure, "metrics-secure", o.MetricsSecure, "serve metrics over HTTPS with authentication and authorization; false serves plain HTTP")
	fs.StringVar(&o.HealthProbeBindAddress, "health-probe-bind-address", o.HealthProbeBindAddress, "address the health probe endpoint binds to")
	fs.StringVar(&o.PprofBindAddress, "pprof-bind-address", o.PprofBindAddress, "address Go's profiles (/debug/pprof/) are served on, unauthenticated: bind it to localhost; 0 disables them")
	fs.BoolVar(&o.LeaderElect, "leader-elect", o.LeaderElect, "enable leader election, so that only one replica acts")
	fs.StringVar(&o.LeaderElectionID, "leader-election-id", o.LeaderElectionID, "name of the leader election Lease (one per Deployment of a static shard)")
	fs.DurationVar(&o.LeaseDuration, "leader-elect-lease-duration", o.LeaseDuration, "how long non-leaders wait before taking over a lease that is not renewed")
	fs.DurationVar(&o.RenewDeadline, "leader-elect-renew-deadline", o.RenewDeadline, "how long the leader retries renewing its lease before it gives up leadership")
	fs.DurationVar(&o.RetryPeriod, "leader-elect-retry-period", o.RetryPeriod, "how long leader election clients wait between attempts")
	fs.StringVar(&o.HealthConfigMap, "health-configmap", o.HealthConfigMap, "name of the ConfigMap with Lua health checks, in the controller's namespace")
	fs.DurationVar(&o.DefaultTimeout, "default-timeout", o.DefaultTimeout, "timeout of operations without spec.timeout")
	fs.IntVar(&o.MaxConcurrentReconciles, "max-concurrent-reconciles", o.MaxConcurrentReconciles, "how many operations are reconciled in parallel")
	fs.StringVar(&o.DefaultServiceAccount, "default-service-account", o.DefaultServiceAccount, "ServiceAccount (in the operation's namespace) that operations without spec.serviceAccountName impersonate")
	fs.BoolVar(&o.NoCrossNamespaceRefs, "no-cross-namespace-refs", o.NoCrossNamespaceRefs, "refuse Flux sources (spec.sources[].sourceRef) and dependencies (spec.dependsOn) in another namespace than the operation's, as Flux's flag of that name: with --default-service-account, the lockdown for tenants")
	fs.DurationVar(&o.LuaTimeout, "lua-timeout", o.LuaTimeout, "deadline of one Lua health script evaluation")
	fs.StringVar(&o.HealthDir, "health-dir", o.HealthDir, "directory with a tree of Lua health scripts in Argo CD's layout (<group>/<Kind>/health.lua, _ as wildcard), asked after the health ConfigMap and before syncwave's library; re-read when it changes")
	fs.BoolVar(&o.HealthLibrary, "health-library", o.HealthLibrary, "use syncwave's library of health scripts for common custom resources (after the health ConfigMap)")
	fs.DurationVar(&o.StatusGrace, "status-grace", o.StatusGrace, "how long a custom resource whose CRD declares a status subresource is Progressing while its controller has written no status; 0 waits not at all (annotation syncwave.dev/status-grace overrides it)")
	fs.IntVar(&o.HistoryLimit, "history-limit", o.HistoryLimit, "how many finished operations of each application are kept (the newest; the last Succeeded one always); negative keeps all")
	fs.DurationVar(&o.UnreachableGrace, "unreachable-cluster-grace", o.UnreachableGrace, "how long past its timeout an operation waits for its unreachable remote cluster (spec.kubeConfig) to run its SyncFail hooks before it ends Failed without them")
	fs.StringVar(&o.WatchNamespace, "watch-namespace", o.WatchNamespace, "only run SyncOperations of this namespace (default: all)")
	o.Shard.bindFlags(fs)
	o.bindFluxFlags(fs)
}
