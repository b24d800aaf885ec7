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

// daemonSetHealth waits for the latest generation to be observed, then, with
// RollingUpdate, for an updated pod on every node that should run one, and
// for a pod available on every such node. With OnDelete old pods stay until
// someone deletes them, so only availability is checked.
func daemonSetHealth(obj *unstructured.Unstructured) (Result, error) {
	var d appsv1.DaemonSet
	if err := fromUnstructured(obj, &d); err != nil {
		return Result{}, err
	}
	if r, stale := staleRollout(d.Generation, d.Status.ObservedGeneration); stale {
		return r, nil
	}
	st := d.Status
	desired := st.DesiredNumberScheduled
	if d.Spec.UpdateStrategy.Type != appsv1.OnDeleteDaemonSetStrategyType && st.UpdatedNumberScheduled < desired {
		return progressing("waiting for rollout to finish: %d of %d updated pods are scheduled", st.UpdatedNumberScheduled, desired), nil
	}
	if st.NumberAvailable < desired {
		return progressing("waiting for rollout to finish: %d of %d pods are available", st.NumberAvailable, desired), nil
	}
	return healthy("%d of %d pods are available", st.NumberAvailable, desired), nil
}
