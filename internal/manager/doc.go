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

// Package manager is the composition root of the controller: it builds the
// controller-runtime manager, the caches, the metrics and the reconciler
// from Options. cmd/manager, the demo and the end-to-end tests all start the
// controller through Run.
//
// /readyz fails until the manager's cache (SyncOperations and ConfigMaps:
// sources, the health ConfigMap) and the cache of managed objects have
// synced; it holds only what the controller's own ClusterRole may list, so
// a controller without access to its targets (targetAccess none) is Ready
// too. /healthz answers as soon as the process serves. Both run on every
// replica, the leader and the standbys.
package manager
