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

// Package files reads manifests from where a user keeps them: files,
// directories, standard input and kustomizations, the way kubectl's -f and
// -k flags do.
//
// Read takes the paths in the order given. A file named explicitly is
// read whatever its extension; a directory is walked recursively in
// lexical order and only its *.yaml, *.yml and *.json files are read (the
// others are reported to Options.Skipped, for a -v flag); "-" is standard
// input, which can be read once. A kustomization directory is rendered
// with kustomize's krusty on the local file system with kubectl's
// defaults (resources in input order, files only from inside the
// kustomization root, no plugins), after the paths.
//
// Read returns each file as an Input, its bytes untouched: splitting into
// documents and parsing is the business of internal/manifest, so that
// errors can name the line of the file.
package files
