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

// Package restart tests that an operation survives its control plane going
// away: kube-apiserver restarted while a hook runs and while a step waits,
// etcd restarted, and etcd made slow through a delaying proxy (with the
// API server's request timeout hit). The real manager binary runs against a
// simulated cluster (test/cluster), as in test/e2e. What happened is taken
// from an independent watch (Recorder), not from the operation's status:
// no hook is created twice (ADDED events, unchanged UIDs), no finished step
// is applied again (unchanged resourceVersions and managedFields times),
// and slowness never gives a wrong verdict.
//
// The non-test files are the harness, shared with test/chaos: Manager runs
// the manager binary and kills it like a crash; Recorder keeps every watch
// event of a namespace, resuming across API server restarts.
package restart
