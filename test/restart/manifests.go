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

package restart

import (
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/test/cluster"
)

// Names of the objects of Operation.
const (
	Migrate = "migrate" // PreSync hook Job
	ConfigA = "config-a"
	Worker  = "worker" // a plain Job the Sync step waits for
	ConfigB = "config-b"
	Smoke   = "smoke-" // generateName of the PostSync hook
)

// Durations of Operation's Jobs (kwok runs their pods this long).
type Durations struct {
	Migrate, Worker, Smoke string
}

// Operation is a multi-phase operation in namespace ns: a PreSync hook
// Job, a ConfigMap in Sync wave 0, a Job in wave 1 that the step waits for,
// a ConfigMap in wave 2, and a generateName'd PostSync hook.
func Operation(ns string, d Durations) ([]runtime.RawExtension, error) {
	objs := []map[string]any{
		job(ns, Migrate, "", d.Migrate, map[string]any{
			syncv1alpha1.AnnotationHook: "PreSync", syncv1alpha1.AnnotationHookDeletePolicy: "BeforeHookCreation"}),
		configMap(ns, ConfigA, "0"),
		job(ns, Worker, "", d.Worker, map[string]any{syncv1alpha1.AnnotationSyncWave: "1"}),
		configMap(ns, ConfigB, "2"),
		job(ns, "", Smoke, d.Smoke, map[string]any{
			syncv1alpha1.AnnotationHook: "PostSync", syncv1alpha1.AnnotationHookDeletePolicy: "HookSucceeded"}),
	}
	return Raw(objs)
}

// Raw encodes objects for spec.manifests.
func Raw(objs []map[string]any) ([]runtime.RawExtension, error) {
	out := make([]runtime.RawExtension, 0, len(objs))
	for _, o := range objs {
		b, err := json.Marshal(o)
		if err != nil {
			return nil, fmt.Errorf("encode %v: %w", o["metadata"], err)
		}
		out = append(out, runtime.RawExtension{Raw: b})
	}
	return out, nil
}

func configMap(ns, name, wave string) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name, "namespace": ns,
			"annotations": map[string]any{syncv1alpha1.AnnotationSyncWave: wave}},
		"data": map[string]any{"wave": wave}}
}

// job is a Job whose pod runs for run (kwok) and succeeds.
func job(ns, name, generateName, run string, annotations map[string]any) map[string]any {
	meta := map[string]any{"namespace": ns, "annotations": annotations}
	if name != "" {
		meta["name"] = name
	} else {
		meta["generateName"] = generateName
	}
	return map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": meta,
		"spec": map[string]any{"activeDeadlineSeconds": 120, "backoffLimit": 0,
			"template": map[string]any{
				"metadata": map[string]any{"annotations": map[string]any{cluster.AnnotationRunDuration: run}},
				"spec": map[string]any{"restartPolicy": "Never",
					"containers": []any{map[string]any{"name": "main", "image": "busybox"}}}}}}
}
