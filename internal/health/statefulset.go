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
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// statefulSetHealth waits for the latest generation to be observed and all
// desired replicas to be ready (and available when minReadySeconds is set).
// With RollingUpdate it then waits for the update: all replicas on the update
// revision, or, with a partition, all replicas at or above the partition. With
// OnDelete pods are replaced only when someone deletes them, so readiness is
// all there is to wait for.
func statefulSetHealth(obj *unstructured.Unstructured) (Result, error) {
	var s appsv1.StatefulSet
	if err := fromUnstructured(obj, &s); err != nil {
		return Result{}, err
	}
	if r, stale := staleRollout(s.Generation, s.Status.ObservedGeneration); stale {
		return r, nil
	}
	want := replicasOrDefault(s.Spec.Replicas)
	st := s.Status
	switch {
	case st.ReadyReplicas < want:
		return progressing("waiting for rollout to finish: %d of %d replicas are ready", st.ReadyReplicas, want), nil
	case s.Spec.MinReadySeconds > 0 && st.AvailableReplicas < want:
		return progressing("waiting for rollout to finish: %d of %d replicas are available", st.AvailableReplicas, want), nil
	case st.Replicas > want:
		return progressing("waiting for rollout to finish: %d extra replicas are pending termination", st.Replicas-want), nil
	}
	if s.Spec.UpdateStrategy.Type == appsv1.OnDeleteStatefulSetStrategyType {
		return healthy("%d of %d replicas are ready (update strategy OnDelete)", st.ReadyReplicas, want), nil
	}
	if ru := s.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil && *ru.Partition > 0 {
		target := max(want-*ru.Partition, 0)
		if st.UpdatedReplicas < target {
			return progressing("waiting for partitioned rollout to finish: %d of %d new replicas are updated", st.UpdatedReplicas, target), nil
		}
		return healthy("partitioned rollout complete: %d new replicas are updated", st.UpdatedReplicas), nil
	}
	if st.UpdateRevision != st.CurrentRevision {
		return progressing("waiting for rollout to finish: %d of %d replicas are updated to revision %s", st.UpdatedReplicas, want, st.UpdateRevision), nil
	}
	return healthy("%d of %d replicas are ready and updated", st.ReadyReplicas, want), nil
}
