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
	"errors"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/health/cel"
	"github.com/syncwave/syncwave/internal/health/lua"
)

// HealthConfig supplies the Lua layers of the health chain: an operation's
// spec.healthChecks, the global health ConfigMap (Argo CD's keys), and the
// library of scripts shipped with syncwave. The ConfigMap is read from the
// cache on every use, so a change takes effect without a restart; its
// parsed form is kept per resourceVersion.
type HealthConfig struct {
	Engine *lua.Engine
	// Reader reads the ConfigMap (a cache restricted to that one object).
	Reader client.Reader
	// ConfigMap names the health ConfigMap.
	ConfigMap types.NamespacedName
	// Library holds the shipped scripts; nil for none.
	Library *lua.Overrides
	// CEL runs spec.healthCheckExprs and the ConfigMap's health.cel.* keys
	// (healthcel.go); nil disables CEL health checks.
	CEL *cel.Engine
	// StatusWait makes custom resources wait for their first status write
	// (crdstatus.go); nil never waits.
	StatusWait *StatusWait
	celCache   celCache

	mu      sync.Mutex
	version string
	parsed  *lua.Overrides
	errs    []error
}

// global returns the parsed health ConfigMap, nil when it does not exist.
func (h *HealthConfig) global(ctx context.Context) (*lua.Overrides, []error) {
	cm := &corev1.ConfigMap{}
	if err := h.Reader.Get(ctx, h.ConfigMap, cm); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, []error{fmt.Errorf("read health ConfigMap %s: %w", h.ConfigMap, err)}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if cm.ResourceVersion != h.version {
		h.parsed, h.errs = lua.ParseConfigMap(cm.Data)
		h.version = cm.ResourceVersion
	}
	return h.parsed, h.errs
}

// layers returns the Lua overrides for op, most specific first.
func (h *HealthConfig) layers(ctx context.Context, op *syncv1alpha1.SyncOperation) []*lua.Overrides {
	var out []*lua.Overrides
	if len(op.Spec.HealthChecks) > 0 {
		out = append(out, lua.FromHealthChecks(op.Spec.HealthChecks))
	}
	if g, errs := h.global(ctx); g != nil {
		out = append(out, g)
	} else if len(errs) > 0 {
		ctrl.LoggerFrom(ctx).Error(errors.Join(errs...), "health ConfigMap ignored")
	}
	if h.Library != nil {
		out = append(out, h.Library)
	}
	return out
}

// hasCheck tells the planner's lint whether a kind has a health check.
func (h *HealthConfig) hasCheck(ctx context.Context, op *syncv1alpha1.SyncOperation) func(schema.GroupKind) bool {
	var layers []*lua.Overrides
	if h != nil && h.Engine != nil {
		layers = h.layers(ctx, op)
	}
	celLayers := h.celLayers(ctx, op)
	return func(gk schema.GroupKind) bool {
		return health.IsBuiltinKind(gk) || lua.HasScript(gk, layers...) || cel.HasCheck(gk, celLayers...)
	}
}

// mapConfigMapToOperations wakes every running operation when the health
// ConfigMap changes, so that a waiting step is judged again.
func (r *SyncOperationReconciler) mapConfigMapToOperations(ctx context.Context, obj client.Object) []reconcile.Request {
	if r.HealthConfig == nil || obj.GetName() != r.HealthConfig.ConfigMap.Name || obj.GetNamespace() != r.HealthConfig.ConfigMap.Namespace {
		return nil
	}
	list := &syncv1alpha1.SyncOperationList{}
	if err := r.Client.List(ctx, list); err != nil {
		return nil
	}
	var out []reconcile.Request
	for _, op := range list.Items {
		if !op.Status.Phase.Terminal() {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&op)})
		}
	}
	return out
}
