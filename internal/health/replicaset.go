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
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// replicaSetHealth waits for the latest generation to be observed and all
// desired replicas to be available. A ReplicaFailure condition (pods that
// cannot be created, e.g. over quota) is Degraded.
func replicaSetHealth(obj *unstructured.Unstructured) (Result, error) {
	var rs appsv1.ReplicaSet
	if err := fromUnstructured(obj, &rs); err != nil {
		return Result{}, err
	}
	if r, stale := staleRollout(rs.Generation, rs.Status.ObservedGeneration); stale {
		return r, nil
	}
	for _, c := range rs.Status.Conditions {
		if c.Type == appsv1.ReplicaSetReplicaFailure && c.Status == corev1.ConditionTrue {
			return degraded("%s", describe(c.Reason, c.Message, "replica failure")), nil
		}
	}
	want := replicasOrDefault(rs.Spec.Replicas)
	st := rs.Status
	switch {
	case st.AvailableReplicas < want:
		return progressing("%d of %d replicas are available", st.AvailableReplicas, want), nil
	case st.Replicas > want:
		return progressing("%d extra replicas are pending termination", st.Replicas-want), nil
	}
	return healthy("%d of %d replicas are available", st.AvailableReplicas, want), nil
}
