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

// Package flux reads the manifests of a Flux source (SPEC §12): a
// GitRepository, OCIRepository, Bucket or ExternalArtifact of
// source.toolkit.fluxcd.io/v1, named by a SyncOperation's
// spec.sources[].sourceRef.
//
// Reader implements manifest.Artifacts in two steps: Locate reads the
// source object and checks it, Read downloads its artifact. The loader
// locates every source of an operation before it downloads any, so that
// an operation waiting for one source downloads nothing while it waits.
// The source object is read on the controller's own cluster, as the
// controller (never impersonated, like Flux's kustomize-controller; the
// source may be in another namespace, as Flux allows), and Reader:
//
//   - refuses a kind that the cluster does not serve (Flux's CRDs are not
//     installed) or that the controller may not read, with a message that
//     says what to install or enable: the operation fails (InvalidManifests);
//   - reports a source that does not exist as NotFound, and one whose Ready
//     condition is not True for its current generation, or that has no
//     artifact yet, as a manifest.NotReadyError whose message quotes the
//     source's own Ready message: the operation waits, woken by a watch of
//     the source;
//   - downloads status.artifact.url through package artifact, which
//     verifies status.artifact.digest before anything is unpacked and
//     enforces the size limits; a download that fails (the server is down,
//     404 while a newer revision replaces the artifact) is a NotReadyError
//     to retry, and every problem with the artifact itself fails the
//     operation;
//   - returns the YAML and JSON files under sourceRef.path, sorted by
//     path (or, when the path holds a kustomization, its build:
//     artifact.Select), with the artifact's revision and digest for
//     status.revisions.
//
// The files are read once, when the operation starts; the controller pins
// the plan they make (internal/snapshot) and never reads the source again.
package flux
