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

// Package healthlib embeds syncwave's library of Lua health checks: one
// <group>/<Kind>/health.lua per custom resource kind (a _ in a directory
// name is the wildcard *), each with Argo CD-style fixtures
// (health_test.yaml and testdata/) that `kubectl syncwave health test
// config/health` runs. Load it with lua.LoadLibrary(healthlib.FS).
package healthlib

import "embed"

// FS holds every <group>/<Kind>/health.lua of the library.
//
//go:embed */*/health.lua
var FS embed.FS
