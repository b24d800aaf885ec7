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
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// apiServiceHealth: an APIService is Healthy when its Available condition is
// True. While it is False (the backing service has no endpoints yet, or fails
// discovery) it is Progressing, as the aggregator keeps retrying. The
// condition is read from the unstructured object so that this package need not
// import k8s.io/kube-aggregator.
func apiServiceHealth(obj *unstructured.Unstructured) (Result, error) {
	conds, err := conditionsOf(obj)
	if err != nil {
		return Result{}, err
	}
	c, ok := findCondition(conds, "Available")
	switch {
	case !ok:
		return progressing("waiting for the Available condition"), nil
	case c.Status == "True":
		return healthy("%s", describe("", c.Message, "API service is available")), nil
	default:
		return progressing("API service is not available: %s", describe(c.Reason, c.Message, "Available is "+c.Status)), nil
	}
}
