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

package plan_test

import (
	"fmt"

	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/plan"
)

func ExampleBuild() {
	objs, err := manifest.Parse("app.yaml", []byte(`
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation,HookSucceeded
spec:
  activeDeadlineSeconds: 300
  backoffLimit: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  annotations:
    argocd.argoproj.io/sync-wave: "1"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
`))
	if err != nil {
		panic(err)
	}
	p, err := plan.Build(manifest.Unstructured(objs), plan.Options{DefaultNamespace: "shop"})
	if err != nil {
		panic(err)
	}
	for _, step := range p.Steps {
		fmt.Println(step.String())
		for _, t := range step.Tasks {
			if t.IsHook() {
				fmt.Printf("  %s hook %v\n", t.ID, t.Hook.DeletePolicies)
			} else {
				fmt.Printf("  %s\n", t.ID)
			}
		}
	}
	// Output:
	// PreSync/0
	//   batch/Job/shop/migrate hook [BeforeHookCreation HookSucceeded]
	// Sync/0
	//   ConfigMap/shop/settings
	// Sync/1
	//   apps/Deployment/shop/api
}
