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

package cel

import (
	"encoding/json"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
)

var fuzzStatuses = map[health.Status]bool{health.Healthy: true, health.Progressing: true, health.Degraded: true,
	health.Suspended: true, health.Missing: true, health.Unknown: true}

// FuzzExpressions: any expressions as a healthCheckExprs entry, and any
// object, give a known status (Unknown with a message for what does not
// compile, run out of cost, or fail), never a panic.
func FuzzExpressions(f *testing.F) {
	f.Add("status.phase == 'Running'", "status.phase == 'Failed'", "", `{"status":{"phase":"Running"}}`)
	f.Add("status.conditions.filter(c, c.type == 'Ready').all(c, c.status == 'True')", "", "", `{"status":{"conditions":[{"type":"Ready","status":"False"}]}}`)
	f.Add("has(status.x) && status.x > 3", "1 +", "true", `{"metadata":{"generation":2},"status":{"observedGeneration":1}}`)
	f.Add("[1,2,3].map(a, [1,2,3].map(b, [1,2,3].map(c, a*b*c))).size() > 0", "", "", `{}`)
	f.Add("status", "self.nope", "'x'", `{"status":"not a map"}`)
	e := NewEngine(DefaultOptions())
	f.Fuzz(func(t *testing.T, current, failed, inProgress, object string) {
		obj := map[string]any{}
		if json.Unmarshal([]byte(object), &obj) != nil {
			return
		}
		obj["apiVersion"], obj["kind"] = "example.com/v1", "Thing"
		checks, _ := e.BuildAll("fuzz", []syncv1alpha1.HealthCheckExpr{{APIVersion: "example.com/v1", Kind: "Thing",
			Current: current, Failed: failed, InProgress: inProgress}})
		a := e.Assessor(checks)
		res, ok, err := a.Assess(&unstructured.Unstructured{Object: obj})
		if !ok {
			return // the entry did not match (e.g. no expression at all)
		}
		if !fuzzStatuses[res.Status] {
			t.Fatalf("status %q (err %v)", res.Status, err)
		}
		if res.Status == health.Unknown && res.Message == "" {
			t.Fatalf("Unknown without a message (err %v)", err)
		}
	})
}
