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

// Package e2e runs syncwave end to end: the real manager binary against a
// simulated cluster (kube-apiserver, etcd, kube-controller-manager,
// kube-scheduler and kwok nodes from package test/cluster), so Deployments
// become Available and hook Jobs succeed or fail because the real
// controllers say so. The order in which objects were written is taken from
// watch events and their resourceVersions, not from the controller's log.
package e2e
