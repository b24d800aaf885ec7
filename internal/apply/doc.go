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

// Package apply writes the non-hook objects of a plan: server-side apply
// with the field manager "syncwave" (forcing conflicts: the manifests are the
// source of truth), create-or-replace for Replace=true (with Force=true,
// delete and create again an object another operation wrote), and server-side
// dry-runs that validate a whole plan before anything is written.
//
// A dry-run refusal is a rejection (nothing of the operation is applied),
// with two exceptions: an object in a namespace the operation creates, and
// a write that authorization refuses when the plan writes RBAC objects
// (Applier.ForbiddenFails false), which an earlier step may make allowed;
// the real write decides those. An admission's refusal (PodSecurity,
// quota, a policy), though Forbidden as well, is always a rejection.
//
// A dry-run also tells, from the cache (Applier.Live), when an object's
// live copy belongs to another application (SharedError): a warning, the
// object is taken over, or with FailOnSharedResource=true a rejection.
package apply
