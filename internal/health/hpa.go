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

package health

import (
	"fmt"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// hpaConditionsAnnotation is where autoscaling/v1 keeps the conditions that
// only the later versions have as a status field.
const hpaConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions"

// hpaHealth reads the autoscaler's conditions (AbleToScale, ScalingActive,
// ScalingLimited):
//
//   - a condition that is False because the metrics could not be had
//     (FailedGetResourceMetric, FailedGetPodsMetric, ...,
//     FailedComputeMetricsReplicas) is Progressing: that is how every new
//     autoscaler starts, before the metrics pipeline has samples of its
//     new pods, and with the default degradedGracePeriod of 0 a Degraded
//     verdict would fail the first deploy of every Deployment with an HPA
//     (kstatus calls an HPA Current; Argo CD, which does not fail a sync
//     on a Degraded resource, calls it Degraded). A metric that never
//     comes ends the step at its waveTimeout with the autoscaler's message;
//   - a condition that is False for another failure reason (FailedGetScale,
//     FailedUpdateScale, InvalidSelector, ...) is Degraded: the autoscaler
//     cannot do its job;
//   - ScalingActive False with reason ScalingDisabled (the target was scaled
//     to zero) is Suspended;
//   - no conditions yet is Progressing: the autoscaler has not run;
//   - anything else is Healthy.
//
// A status older than the spec (status.observedGeneration, autoscaling/v2) is
// Progressing.
func hpaHealth(obj *unstructured.Unstructured) (Result, error) {
	var hpa autoscalingv2.HorizontalPodAutoscaler
	if err := fromUnstructured(obj, &hpa); err != nil {
		return Result{}, err
	}
	if og := hpa.Status.ObservedGeneration; og != nil {
		if r, stale := staleStatus("autoscaler", hpa.Generation, *og); stale {
			return r, nil
		}
	}
	conds := make([]condition, 0, len(hpa.Status.Conditions))
	for _, c := range hpa.Status.Conditions {
		conds = append(conds, condition{Type: string(c.Type), Status: string(c.Status), Reason: c.Reason, Message: c.Message})
	}
	if raw, ok := obj.GetAnnotations()[hpaConditionsAnnotation]; ok && len(conds) == 0 {
		var err error
		if conds, err = conditionsFromJSON(raw); err != nil {
			return Result{}, fmt.Errorf("reading %s %q: annotation %s: %w", obj.GetKind(), obj.GetName(), hpaConditionsAnnotation, err)
		}
	}
	for _, c := range conds {
		if c.Status == "False" && isHPAFailureReason(c.Reason) && !isHPAMetricsReason(c.Reason) {
			return degraded("%s: %s", c.Type, describe(c.Reason, c.Message, "")), nil
		}
	}
	for _, c := range conds {
		if c.Status == "False" && isHPAMetricsReason(c.Reason) {
			return progressing("waiting for metrics: %s: %s", c.Type, describe(c.Reason, c.Message, "")), nil
		}
	}
	if c, ok := findCondition(conds, "ScalingActive"); ok && c.Status == "False" && c.Reason == "ScalingDisabled" {
		return suspended("scaling is disabled: %s", describe("", c.Message, "the target has zero replicas")), nil
	}
	if len(conds) == 0 {
		return progressing("waiting for the autoscaler to report its conditions"), nil
	}
	return healthy("%d current replicas, %d desired", hpa.Status.CurrentReplicas, hpa.Status.DesiredReplicas), nil
}

// isHPAFailureReason reports whether reason says the autoscaler failed, as
// opposed to deciding not to scale: the controller's failure reasons start
// with "Failed" (FailedGetScale, FailedUpdateScale, FailedGetResourceMetric,
// FailedComputeMetricsReplicas, ...) or "Invalid" (InvalidSelector,
// InvalidMetricSourceType).
func isHPAFailureReason(reason string) bool {
	return strings.HasPrefix(reason, "Failed") || strings.HasPrefix(reason, "Invalid")
}

// isHPAMetricsReason reports whether reason says the autoscaler could not
// read or use its metrics (FailedGet<Source>Metric(s),
// FailedComputeMetricsReplicas), which new pods have none of yet.
func isHPAMetricsReason(reason string) bool {
	return reason == "FailedComputeMetricsReplicas" ||
		strings.HasPrefix(reason, "FailedGet") && (strings.HasSuffix(reason, "Metric") || strings.HasSuffix(reason, "Metrics"))
}
