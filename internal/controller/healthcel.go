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
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/health/cel"
	"github.com/syncwave/syncwave/internal/health/lua"
)

// CompileExprs compiles the spec.healthCheckExprs of op, so that an
// expression that does not compile is refused when the operation starts;
// the error names the entry, its kind and the expression.
func (h *HealthConfig) CompileExprs(op *syncv1alpha1.SyncOperation) error {
	if len(op.Spec.HealthCheckExprs) == 0 {
		return nil
	}
	if h == nil || h.CEL == nil {
		return errors.New("spec.healthCheckExprs: CEL health checks are disabled in this controller")
	}
	_, err := h.CEL.Build(op.Spec.HealthCheckExprs)
	return err
}

// specCEL returns the checks of op's spec.healthCheckExprs. Entries that do
// not compile (CompileExprs refuses them at the start) make their kind
// Unknown rather than being skipped.
func (h *HealthConfig) specCEL(op *syncv1alpha1.SyncOperation) *cel.Checks {
	if len(op.Spec.HealthCheckExprs) == 0 || h.CEL == nil {
		return nil
	}
	c, _ := h.CEL.BuildAll("spec.healthCheckExprs", op.Spec.HealthCheckExprs)
	return c
}

// overrides returns the Lua and CEL assessors of op's health chain, most
// specific first (SPEC §7): the operation's spec.healthChecks (Lua) and
// spec.healthCheckExprs (CEL), then the health ConfigMap's Lua and CEL
// keys, then the script tree of Dir, then the library's scripts. At one level a Lua check wins over a
// CEL one for the same kind. Lua script errors are counted.
func (h *HealthConfig) overrides(ctx context.Context, op *syncv1alpha1.SyncOperation, m Metrics) []health.Assessor {
	if h == nil {
		return nil
	}
	var out []health.Assessor
	addLua := func(o *lua.Overrides) {
		if h.Engine != nil && o.Len() > 0 {
			out = append(out, countLuaErrors(h.Engine.Assessor(o), m))
		}
	}
	addCEL := func(c *cel.Checks) {
		if h.CEL != nil && c.Len() > 0 {
			out = append(out, h.CEL.Assessor(c))
		}
	}
	if len(op.Spec.HealthChecks) > 0 {
		addLua(lua.FromHealthChecks(op.Spec.HealthChecks))
	}
	addCEL(h.specCEL(op))
	g, gCEL := h.global(ctx)
	addLua(g)
	addCEL(gCEL)
	if h.Engine != nil {
		addLua(h.dir(ctx))
	}
	addLua(h.Library)
	return out
}

// celLayers returns the CEL checks of op, most specific first, for the
// planner's lint.
func (h *HealthConfig) celLayers(ctx context.Context, op *syncv1alpha1.SyncOperation) []*cel.Checks {
	if h == nil || h.CEL == nil {
		return nil
	}
	_, g := h.global(ctx)
	return []*cel.Checks{h.specCEL(op), g}
}

// countLuaErrors counts the script errors of a as syncwave_lua_errors_total.
func countLuaErrors(a health.Assessor, m Metrics) health.Assessor {
	return health.AssessorFunc(func(obj *unstructured.Unstructured) (health.Result, bool, error) {
		res, ok, err := a.Assess(obj)
		if err != nil && m != nil && !errors.Is(err, context.Canceled) {
			m.LuaError()
		}
		return res, ok, err
	})
}

// statusWait returns the wait for first status writes as of now.
func (h *HealthConfig) statusWait(ctx context.Context, now time.Time, remote *CRDStatus) health.StatusWait {
	if h == nil || h.StatusWait == nil || h.StatusWait.CRDs == nil {
		return health.StatusWait{}
	}
	crds := h.StatusWait.CRDs
	if remote != nil {
		crds = remote
	}
	// One answer per kind for the judgement of one reconcile: the objects
	// of a step are mostly of few kinds, and on a remote cluster each
	// answer is a read of its CRD.
	var mu sync.Mutex
	known := map[schema.GroupVersionKind]bool{}
	return health.StatusWait{
		HasStatusSubresource: func(gvk schema.GroupVersionKind) bool {
			mu.Lock()
			defer mu.Unlock()
			has, ok := known[gvk]
			if !ok {
				has = crds.HasStatusSubresource(ctx, gvk)
				known[gvk] = has
			}
			return has
		},
		Grace: h.StatusWait.Grace,
		Now:   now,
	}
}
