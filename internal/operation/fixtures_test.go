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

package operation_test

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// guideYAML is the guide's example, reduced to what the engine needs: a
// PreSync migration Job, RBAC in Sync wave -20, the API in wave 0, a PostSync
// smoke test and a SyncFail handler.
const guideYAML = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: hook-sa, annotations: {argocd.argoproj.io/sync-wave: "-20"}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {replicas: 3}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: api-config, annotations: {argocd.argoproj.io/sync-wave: "-20"}}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/sync-wave: "-2"
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation,HookSucceeded
spec: {activeDeadlineSeconds: 60, backoffLimit: 0}
---
apiVersion: batch/v1
kind: Job
metadata:
  generateName: smoke-
  annotations:
    argocd.argoproj.io/hook: PostSync
    argocd.argoproj.io/hook-delete-policy: HookSucceeded
spec: {activeDeadlineSeconds: 60, backoffLimit: 0}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: notify
  annotations:
    argocd.argoproj.io/hook: SyncFail
spec: {activeDeadlineSeconds: 60, backoffLimit: 0}
`

func buildLayout(tb testing.TB, docs string) *operation.Layout {
	tb.Helper()
	var objs []*unstructured.Unstructured
	for _, d := range splitDocs(docs) {
		m := map[string]any{}
		if err := yaml.Unmarshal([]byte(d), &m); err != nil {
			tb.Fatalf("fixture: %v", err)
		}
		if len(m) == 0 {
			continue
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
	p, err := plan.Build(objs, plan.Options{DefaultNamespace: "prod"})
	if err != nil {
		tb.Fatalf("plan: %v", err)
	}
	return operation.NewLayout(p)
}

func splitDocs(s string) []string {
	var out []string
	cur := ""
	for _, line := range splitLines(s) {
		if line == "---" {
			out = append(out, cur)
			cur = ""
			continue
		}
		cur += line + "\n"
	}
	return append(out, cur)
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
