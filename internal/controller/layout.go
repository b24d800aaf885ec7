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
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// invalidError is a problem with the operation's input: it fails the
// operation with reason InvalidManifests and is never retried.
type invalidError struct{ msg string }

func (e *invalidError) Error() string { return e.msg }

func invalid(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}

// layout loads the manifests of op, checks them against the digest the
// operation started with, and plans them.
func (r *SyncOperationReconciler) layout(ctx context.Context, op *syncv1alpha1.SyncOperation) (*operation.Layout, error) {
	if len(op.Spec.HealthChecks) > 0 && (r.HealthConfig == nil || r.HealthConfig.Engine == nil) {
		return nil, invalid("spec.healthChecks: Lua health checks are disabled in this controller")
	}
	for i, hc := range op.Spec.HealthChecks {
		if err := r.HealthConfig.Engine.Compile(hc.Lua); err != nil {
			return nil, invalid("spec.healthChecks[%d] (%s): the lua script does not compile: %v", i, schema.GroupKind{Group: hc.Group, Kind: hc.Kind}, err)
		}
	}
	if op.Spec.ServiceAccountName != "" && r.Impersonator == nil {
		return nil, invalid("spec.serviceAccountName: impersonation is disabled in this controller")
	}
	// Sources are read as the operation's ServiceAccount too, so that an
	// operation never reads what its ServiceAccount may not.
	_, reader, _, err := r.clients(op)
	if err != nil {
		return nil, err
	}
	res, err := manifest.Load(ctx, reader, op)
	if err != nil {
		var me *manifest.Error
		if errors.As(err, &me) || apierrors.IsForbidden(err) {
			return nil, invalid("%v", err)
		}
		return nil, fmt.Errorf("load manifests of SyncOperation %s/%s: %w", op.Namespace, op.Name, err)
	}
	if d := op.Status.PlanDigest; d != "" && d != res.Digest {
		return nil, invalid("the manifests changed since the operation started (digest %s, now %s); create a new SyncOperation to sync them", d, res.Digest)
	}
	op.Status.PlanDigest = res.Digest
	ns := op.Spec.TargetNamespace
	if ns == "" {
		ns = op.Namespace
	}
	p, err := plan.Build(res.Unstructured(), plan.Options{
		DefaultNamespace: ns,
		SyncOptions:      op.Spec.SyncOptions,
		IsNamespaced:     r.isNamespaced,
		HasHealthCheck:   r.HealthConfig.hasCheck(ctx, op),
		Origins:          res.Origins(),
	})
	if err != nil {
		return nil, invalid("%v", err)
	}
	return operation.NewLayout(p), nil
}

func (r *SyncOperationReconciler) isNamespaced(gk schema.GroupKind) (namespaced, known bool) {
	m, err := r.Mapper.RESTMapping(gk)
	if err != nil {
		return false, false
	}
	return m.Scope.Name() == "namespace", true
}

func metaTime(t time.Time) metav1.Time { return metav1.NewTime(t) }
