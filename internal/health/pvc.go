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
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// pvcHealth: a claim is Healthy once Bound, Degraded when it has Lost its
// volume, and Progressing while Pending. Note that a claim of a storage class
// with volumeBindingMode WaitForFirstConsumer stays Pending until a pod uses
// it; such a claim should be in the same wave as (or a later wave than) its
// first consumer, or carry a Lua override.
// annSelectedNode is set on a claim of delayed binding once the scheduler
// chose the node of its first consumer.
const annSelectedNode = "volume.kubernetes.io/selected-node"

func pvcHealth(obj *unstructured.Unstructured) (Result, error) {
	var pvc corev1.PersistentVolumeClaim
	if err := fromUnstructured(obj, &pvc); err != nil {
		return Result{}, err
	}
	switch pvc.Status.Phase {
	case corev1.ClaimBound:
		return healthy("claim is bound to volume %q", pvc.Spec.VolumeName), nil
	case corev1.ClaimLost:
		return degraded("claim lost its volume %q", pvc.Spec.VolumeName), nil
	case corev1.ClaimPending:
		if _, scheduled := pvc.Annotations[annSelectedNode]; !scheduled && pvc.Spec.VolumeName == "" {
			// Say what may block: a claim that binds on first consumer
			// waits for a pod, perhaps of a later wave.
			return progressing("waiting for the claim to be bound (phase %q; with a storage class of volumeBindingMode WaitForFirstConsumer, until a pod that uses it is scheduled)", pvc.Status.Phase), nil
		}
		return progressing("waiting for the claim to be bound (phase %q)", pvc.Status.Phase), nil
	default:
		return progressing("waiting for the claim to be bound (phase %q)", pvc.Status.Phase), nil
	}
}
