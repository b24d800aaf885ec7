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

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// reasonProgressDeadlineExceeded is the reason of a Deployment's Progressing
// condition once spec.progressDeadlineSeconds has passed without progress.
const reasonProgressDeadlineExceeded = "ProgressDeadlineExceeded"

// deploymentHealth follows what "kubectl rollout status" waits for: a paused
// Deployment is Suspended; otherwise it is Healthy once the controller has
// observed the latest generation and every desired replica is updated and
// available with no old replica left. While it waits, a ReplicaFailure
// condition (pods the API server refuses) is part of its message.
func deploymentHealth(obj *unstructured.Unstructured) (Result, error) {
	var d appsv1.Deployment
	if err := fromUnstructured(obj, &d); err != nil {
		return Result{}, err
	}
	if d.Spec.Paused {
		return suspended("deployment is paused"), nil
	}
	if r, stale := staleRollout(d.Generation, d.Status.ObservedGeneration); stale {
		return r, nil
	}
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Reason == reasonProgressDeadlineExceeded {
			return degraded("%s", describe(c.Reason, c.Message, "")), nil
		}
	}
	want := replicasOrDefault(d.Spec.Replicas)
	st := d.Status
	var wait string
	switch {
	case st.UpdatedReplicas < want:
		wait = fmt.Sprintf("waiting for rollout to finish: %d of %d replicas are updated", st.UpdatedReplicas, want)
	case st.Replicas > st.UpdatedReplicas:
		wait = fmt.Sprintf("waiting for rollout to finish: %d old replicas are pending termination", st.Replicas-st.UpdatedReplicas)
	case st.AvailableReplicas < st.UpdatedReplicas:
		wait = fmt.Sprintf("waiting for rollout to finish: %d of %d updated replicas are available", st.AvailableReplicas, st.UpdatedReplicas)
	default:
		return healthy("%d of %d replicas are updated and available", st.AvailableReplicas, want), nil
	}
	// Pods the API server refuses (PodSecurity, a quota, a webhook) are what
	// blocks the rollout: say so. It stays Progressing, as kstatus and Argo
	// CD judge it (a quota may free up), until the progress deadline.
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentReplicaFailure && c.Status == corev1.ConditionTrue {
			wait += "; " + describe(c.Reason, c.Message, "replica failure")
		}
	}
	return progressing("%s", wait), nil
}
