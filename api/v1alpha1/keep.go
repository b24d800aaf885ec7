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

package v1alpha1

import "strings"

// AnnotationFluxPrune "disabled" on a live object keeps it from prune and
// teardown, as Flux's kustomize-controller keeps it from garbage
// collection.
const AnnotationFluxPrune = "kustomize.toolkit.fluxcd.io/prune"

// KeptBy says why the annotations of a live object keep it from deletion
// by a prune, or by a teardown when teardown is true; "" when nothing
// does. What the tools users come from write is honoured: Argo CD's sync
// options Prune=false (both) and Delete=false (teardown), each also with
// Argo CD's "confirm" (syncwave asks no confirmation, so it keeps), Helm's
// helm.sh/resource-policy: keep and Flux's
// kustomize.toolkit.fluxcd.io/prune: disabled (both).
func KeptBy(annotations map[string]string, teardown bool) string {
	if annotations[AnnotationHelmResourcePolicy] == "keep" {
		return "the live object has " + AnnotationHelmResourcePolicy + ": keep"
	}
	if annotations[AnnotationFluxPrune] == "disabled" {
		return "the live object has " + AnnotationFluxPrune + ": disabled"
	}
	opts, _ := ParseSyncOptions(strings.Split(annotations[AnnotationSyncOptions], ","))
	if keeps(opts, SyncOptionPrune) {
		return "the live object has the sync option Prune=" + opts[SyncOptionPrune] + confirmNote(opts[SyncOptionPrune])
	}
	if teardown && keeps(opts, SyncOptionDelete) {
		return "the live object has the sync option Delete=" + opts[SyncOptionDelete] + " (kept when its application is torn down)" + confirmNote(opts[SyncOptionDelete])
	}
	return ""
}

// KeptAsHome says why a prune or teardown by an operation in namespace
// opNamespace, acting on its own cluster, keeps the object of group, kind
// and name: it is that Namespace, which holds the operation itself, its
// pinned plan and its application's history, so deleting it would delete
// them while the operation runs. "" for any other object.
func KeptAsHome(group, kind, name, opNamespace string) string {
	if group == "" && kind == "Namespace" && name == opNamespace {
		return "namespace " + name + " holds the application's SyncOperations, this one too; delete it by hand once they are no longer needed"
	}
	return ""
}

// keeps reports whether the sync option name (Prune or Delete) of a live
// object keeps it from deletion: "false", or Argo CD's "confirm", which
// asks a person to confirm the deletion; syncwave has no confirmation, so
// the object is kept and is for a person to delete.
func keeps(opts map[string]string, name string) bool {
	v := opts[name]
	return v == "false" || v == "confirm"
}

// confirmNote says what Argo CD's "confirm" value means here.
func confirmNote(v string) string {
	if v != "confirm" {
		return ""
	}
	return "; syncwave asks no confirmation: delete it by hand if it must go"
}
