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

// Command demo runs syncwave's demo (`make demo`): it starts a local
// simulated cluster (test/cluster: kube-apiserver, etcd,
// kube-controller-manager, kube-scheduler and kwok with a fake node),
// installs the SyncOperation CRD, runs the controller, applies
// config/samples/ (the guide's example, adapted to succeed) and prints the
// operation's progress until it ends. Then it prints how to reach the
// cluster and keeps it running until Ctrl-C (or SIGTERM), when it stops
// every process.
//
// Run it from the repository root:
//
//	go run ./hack/demo [-crd-dir config/crd/bases] [-sample config/samples/syncwave_v1alpha1_syncoperation.yaml]
package main
