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

// Package manifest reads the manifests of a SyncOperation: the inline
// spec.manifests, then every referenced ConfigMap and Secret key, in order.
// Documents may be multi-document YAML or a stream of JSON objects; empty
// documents are skipped and List kinds (a kind ending in "List" with an
// items list) are flattened into their items. A kustomization file (of
// group kustomize.config.k8s.io, or named kustomization.yaml without an
// apiVersion) is an error that says to render its directory: it is no
// Kubernetes object, and no API server would take it.
//
// Flux sources (sourceRef) are read through the Artifacts interface of
// LoadWith (internal/source/flux implements it): each manifest file of the
// artifact, in path order, is a source of its own, "spec.sources[0]
// (OCIRepository ns/app, deploy/api.yaml)", and the artifact's revision
// goes to Result.Revisions. A Flux source that does not exist or is not
// Ready yet is reported like a missing ConfigMap (Missing), so that the
// operation waits; one that is unusable is an *Error.
//
// Parse is pure and works on bytes (the CLI uses it on files); Load is the
// I/O edge that reads the operation's sources through a client.Reader.
// Every problem with the input is a *Error that names the source, the
// document index and what is wrong, so that the controller can fail the
// operation with reason InvalidManifests; errors from the API server other
// than NotFound are returned as they are, to be retried.
//
// Errors about a document also give the line of the source it is on
// ("app.yaml:27, document 1: invalid YAML: ..."): the line the YAML or
// JSON parser names, counted from the top of the source, not of the
// document, or else the document's first line.
//
// Document indexes count the non-empty documents of a source from 0, so
// "document 2" is the third object (or List) written in the file, whatever
// separators or comment-only documents come before it.
package manifest
