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
	"cmp"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// checkFunc is the built-in check of one kind. It returns the status and
// message; the caller sets the source.
type checkFunc func(obj *unstructured.Unstructured) (Result, error)

// builtinChecks maps each kind with a built-in check to that check. Kinds are
// matched by group and kind, whatever the version: the typed conversion reads
// the fields that all served versions share.
var builtinChecks = map[schema.GroupKind]checkFunc{
	{Group: "apps", Kind: "Deployment"}:                               deploymentHealth,
	{Group: "extensions", Kind: "Deployment"}:                         deploymentHealth,
	{Group: "apps", Kind: "StatefulSet"}:                              statefulSetHealth,
	{Group: "apps", Kind: "DaemonSet"}:                                daemonSetHealth,
	{Group: "extensions", Kind: "DaemonSet"}:                          daemonSetHealth,
	{Group: "apps", Kind: "ReplicaSet"}:                               replicaSetHealth,
	{Group: "extensions", Kind: "ReplicaSet"}:                         replicaSetHealth,
	{Group: "batch", Kind: "Job"}:                                     jobHealth,
	{Group: "batch", Kind: "CronJob"}:                                 cronJobHealth,
	{Group: "", Kind: "Pod"}:                                          podHealth,
	{Group: "", Kind: "PersistentVolumeClaim"}:                        pvcHealth,
	{Group: "", Kind: "Service"}:                                      serviceHealth,
	{Group: "", Kind: "Namespace"}:                                    namespaceHealth,
	{Group: "networking.k8s.io", Kind: "Ingress"}:                     ingressHealth,
	{Group: "extensions", Kind: "Ingress"}:                            ingressHealth,
	{Group: "apiregistration.k8s.io", Kind: "APIService"}:             apiServiceHealth,
	{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}:           hpaHealth,
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}: crdHealth,
}

// IsBuiltinKind reports whether gk has a built-in health check.
func IsBuiltinKind(gk schema.GroupKind) bool {
	_, ok := builtinChecks[gk]
	return ok
}

// BuiltinKinds lists the kinds that have a built-in health check, sorted by
// group and kind.
func BuiltinKinds() []schema.GroupKind {
	kinds := make([]schema.GroupKind, 0, len(builtinChecks))
	for gk := range builtinChecks {
		kinds = append(kinds, gk)
	}
	slices.SortFunc(kinds, func(a, b schema.GroupKind) int {
		return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Kind, b.Kind))
	})
	return kinds
}

// Builtin returns the assessor of the built-in kinds (SPEC §7). It has no
// opinion about any other kind. A check that cannot read its object (a field
// of the wrong type) returns the error, which a Chain reports as Unknown.
func Builtin() Assessor {
	return AssessorFunc(func(obj *unstructured.Unstructured) (Result, bool, error) {
		if obj == nil {
			return missingResult(), true, nil
		}
		check, ok := builtinChecks[obj.GroupVersionKind().GroupKind()]
		if !ok {
			return Result{}, false, nil
		}
		r, err := check(obj)
		if err != nil {
			return Result{Status: Unknown, Message: err.Error(), Source: SourceBuiltin}, true, err
		}
		r.Source = SourceBuiltin
		return r, true, nil
	})
}
