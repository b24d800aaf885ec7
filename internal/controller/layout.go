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
	"maps"
	"slices"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
	"github.com/syncwave/syncwave/internal/snapshot"
)

// invalidError is a problem with the operation's input: it fails the
// operation with reason InvalidManifests and is never retried.
type invalidError struct{ err error }

func (e *invalidError) Error() string { return e.err.Error() }

// Unwrap returns what made the input invalid, when an error did.
func (e *invalidError) Unwrap() error { return e.err }

// invalid formats as fmt.Errorf does: a %w cause stays reachable.
func invalid(format string, args ...any) error {
	return &invalidError{err: fmt.Errorf(format, args...)}
}

// pinned is the plan of one operation, read once per process.
type pinned struct {
	digest string
	layout *operation.Layout
	// crdKinds are the kinds that CRDs of the plan define; namespaces are
	// the namespaces its objects live in.
	crdKinds   map[schema.GroupKind]bool
	namespaces []string
	// createdNamespaces are the Namespaces that the plan writes.
	createdNamespaces map[string]bool
	// grantsAccess: the plan writes RBAC objects (plan.GrantsAccess).
	grantsAccess bool
}

// plans caches the pinned plans by operation UID, so that a reconcile of an
// unchanged operation reads and parses nothing.
type plans struct {
	mu sync.Mutex
	m  map[types.UID]*pinned
}

// maxCachedPlans bounds the cache; finished operations leave it anyway.
const maxCachedPlans = 512

func (c *plans) get(uid types.UID, digest string) *pinned {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.m[uid]; ok && p.digest == digest {
		return p
	}
	return nil
}

func (c *plans) put(uid types.UID, p *pinned) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[types.UID]*pinned{}
	}
	if len(c.m) >= maxCachedPlans {
		for k := range c.m { // drop any one: it is read again when needed
			delete(c.m, k)
			break
		}
	}
	c.m[uid] = p
}

func (c *plans) drop(uid types.UID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, uid)
}

func newPinned(p *plan.Plan, digest string) *pinned {
	l := operation.NewLayout(p)
	pn := &pinned{digest: digest, layout: l, crdKinds: p.DefinedKinds(), createdNamespaces: p.CreatedNamespaces(), grantsAccess: p.GrantsAccess()}
	namespaces := map[string]bool{}
	for _, t := range l.Tasks {
		if t.ID.Namespace != "" {
			namespaces[t.ID.Namespace] = true
		}
	}
	pn.namespaces = slices.Sorted(maps.Keys(namespaces))
	return pn
}

