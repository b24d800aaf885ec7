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
	"encoding/json"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// fromUnstructured converts obj into the typed object into.
func fromUnstructured(obj *unstructured.Unstructured, into any) error {
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, into); err != nil {
		return fmt.Errorf("reading %s %q: %w", obj.GetKind(), obj.GetName(), err)
	}
	return nil
}

func result(s Status, format string, args ...any) Result {
	return Result{Status: s, Message: fmt.Sprintf(format, args...)}
}

func healthy(format string, args ...any) Result { return result(Healthy, format, args...) }

func progressing(format string, args ...any) Result { return result(Progressing, format, args...) }

func degraded(format string, args ...any) Result { return result(Degraded, format, args...) }

func suspended(format string, args ...any) Result { return result(Suspended, format, args...) }

// staleRollout reports a workload whose controller has not yet seen its
// latest spec: its status describes an older generation and must not be read
// as healthy.
func staleRollout(generation, observed int64) (Result, bool) {
	if observed < generation {
		return progressing("waiting for rollout to finish: observed generation %d < generation %d", observed, generation), true
	}
	return Result{}, false
}

// staleStatus is staleRollout for objects that do not roll out pods; who
// names the component that has to observe the spec.
func staleStatus(who string, generation, observed int64) (Result, bool) {
	if observed < generation {
		return progressing("waiting for the %s to observe the latest spec: observed generation %d < generation %d", who, observed, generation), true
	}
	return Result{}, false
}

// replicasOrDefault is spec.replicas with the API server's default of 1.
func replicasOrDefault(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

// condition is the common shape of status conditions, for kinds whose typed
// API we do not import (CRD, APIService) and for unknown kinds. Fields are
// read leniently: lastTransitionTime and the like are ignored.
type condition struct {
	Type               string `json:"type"`
	Status             string `json:"status"`
	Reason             string `json:"reason,omitempty"`
	Message            string `json:"message,omitempty"`
	ObservedGeneration int64  `json:"observedGeneration,omitempty"`
}

// conditionsOf reads status.conditions of obj.
func conditionsOf(obj *unstructured.Unstructured) ([]condition, error) {
	raw, found, err := unstructured.NestedFieldNoCopy(obj.Object, "status", "conditions")
	if err != nil {
		return nil, fmt.Errorf("reading %s %q: %w", obj.GetKind(), obj.GetName(), err)
	}
	if !found || raw == nil {
		return nil, nil
	}
	items, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("reading %s %q: status.conditions is a %T, not a list", obj.GetKind(), obj.GetName(), raw)
	}
	conds := make([]condition, 0, len(items))
	for i, item := range items {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("reading %s %q: status.conditions[%d] is a %T, not an object", obj.GetKind(), obj.GetName(), i, item)
		}
		var c condition
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &c); err != nil {
			return nil, fmt.Errorf("reading %s %q: status.conditions[%d]: %w", obj.GetKind(), obj.GetName(), i, err)
		}
		conds = append(conds, c)
	}
	return conds, nil
}

// conditionsFromJSON decodes a JSON list of conditions, as autoscaling/v1
// stores them in an annotation.
func conditionsFromJSON(s string) ([]condition, error) {
	var conds []condition
	if err := json.Unmarshal([]byte(s), &conds); err != nil {
		return nil, err
	}
	return conds, nil
}

// findCondition returns the condition of type t, if any.
func findCondition(conds []condition, t string) (condition, bool) {
	for _, c := range conds {
		if c.Type == t {
			return c, true
		}
	}
	return condition{}, false
}

// describe joins a reason and a message as "Reason: message", leaving out
// whichever is empty; it returns fallback when both are.
func describe(reason, message, fallback string) string {
	reason, message = strings.TrimSpace(reason), strings.TrimSpace(message)
	switch {
	case reason != "" && message != "":
		return reason + ": " + message
	case reason != "":
		return reason
	case message != "":
		return message
	default:
		return fallback
	}
}
