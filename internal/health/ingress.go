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
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ingressHealth: an Ingress is Healthy once its ingress controller has
// published a load balancer address, and Progressing until then.
func ingressHealth(obj *unstructured.Unstructured) (Result, error) {
	var ing networkingv1.Ingress
	if err := fromUnstructured(obj, &ing); err != nil {
		return Result{}, err
	}
	addrs := make([]string, 0, len(ing.Status.LoadBalancer.Ingress))
	for _, in := range ing.Status.LoadBalancer.Ingress {
		addrs = appendAddress(addrs, in.IP, in.Hostname)
	}
	if len(addrs) == 0 {
		return progressing("waiting for the ingress controller to publish a load balancer address"), nil
	}
	return healthy("load balancer address: %s", strings.Join(addrs, ", ")), nil
}
