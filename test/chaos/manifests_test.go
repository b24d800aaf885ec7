//go:build chaos

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

package chaos_test

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/test/cluster"
	"github.com/syncwave/syncwave/test/restart"
)

// Waves of ConfigMaps in the Sync phase; the Deployment is in wave
// deploymentWave.
const (
	waves          = 6
	perWave        = 2
	deploymentWave = 3
	deployment     = "app"
)

// hook is one hook of the operation.
type hook struct {
	name, generateName string
	phase              syncv1alpha1.HookType
	run                string
}

var hooks = []hook{
	{name: "pre-migrate", phase: syncv1alpha1.HookTypePreSync, run: "800ms"},
	{generateName: "pre-gen-", phase: syncv1alpha1.HookTypePreSync, run: "300ms"},
	{generateName: "post-gen-", phase: syncv1alpha1.HookTypePostSync, run: "300ms"},
	{name: "post-check", phase: syncv1alpha1.HookTypePostSync, run: "500ms"},
}

// onFail is a SyncFail hook that a successful run never creates.
const onFail = "on-fail"

func configMapName(wave, i int) string { return fmt.Sprintf("cm-w%d-%d", wave, i) }

// manifests is the multi-phase operation of every run.
func manifests(ns string) ([]runtime.RawExtension, error) {
	var objs []map[string]any
	for _, h := range hooks {
		meta := map[string]any{"namespace": ns, "annotations": map[string]any{
			syncv1alpha1.AnnotationHook: string(h.phase), syncv1alpha1.AnnotationHookDeletePolicy: "BeforeHookCreation"}}
		if h.name != "" {
			meta["name"] = h.name
		} else {
			meta["generateName"] = h.generateName
		}
		objs = append(objs, job(meta, h.run))
	}
	objs = append(objs, job(map[string]any{"namespace": ns, "name": onFail,
		"annotations": map[string]any{syncv1alpha1.AnnotationHook: "SyncFail"}}, "100ms"))
	for w := range waves {
		for i := range perWave {
			objs = append(objs, map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
				"metadata": map[string]any{"namespace": ns, "name": configMapName(w, i),
					"annotations": map[string]any{syncv1alpha1.AnnotationSyncWave: fmt.Sprint(w)}},
				"data": map[string]any{"wave": fmt.Sprint(w)}})
		}
	}
	labels := map[string]any{"app": deployment}
	objs = append(objs, map[string]any{"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"namespace": ns, "name": deployment,
			"annotations": map[string]any{syncv1alpha1.AnnotationSyncWave: fmt.Sprint(deploymentWave)}},
		"spec": map[string]any{"replicas": 2, "selector": map[string]any{"matchLabels": labels},
			"template": map[string]any{"metadata": map[string]any{"labels": labels},
				"spec": map[string]any{"containers": []any{map[string]any{"name": "app", "image": "nginx"}}}}}})
	return restart.Raw(objs)
}

func job(meta map[string]any, run string) map[string]any {
	return map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": meta,
		"spec": map[string]any{"activeDeadlineSeconds": 120, "backoffLimit": 0,
			"template": map[string]any{
				"metadata": map[string]any{"annotations": map[string]any{cluster.AnnotationRunDuration: run}},
				"spec": map[string]any{"restartPolicy": "Never",
					"containers": []any{map[string]any{"name": "main", "image": "busybox"}}}}}}
}
