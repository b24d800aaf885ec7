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

// Package kubeconfig reads the kubeconfig of another cluster from a Secret
// (SPEC §12, spec.kubeConfig.secretRef): Key chooses its key as Flux does
// (the one named, else value, else value.yaml), and RESTConfig turns its
// data into a client configuration.
//
// RESTConfig accepts inline credentials only: a token, or client
// certificate and key data, and certificate-authority-data. An exec
// plugin, an auth provider, or a path to a token, certificate, key or CA
// file is refused with an error that names the user or cluster entry and
// what to inline instead: whoever may write a Secret must not be able to
// run commands, or read files, where the kubeconfig is used (the
// controller's pod, or the machine of whoever runs kubectl syncwave diff
// --application). Both the controller and the CLI use it, so they refuse
// the same kubeconfigs.
package kubeconfig
