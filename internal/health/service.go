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

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// serviceHealth: a Service of type LoadBalancer waits for the cloud provider
// to publish an ingress address; every other Service is Healthy once it
// exists.
func serviceHealth(obj *unstructured.Unstructured) (Result, error) {
	var svc corev1.Service
	if err := fromUnstructured(obj, &svc); err != nil {
		return Result{}, err
	}
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		t := svc.Spec.Type
		if t == "" {
			t = corev1.ServiceTypeClusterIP
		}
		return healthy("service of type %s exists", t), nil
	}
	addrs := make([]string, 0, len(svc.Status.LoadBalancer.Ingress))
	for _, in := range svc.Status.LoadBalancer.Ingress {
		addrs = appendAddress(addrs, in.IP, in.Hostname)
	}
	if len(addrs) == 0 {
		return progressing("waiting for the load balancer to get an ingress address"), nil
	}
	return healthy("load balancer address: %s", strings.Join(addrs, ", ")), nil
}

// appendAddress appends the hostname, else the IP, if either is set.
func appendAddress(addrs []string, ip, hostname string) []string {
	switch {
	case hostname != "":
		return append(addrs, hostname)
	case ip != "":
		return append(addrs, ip)
	default:
		return addrs
	}
}