// layout returns the pinned plan of op: from the cache, from its snapshot,
// or, for an operation that has not started, by reading its sources once
// and pinning what they hold.
func (r *SyncOperationReconciler) layout(ctx context.Context, op *syncv1alpha1.SyncOperation, tg *target) (*pinned, error) {
	if ref := op.Status.Snapshot; ref != nil {
		if p := r.plans.get(op.UID, ref.Digest); p != nil {
			return p, nil
		}
		p, err := snapshot.Load(ctx, r.Local, op.Namespace, ref)
		if apierrors.IsNotFound(err) {
			return nil, invalid("the pinned plan is gone: %v", err)
		}
		if errors.Is(err, snapshot.ErrCorrupt) {
			return nil, invalid("%w", err)
		}
		if err != nil {
			return nil, fmt.Errorf("SyncOperation %s/%s: %w", op.Namespace, op.Name, err)
		}
		pn := newPinned(p, ref.Digest)
		r.plans.put(op.UID, pn)
		return pn, nil
	}
	p, res, err := r.planSources(ctx, op, tg)
	if err != nil {
		return nil, err
	}
	kind := snapshot.KindConfigMap
	if p.HoldsSecrets() {
		kind = snapshot.KindSecret
	}
	for _, s := range op.Spec.Sources {
		if s.SecretRef != nil {
			kind = snapshot.KindSecret
		}
	}
	ref, err := snapshot.Pin(ctx, r.Local, op, p, res.Digest, kind)
	if errors.Is(err, snapshot.ErrTooLarge) || errors.As(err, new(*snapshot.ForeignError)) || apierrors.IsForbidden(err) {
		return nil, invalid("%w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("pin the plan of SyncOperation %s/%s: %w", op.Namespace, op.Name, err)
	}
	op.Status.Snapshot, op.Status.PlanDigest = ref, ref.Digest
	if ref.Digest != res.Digest { // pinned by an earlier try whose status was lost
		return r.layout(ctx, op, tg)
	}
	// The revisions of the Flux sources that the pinned plan was read from.
	op.Status.Revisions = res.Revisions
	pn := newPinned(p, ref.Digest)
	r.plans.put(op.UID, pn)
	return pn, nil
}

// planSources reads and plans the manifests of an operation that has not
// started.
func (r *SyncOperationReconciler) planSources(ctx context.Context, op *syncv1alpha1.SyncOperation, tg *target) (*plan.Plan, *manifest.Result, error) {
	if len(op.Spec.HealthChecks) > 0 && (r.HealthConfig == nil || r.HealthConfig.Engine == nil) {
		return nil, nil, invalid("spec.healthChecks: Lua health checks are disabled in this controller")
	}
	for i, hc := range op.Spec.HealthChecks {
		if err := r.HealthConfig.Engine.Compile(hc.Lua); err != nil {
			return nil, nil, invalid("spec.healthChecks[%d] (%s): the lua script does not compile: %v", i, schema.GroupKind{Group: hc.Group, Kind: hc.Kind}, err)
		}
	}
	// CompileExprs is nil-safe: with no HealthConfig (or no CEL engine) it
	// refuses any spec.healthCheckExprs as disabled.
	if err := r.HealthConfig.CompileExprs(op); err != nil {
		return nil, nil, invalid("%w", err)
	}
	if err := r.crossNamespaceSource(op); err != nil {
		return nil, nil, err
	}
	// Sources are read as the operation's ServiceAccount too, so that an
	// operation never reads what its ServiceAccount may not. With a remote
	// cluster they are on this one, where the ServiceAccount is not: the
	// controller reads them, from the operation's own namespace.
	reader := tg.reader
	if tg.remote != nil {
		reader = r.APIReader
	}
	// Flux sources are read as the controller, on its own cluster.
	res, err := manifest.LoadWith(ctx, reader, op, manifest.Options{Artifacts: r.Artifacts})
	if missing := manifest.Missing(err); len(missing) > 0 {
		return nil, nil, &waitError{missing: missing}
	}
	if err != nil {
		var me *manifest.Error
		if errors.As(err, &me) || apierrors.IsForbidden(err) {
			return nil, nil, invalid("%w", err)
		}
		return nil, nil, fmt.Errorf("load manifests of SyncOperation %s/%s: %w", op.Namespace, op.Name, err)
	}
	ns := op.Spec.TargetNamespace
	if ns == "" {
		ns = op.Namespace
	}
	p, err := plan.Build(res.Unstructured(), plan.Options{
		DefaultNamespace: ns,
		SyncOptions:      op.Spec.SyncOptions,
		IsNamespaced:     plan.NamespacedFrom(tg.mapper),
		HasHealthCheck:   r.HealthConfig.hasCheck(ctx, op),
		Origins:          res.Origins(),
	})
	if err != nil {
		return nil, nil, invalid("%w", err)
	}
	if p, err = r.applicationPlan(ctx, op, p, tg.mapper); err != nil {
		return nil, nil, err
	}
	if n := len(p.Steps) + len(p.OnFail); n > operation.MaxSteps {
		return nil, nil, invalid("the plan has %d steps (phase and wave pairs), more than the %d an operation tracks in status.steps; use fewer distinct waves", n, operation.MaxSteps)
	}
	return p, res, nil
}

// createsNamespace tells which namespaces op creates: the Namespaces of its
// plan, and spec.targetNamespace (the operation's own by default) when
// spec.syncOptions has CreateNamespace=true.
func createsNamespace(op *syncv1alpha1.SyncOperation, pn *pinned) func(string) bool {
	return func(ns string) bool { // asked only by the start's dry-run
		return pn.createdNamespaces[ns] || ns == operation.CreatedTargetNamespace(op)
	}
}
