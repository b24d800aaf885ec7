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
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/operation"
)

// judge builds the health chain of an operation (SPEC §7): the operation's
// Lua and CEL checks, then the global health ConfigMap's, then the script
// library, then built-in checks, then the generic conditions, which make a
// custom resource wait for its controller's first status write when its CRD
// declares a status subresource. A result that changes by itself when that
// wait ends (Result.RecheckAfter) is a deadline of the engine (operation.Next),
// which requeues the operation then.
func (r *SyncOperationReconciler) judge(ctx context.Context, op *syncv1alpha1.SyncOperation, tg *target) operation.Judge {
	var now time.Time
	if r.Clock != nil {
		now = r.Clock.Now()
	}
	chain := r.HealthConfig.overrides(ctx, op, r.Metrics)
	chain = append(chain, health.Builtin(), health.GenericWith(r.HealthConfig.statusWait(ctx, now, tg.crds())))
	return &opJudge{assessor: health.Chain(chain...), metrics: r.Metrics}
}

type opJudge struct {
	assessor health.Assessor
	metrics  Metrics
}

func (j *opJudge) Health(obj *unstructured.Unstructured) health.Result {
	res := health.Assess(j.assessor, obj)
	if j.metrics != nil {
		j.metrics.HealthCheck(string(res.Source), string(res.Status))
	}
	return res
}

func (j *opJudge) HookPhase(obj *unstructured.Unstructured) (syncv1alpha1.HookPhase, string) {
	return health.HookCompletion(obj, j.assessor)
}
