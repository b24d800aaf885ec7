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

// Package chart tests the Helm chart in charts/syncwave with the Helm CLI.
//
// The Helm binary is read from $SYNCWAVE_HELM, else from
// ${XDG_CACHE_HOME:-$HOME/.cache}/syncwave/tools/helm-v3.22.0 (`make helm`
// builds it from the Go module proxy; the Makefile exports SYNCWAVE_HELM).
//
// The template tests run `helm lint --strict` and `helm template` with the
// default values, with every optional feature on (testdata/all-features.yaml)
// and with targetAccess none, decode every rendered document strictly into
// its Go type and check what the chart promises: the Pod Security
// "restricted" fields, POD_NAMESPACE from the downward API, --leader-elect
// whenever replicaCount > 1, the RBAC split, and that the CRD and the alert
// rules in the chart are the copies of config/.
//
// The install test starts one simulated cluster (test/cluster), runs `helm
// install` into a namespace that enforces Pod Security "restricted", and
// checks that the controller's pod was admitted and became Ready. The install
// uses targetAccess rules with exactly the kinds of the guide's example
// (testdata/guide-rules.yaml), so no cluster-admin hides a gap. Then it runs
// the real manager binary out of cluster as the chart's ServiceAccount (a
// TokenRequest token), completes the guide's example and the first
// SyncOperation that NOTES.txt prints, and fails on any "forbidden" in the
// manager's log: proof that the chart's RBAC is enough. Finally it upgrades
// to targetAccess none
// and checks that the same token can no longer read Secrets in a namespace
// that no operation uses, while SyncOperations can still be listed.
package chart
