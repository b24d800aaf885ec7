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
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	healthlib "github.com/syncwave/syncwave/config/health"
	"github.com/syncwave/syncwave/internal/controller"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/health/cel"
	"github.com/syncwave/syncwave/internal/health/lua"
	"github.com/syncwave/syncwave/internal/metrics"
)

// Scheme returns the scheme of the controller.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := syncv1alpha1.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := sourcev1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}

// managerOptions are the options of controller-runtime's manager.
func (o *Options) managerOptions(scheme *runtime.Scheme) (ctrl.Options, error) {
	metricsOpts := metricsserver.Options{BindAddress: o.MetricsBindAddress, SecureServing: o.MetricsSecure}
	if o.MetricsSecure {
		metricsOpts.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	mopts := ctrl.Options{
		Scheme:                  scheme,
		Metrics:                 metricsOpts,
		HealthProbeBindAddress:  o.HealthProbeBindAddress,
		PprofBindAddress:        o.PprofBindAddress,
		LeaderElection:          o.LeaderElect,
		LeaderElectionID:        o.LeaderElectionID,
		LeaderElectionNamespace: o.Namespace,
		// Releasing the lease on a clean shutdown lets the next leader start at once.
		LeaderElectionReleaseOnCancel: true,
		LeaseDuration:                 nonZero(o.LeaseDuration),
		RenewDeadline:                 nonZero(o.RenewDeadline),
		RetryPeriod:                   nonZero(o.RetryPeriod),
		// A reconcile must see the status the previous one wrote: reads of
		// SyncOperations wait until the cache has observed our own writes,
		// so no transition is decided on a stale status.
		Client: client.Options{Cache: &client.CacheOptions{EnableReadYourWritesConsistency: ptr.To(true)}},
	}
	if o.SkipNameValidation {
		mopts.Controller.SkipNameValidation = ptr.To(true)
	}
	mopts.Cache.DefaultTransform = cache.TransformStripManagedFields()
	by, err := o.cacheByObject()
	if err != nil {
		return mopts, err
	}
	mopts.Cache.ByObject = by
	return mopts, o.Shard.cacheOptions(&mopts, o.Namespace)
}

// Run starts the controller and blocks until ctx ends.
func Run(ctx context.Context, cfg *rest.Config, o Options) error {
	scheme := Scheme()
	mopts, err := o.managerOptions(scheme)
	if err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(cfg, mopts)
	if err != nil {
		return fmt.Errorf("create manager: %w", err)
	}
	managed, err := cache.New(mgr.GetConfig(), cache.Options{
		Scheme: scheme, Mapper: mgr.GetRESTMapper(), HTTPClient: mgr.GetHTTPClient(),
		DefaultLabelSelector: labels.SelectorFromSet(labels.Set{syncv1alpha1.LabelManaged: "true"}),
		// managedFields are never read and are most of a managed object's size.
		DefaultTransform: cache.TransformStripManagedFields(),
	})
	if err != nil {
		return fmt.Errorf("create cache of managed objects: %w", err)
	}
	if err := mgr.Add(managed); err != nil {
		return err
	}
	reg := o.Registry
	if reg == nil {
		reg = ctrlmetrics.Registry
	}
	ops := &running{reader: mgr.GetCache(), elected: mgr.Elected()}
	rec := metrics.New(reg, ops.count)
	// Target objects are written without the manager's cache: their reads
	// go through the label-selected cache of managed objects instead.
	targets, err := client.New(mgr.GetConfig(), client.Options{Scheme: scheme, Mapper: mgr.GetRESTMapper(), HTTPClient: mgr.GetHTTPClient()})
	if err != nil {
		return fmt.Errorf("create client: %w", err)
	}
	hc, err := healthConfig(mgr.GetClient(), o)
	if err != nil {
		return err
	}
	grace := o.StatusGrace
	if grace <= 0 {
		grace = health.NoStatusGrace // --status-grace=0 turns the wait off
	}
	hc.StatusWait = &controller.StatusWait{Grace: grace,
		CRDs: &controller.CRDStatus{Metadata: mgr.GetCache(), Reader: mgr.GetAPIReader(), Mapper: mgr.GetRESTMapper()}}
	hc.Recorder = mgr.GetEventRecorder("syncwave")
	imp := &controller.Impersonator{Config: mgr.GetConfig(), DefaultServiceAccount: o.DefaultServiceAccount,
		Options: client.Options{Scheme: scheme, Mapper: mgr.GetRESTMapper()}}
	watcher := controller.NewWatcher(managed)
	watcher.NewCache = imp.Cache
	watcher.Reader = mgr.GetAPIReader()
	watcher.Mapper = mgr.GetRESTMapper()
	if err := mgr.Add(watcher); err != nil {
		return err
	}
	watchClient, err := client.NewWithWatch(mgr.GetConfig(), client.Options{Scheme: scheme, Mapper: mgr.GetRESTMapper(), HTTPClient: mgr.GetHTTPClient()})
	if err != nil {
		return fmt.Errorf("create client: %w", err)
	}
	sources := controller.NewSourceWaiter(watchClient)
	if err := mgr.Add(sources); err != nil {
		return err
	}
	r := &controller.SyncOperationReconciler{
		Client:                  mgr.GetClient(),
		Targets:                 targets,
		Local:                   targets,
		Sources:                 sources,
		APIReader:               mgr.GetAPIReader(),
		Mapper:                  mgr.GetRESTMapper(),
		Recorder:                mgr.GetEventRecorder("syncwave"),
		Metrics:                 rec,
		Watcher:                 watcher,
		Impersonator:            imp,
		HookLogs:                &controller.HookLogs{Config: mgr.GetConfig(), HTTPClient: mgr.GetHTTPClient()},
		HealthConfig:            hc,
		Clock:                   clock.RealClock{},
		DefaultTimeout:          o.DefaultTimeout,
		MaxConcurrentReconciles: o.MaxConcurrentReconciles,
		HistoryLimit:            o.HistoryLimit,
		PrunePropagation:        o.PrunePropagation,
		Remotes:                 &controller.Remotes{Scheme: scheme},
		UnreachableGrace:        o.UnreachableGrace,
		Artifacts:               o.artifacts(targets),
		NoCrossNamespaceRefs:    o.NoCrossNamespaceRefs,
	}
	if err := metrics.RegisterConnections(reg, r.Remotes.Clusters, watcher.Tenants); err != nil {
		return err
	}
	sc, err := o.Shard.coordinator(mgr, o.Namespace, reg)
	if err != nil {
		return err
	}
	if sc != nil {
		r.Shard, r.SeparateCaches = sc, true
		ops.drives = func(op *syncv1alpha1.SyncOperation) bool { return op.Status.Controller == sc.Member.Identity }
	}
	if err := r.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("set up controller: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	ready, err := newReadiness(ctx, mgr, managed)
	if err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("caches", ready.Check); err != nil {
		return err
	}
	return mgr.Start(ctx)
}

// readiness is the readyz check: it fails until the manager's cache and
// the cache of managed objects have synced. It runs on every replica, not
// only on the leader, so that a standby replica is Ready too.
type readiness struct {
	caches []cache.Cache
	synced atomic.Bool
}

// watchedKinds are the kinds the controller reads from the manager's
// cache: their informers are created before the manager starts, so that
// the cache has synced only when they have (the manager would otherwise
// create them when the controller starts, after the cache reported synced).
func watchedKinds() []client.Object {
	return []client.Object{&syncv1alpha1.SyncOperation{}, &corev1.ConfigMap{}}
}

// newReadiness registers the informers of watchedKinds and adds the
// readiness runnable to mgr.
func newReadiness(ctx context.Context, mgr ctrl.Manager, managed cache.Cache) (*readiness, error) {
	for _, obj := range watchedKinds() {
		if _, err := mgr.GetCache().GetInformer(ctx, obj, cache.BlockUntilSynced(false)); err != nil {
			return nil, fmt.Errorf("watch %T (is the CRD installed?): %w", obj, err)
		}
	}
	r := &readiness{caches: []cache.Cache{mgr.GetCache(), managed}}
	if err := mgr.Add(r); err != nil {
		return nil, err
	}
	return r, nil
}

// Start waits for the caches to sync, then marks the manager ready.
func (r *readiness) Start(ctx context.Context) error {
	for _, c := range r.caches {
		if !c.WaitForCacheSync(ctx) {
			return nil // stopped before the caches synced
		}
	}
	r.synced.Store(true)
	return nil
}

// NeedLeaderElection is false: a standby replica has synced caches too.
func (*readiness) NeedLeaderElection() bool { return false }

// Check is the healthz.Checker of /readyz.
func (r *readiness) Check(*http.Request) error {
	if !r.synced.Load() {
		return errors.New("the caches have not synced yet")
	}
	return nil
}

// nonZero is d, or nil (controller-runtime's default) when d is zero.
func nonZero(d time.Duration) *time.Duration {
	if d == 0 {
		return nil
	}
	return &d
}

func healthConfig(reader client.Reader, o Options) (*controller.HealthConfig, error) {
	lopts := lua.DefaultOptions()
	lopts.Timeout = o.LuaTimeout
	hc := &controller.HealthConfig{
		Engine:    lua.NewEngine(lopts),
		CEL:       cel.NewEngine(cel.DefaultOptions()),
		Reader:    reader,
		ConfigMap: types.NamespacedName{Namespace: o.Namespace, Name: o.HealthConfigMap},
		Dir:       o.HealthDir,
	}
	if o.HealthDir != "" {
		fi, err := os.Stat(o.HealthDir)
		if err == nil && !fi.IsDir() {
			err = errors.New("not a directory")
		}
		if err != nil {
			return nil, fmt.Errorf("--health-dir %s: %w", o.HealthDir, err)
		}
	}
	if o.HealthLibrary {
		lib, err := lua.LoadLibrary(healthlib.FS)
		if err != nil {
			return nil, fmt.Errorf("load the health script library: %w", err)
		}
		hc.Library = lib
	}
	return hc, nil
}

// cacheByObject restricts the manager's cache: one ConfigMap is watched,
// the health ConfigMap; the SyncOperations are those of one namespace
// (--watch-namespace), with the labels of this replica's share
// (--watch-label-selector).
func (o *Options) cacheByObject() (map[client.Object]cache.ByObject, error) {
	by := map[client.Object]cache.ByObject{
		&corev1.ConfigMap{}: {
			Namespaces: map[string]cache.Config{o.Namespace: {}},
			Field:      fields.OneTermEqualSelector("metadata.name", o.HealthConfigMap),
		},
	}
	ops := cache.ByObject{}
	if o.WatchNamespace != "" {
		ops.Namespaces = map[string]cache.Config{o.WatchNamespace: {}}
	}
	sel, err := o.Shard.selector()
	if err != nil {
		return nil, err
	}
	if ops.Label = sel; ops.Namespaces != nil || ops.Label != nil {
		by[&syncv1alpha1.SyncOperation{}] = ops
	}
	return by, nil
}

// running counts the running operations per namespace from the cache at
// scrape time, so that the gauge is right after a restart. Every replica
// caches every operation, so that a sum over replicas is right only when
// each counts its own: a standby (leader election) reports nothing, and a
// replica of a sharded controller counts the operations it drives.
type running struct {
	reader  client.Reader
	elected <-chan struct{} // closed once this replica may act
	// drives tells the operations this replica drives; nil: all.
	drives func(*syncv1alpha1.SyncOperation) bool
}

func (r *running) count() map[string]int {
	select {
	case <-r.elected:
	default:
		return nil
	}
	list := &syncv1alpha1.SyncOperationList{}
	out := map[string]int{}
	// Read only: the cache's own objects, not a copy of each per scrape.
	if err := r.reader.List(context.Background(), list, client.UnsafeDisableDeepCopy); err != nil {
		return out
	}
	for i := range list.Items {
		op := &list.Items[i]
		out[op.Namespace] += 0 // a namespace whose operations finished shows 0, not nothing
		if !op.Status.Phase.Terminal() && (r.drives == nil || r.drives(op)) {
			out[op.Namespace]++
		}
	}
	return out
}
