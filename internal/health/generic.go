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

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

// Generic returns the assessor of any kind, built on kstatus (cli-utils
// pkg/kstatus/status.Compute), which reads the conventions that well-behaved
// controllers follow. It always has an opinion:
//
//   - kstatus decides first: a deletionTimestamp (Terminating), a
//     status.observedGeneration behind metadata.generation, a Reconciling
//     condition that is True, and a Ready condition that is not True are
//     Progressing; a Stalled condition that is True is Degraded.
//   - When kstatus finds the object current, a Ready condition whose own
//     observedGeneration is behind is Progressing; an Available condition
//     that is not True is Progressing; a status.phase of a common value is
//     mapped (Running, Ready, Active, Succeeded, Bound, ... are Healthy;
//     Pending, Provisioning, ... are Progressing; Failed, Error, ... are
//     Degraded; Suspended and Paused are Suspended).
//   - An object with none of these is Healthy: it exists, and nothing says
//     it is not ready.
//
// The core Pod is the exception: kstatus reads the wall clock for pods, so
// Generic judges a Pod with the built-in pod check instead, to stay a pure
// function of the object.
func Generic() Assessor {
	return AssessorFunc(func(obj *unstructured.Unstructured) (Result, bool, error) {
		if obj == nil {
			return missingResult(), true, nil
		}
		r, err := genericHealth(obj)
		if err != nil {
			return Result{Status: Unknown, Message: err.Error(), Source: SourceGeneric}, true, err
		}
		r.Source = SourceGeneric
		return r, true, nil
	})
}

func genericHealth(obj *unstructured.Unstructured) (Result, error) {
	gvk := obj.GroupVersionKind()
	if gvk.Group == "" && gvk.Kind == "Pod" {
		return podHealth(obj)
	}
	ks, err := status.Compute(obj)
	if err != nil {
		return Result{}, fmt.Errorf("computing the status of %s %q: %w", obj.GetKind(), obj.GetName(), err)
	}
	switch ks.Status {
	case status.CurrentStatus:
		return refineCurrent(obj, ks)
	case status.InProgressStatus:
		return progressing("%s", inProgressMessage(obj, ks)), nil
	case status.FailedStatus:
		return degraded("%s", kstatusMessage(ks, "failed")), nil
	case status.TerminatingStatus:
		return progressing("pending deletion"), nil
	case status.NotFoundStatus:
		return result(Missing, "%s", kstatusMessage(ks, "object does not exist")), nil
	default:
		return result(Unknown, "%s", kstatusMessage(ks, "status is unknown")), nil
	}
}

// kstatusMessage is the message of a kstatus result or, when it is empty (a
// Ready condition without a message, say), the reason of the condition that
// kstatus derived, else fallback.
func kstatusMessage(ks *status.Result, fallback string) string {
	if strings.TrimSpace(ks.Message) != "" {
		return ks.Message
	}
	for _, c := range ks.Conditions {
		if d := describe(c.Reason, c.Message, ""); d != "" {
			return d
		}
	}
	return fallback
}

// inProgressMessage says "not ready: ..." when kstatus found the object in
// progress because of its Ready condition, which kstatus reports with the
// condition's bare message.
func inProgressMessage(obj *unstructured.Unstructured, ks *status.Result) string {
	msg := kstatusMessage(ks, "in progress")
	conds, err := conditionsOf(obj)
	if err != nil {
		return msg
	}
	if _, reconciling := findTrueCondition(conds, "Reconciling"); reconciling {
		return msg
	}
	ready, ok := findCondition(conds, "Ready")
	if !ok || ready.Status == "True" || len(ks.Conditions) == 0 ||
		ks.Conditions[0].Reason != ready.Reason || ks.Message != ready.Message {
		return msg
	}
	return "not ready: " + describe(ready.Reason, ready.Message, "Ready is "+ready.Status)
}

// findTrueCondition returns the condition of type t if it is True.
func findTrueCondition(conds []condition, t string) (condition, bool) {
	c, ok := findCondition(conds, t)
	return c, ok && c.Status == "True"
}

// refineCurrent looks, for an object that kstatus found current, at the
// conventions that kstatus does not read.
func refineCurrent(obj *unstructured.Unstructured, ks *status.Result) (Result, error) {
	conds, err := conditionsOf(obj)
	if err != nil {
		return Result{}, err
	}
	generation := obj.GetGeneration()
	if c, ok := findCondition(conds, "Ready"); ok {
		if c.ObservedGeneration > 0 && c.ObservedGeneration < generation {
			return progressing("Ready condition is stale: observed generation %d < generation %d", c.ObservedGeneration, generation), nil
		}
		return healthy("%s", describe(c.Reason, c.Message, "Ready condition is True")), nil
	}
	if c, ok := findCondition(conds, "Available"); ok {
		switch {
		case c.Status != "True":
			return progressing("not available: %s", describe(c.Reason, c.Message, "Available is "+c.Status)), nil
		case c.ObservedGeneration > 0 && c.ObservedGeneration < generation:
			return progressing("Available condition is stale: observed generation %d < generation %d", c.ObservedGeneration, generation), nil
		default:
			return healthy("%s", describe(c.Reason, c.Message, "Available condition is True")), nil
		}
	}
	phase, _, err := unstructured.NestedString(obj.Object, "status", "phase")
	if err != nil {
		return Result{}, fmt.Errorf("reading %s %q: %w", obj.GetKind(), obj.GetName(), err)
	}
	if s, ok := phaseStatus[strings.ToLower(phase)]; ok {
		return result(s, "status.phase is %s", phase), nil
	}
	if status.GetLegacyConditionsFn(obj) != nil && ks.Message != "" {
		return healthy("%s", ks.Message), nil
	}
	if _, found := obj.Object["status"]; found {
		return healthy("no condition or phase reports a problem; the object exists"), nil
	}
	return healthy("no status to check; the object exists"), nil
}

// phaseStatus maps common status.phase values (lower case) to a health. A
// phase that is not listed says nothing we can read, so the object is judged
// as if it had no phase.
var phaseStatus = map[string]Status{
	"running":      Healthy,
	"ready":        Healthy,
	"active":       Healthy,
	"succeeded":    Healthy,
	"bound":        Healthy,
	"available":    Healthy,
	"healthy":      Healthy,
	"complete":     Healthy,
	"completed":    Healthy,
	"established":  Healthy,
	"deployed":     Healthy,
	"pending":      Progressing,
	"provisioning": Progressing,
	"creating":     Progressing,
	"initializing": Progressing,
	"starting":     Progressing,
	"deploying":    Progressing,
	"updating":     Progressing,
	"upgrading":    Progressing,
	"installing":   Progressing,
	"progressing":  Progressing,
	"inprogress":   Progressing,
	"reconciling":  Progressing,
	"terminating":  Progressing,
	"deleting":     Progressing,
	"failed":       Degraded,
	"failure":      Degraded,
	"error":        Degraded,
	"degraded":     Degraded,
	"unhealthy":    Degraded,
	"lost":         Degraded,
	"suspended":    Suspended,
	"paused":       Suspended,
	"unknown":      Unknown,
}
