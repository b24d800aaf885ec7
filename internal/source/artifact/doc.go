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

// Package artifact fetches and unpacks the artifact of a Flux source: a
// gzip-compressed tarball that source-controller (or whoever writes an
// ExternalArtifact) serves over HTTP, named by the source's
// status.artifact.url and identified by its status.artifact.digest.
//
// Nothing of an artifact is trusted before its digest is verified, and
// nothing is ever written to disk:
//
//   - Fetch downloads with a size limit (Limits.MaxSize): a Content-Length
//     or a body over the limit is refused without reading the rest. The
//     digest ("<algorithm>:<hex>", sha256, sha384 or sha512, as Flux
//     writes it) is verified over the bytes as downloaded, before anything
//     is decompressed.
//   - Unpack reads the tarball in memory. Each entry must be a regular
//     file or a directory with a relative name inside the archive: an
//     absolute name, a ".." element, a symbolic or hard link, a device, a
//     FIFO or a sparse file fails the whole artifact, as do two entries of
//     the same name. Limits bound the number of entries, the size of one
//     file and the unpacked size of all files together (decompression
//     bombs stop at the limit, not at the end of the stream).
//   - A Cache, if the Fetcher has one, keeps the verified bytes of
//     recent artifacts by digest, bounded in bytes and in time since last
//     use, so that a retry or another operation of the same revision does
//     not download it again; concurrent fetches of one digest share one
//     download.
//   - Select keeps the *.yaml, *.yml and *.json files under a directory
//     (recursively), sorted by path, and says when the directory is not in
//     the artifact at all. A directory that holds a kustomization file is
//     built instead (Kustomize), as Flux's kustomize-controller builds the
//     path of a Kustomization, in memory, with kustomize's plugins off, and
//     from the artifact alone: any file or directory that a reachable
//     kustomization names and the artifact does not hold (a remote base, a
//     URL, a path outside the archive) is refused before the build, so
//     nothing is fetched or read from elsewhere.
//
// Every problem with the artifact itself is an *Error, which the caller
// turns into a failed operation (InvalidManifests); a server that cannot
// be reached or answers with an error status is a *FetchError, which the
// caller may retry, since source-controller may be restarting or about to
// serve a newer revision.
package artifact
