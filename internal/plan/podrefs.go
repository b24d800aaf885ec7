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

package plan

import "fmt"

// podRef is an object a pod cannot start without.
type podRef struct {
	kind  string // ServiceAccount, Secret, ConfigMap or PersistentVolumeClaim
	name  string
	field string // where the pod spec names it
}

// podRefs lists the ServiceAccount, Secrets, ConfigMaps and
// PersistentVolumeClaims that the pods of t need before they can start.
// References marked optional are left out: they do not block a pod.
func podRefs(t *Task) []podRef {
	spec, path := podSpec(t.Object.Object, t.ID.Kind)
	if spec == nil {
		return nil
	}
	var refs []podRef
	add := func(kind, name, field string) {
		if name != "" {
			refs = append(refs, podRef{kind: kind, name: name, field: field})
		}
	}
	sa := stringAt(spec, "serviceAccountName")
	if sa == "" {
		sa = stringAt(spec, "serviceAccount")
	}
	add("ServiceAccount", sa, path+".serviceAccountName")
	for i, v := range listAt(spec, "volumes") {
		vol, _ := v.(map[string]any)
		at := fmt.Sprintf("%s.volumes[%d]", path, i)
		if s := mapAt(vol, "secret"); !optional(s) {
			add("Secret", stringAt(s, "secretName"), at+".secret")
		}
		if c := mapAt(vol, "configMap"); !optional(c) {
			add("ConfigMap", stringAt(c, "name"), at+".configMap")
		}
		add("PersistentVolumeClaim", stringAt(mapAt(vol, "persistentVolumeClaim"), "claimName"), at+".persistentVolumeClaim")
		for j, src := range listAt(mapAt(vol, "projected"), "sources") {
			s, _ := src.(map[string]any)
			pat := fmt.Sprintf("%s.projected.sources[%d]", at, j)
			if r := mapAt(s, "secret"); !optional(r) {
				add("Secret", stringAt(r, "name"), pat+".secret")
			}
			if r := mapAt(s, "configMap"); !optional(r) {
				add("ConfigMap", stringAt(r, "name"), pat+".configMap")
			}
		}
	}
	for _, list := range []string{"initContainers", "containers", "ephemeralContainers"} {
		for i, c := range listAt(spec, list) {
			refs = append(refs, containerRefs(c, fmt.Sprintf("%s.%s[%d]", path, list, i))...)
		}
	}
	return refs
}

func containerRefs(c any, path string) []podRef {
	container, _ := c.(map[string]any)
	var refs []podRef
	add := func(kind string, ref map[string]any, field string) {
		if name := stringAt(ref, "name"); name != "" && !optional(ref) {
			refs = append(refs, podRef{kind: kind, name: name, field: field})
		}
	}
	for i, e := range listAt(container, "envFrom") {
		src, _ := e.(map[string]any)
		at := fmt.Sprintf("%s.envFrom[%d]", path, i)
		add("Secret", mapAt(src, "secretRef"), at+".secretRef")
		add("ConfigMap", mapAt(src, "configMapRef"), at+".configMapRef")
	}
	for i, e := range listAt(container, "env") {
		from := mapAt(e, "valueFrom")
		at := fmt.Sprintf("%s.env[%d].valueFrom", path, i)
		add("Secret", mapAt(from, "secretKeyRef"), at+".secretKeyRef")
		add("ConfigMap", mapAt(from, "configMapKeyRef"), at+".configMapKeyRef")
	}
	return refs
}

// podSpec finds the pod spec of a Pod, a CronJob, or any object with a pod
// template (Job, Deployment, StatefulSet, DaemonSet, ReplicaSet, and
// custom workloads such as Argo Rollouts that follow the convention).
func podSpec(obj map[string]any, kind string) (map[string]any, string) {
	switch kind {
	case "Pod":
		return mapAt(obj, "spec"), "spec"
	case "CronJob":
		return mapAt(mapAt(mapAt(mapAt(mapAt(obj, "spec"), "jobTemplate"), "spec"), "template"), "spec"),
			"spec.jobTemplate.spec.template.spec"
	}
	spec := mapAt(mapAt(mapAt(obj, "spec"), "template"), "spec")
	if _, ok := spec["containers"]; !ok {
		return nil, ""
	}
	return spec, "spec.template.spec"
}

// mapAt returns m[key] when m and m[key] are objects, else nil. It never
// fails: lint reads what it can.
func mapAt(m any, key string) map[string]any {
	mm, _ := m.(map[string]any)
	v, _ := mm[key].(map[string]any)
	return v
}

func listAt(m map[string]any, key string) []any {
	v, _ := m[key].([]any)
	return v
}

func stringAt(m map[string]any, key string) string {
	v, _ := m[key].(string)
	return v
}

func optional(m map[string]any) bool {
	v, _ := m["optional"].(bool)
	return v
}
