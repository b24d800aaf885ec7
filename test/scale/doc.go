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

// Package scale measures how the controller carries large operations: a
// test counts the API reads of one reconcile of a 200-object and a
// 2,000-object operation in steady state (they must not grow with the
// size), and benchmarks (make bench) time 2,000 and 10,000 ConfigMaps in
// 20 waves from ConfigMap sources, and 100 operations of 20 objects started
// together, each next to a parallel server-side apply of the same objects,
// with the operation's final size and the controller's peak RSS.
package scale
