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

// Package diff tells what a sync of a set of manifests would change on a
// cluster, the way `kubectl diff --server-side` does, for
// `kubectl syncwave diff`.
//
// For every object, Differ reads the live object and runs a server-side
// apply dry-run of the object as the controller would write it (field
// manager "syncwave", conflicts forced, the syncwave.dev labels and
// annotation added by apply.Prepare). Both sides are then server-shaped:
// fields that the API server defaults and the user did not set appear on
// both, so they do not show as changes. Normalize then leaves out what
// changes with every write or is not the user's to set: managedFields,
// status, resourceVersion, uid, generation, creationTimestamp and the
// syncwave.dev/operation annotation; and, for a live object that does not
// carry it yet (one adopted from another tool), the syncwave.dev/managed
// label that the sync adds. The controller's spec.dryRun preview (Preview:
// Unchanged, or Update with the changed field paths) compares the same two
// sides, so the CLI and the controller agree on what changes.
//
// Secret values are never shown: MaskSecrets replaces every value of data
// and stringData (and the last-applied-configuration annotation, which
// holds them too) by "***", marked "(before)" and "(after)" where the
// value differs, so a changed key shows as changed without its value.
//
// A Change is rendered either as a unified diff with headers that name
// the object ("--- live/apps/Deployment/prod/web", "+++ merged/..."), or,
// when KUBECTL_EXTERNAL_DIFF names a program, by writing both sides to two
// directories, one file per object, and running that program on them, as
// kubectl does.
//
// Pruner finds the live objects that a sync of an application would prune.
// InventoryPruner decides as the controller does: the entries of the
// application's inventory (operation.InventoryHolder's pinned plan) that
// the manifests no longer contain, whose live object still carries the
// application's label and is not kept by Prune=false; an object that only
// carries the label is in no inventory and is never pruned. An inventory
// left by an operation on another cluster (spec.kubeConfig) is compared
// with the live objects of that cluster, which the caller connects to
// (InventoryPruner.Target; its Holder says which operation it is, read once); without
// that, it is an error: the live objects of those names here are not the
// application's. The namespace of the operations is kept (KeptAsHome) on
// their own cluster only, and so is a Namespace or a CustomResourceDefinition
// that holds (plan.Holds) an object the manifests apply or a candidate that
// is kept, as the controller keeps it.
package diff
