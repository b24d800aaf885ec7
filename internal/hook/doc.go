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

// Package hook creates, adopts and removes hook objects (usually Jobs) of a
// SyncOperation: deterministic names for generateName hooks, the
// BeforeHookCreation policy, the syncwave.dev/hook finalizer, owner
// references, and deletion with background propagation. An object of the
// hook's name is adopted when the same operation created it for the same
// attempt (a restart), replaced when it is an earlier attempt of the same
// operation (a retry runs the step's hooks again) or when the hook has
// BeforeHookCreation, and refused otherwise; an object someone else is
// deleting is waited for, its finalizers left alone.
//
// Outcomes reads how a finished Job or Pod hook ended, for status: its pod
// (a Job's by the batch.kubernetes.io/job-name label, the newest of the
// hook's result), the container that failed (init containers first) or the
// first that ended, its termination reason and exit code, and the end of
// its log through pods/log (the previous run's when it restarted). It reads
// as the operation's identity; a read that fails is said in the outcome.
package hook
