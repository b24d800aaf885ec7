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

// Package health computes the health of one live object as a pure function
// of that object: built-in checks per kind, generic kstatus-style
// conditions, and a chain in which Lua overrides come first.
//
// # Evaluation order (SPEC §7)
//
// The controller builds Chain(overrides..., Builtin(), GenericWith(...)) and
// calls Assess on it, where the overrides are, most specific first, the
// operation's Lua and CEL checks, the health ConfigMap's Lua and CEL checks
// and the library's Lua scripts; Default() is Chain(Builtin(), Generic()).
// The first assessor with an opinion wins; an assessor error ends the chain with Unknown. When
// nobody has an opinion the object is Healthy: it exists. A nil object is
// Missing. Assess reports a Healthy object that has a deletionTimestamp as
// Progressing ("pending deletion").
//
// # Built-in kinds
//
// One file per kind (deployment.go, job.go, ...), each a pure function of the
// unstructured object converted to its typed API. Wherever a status carries
// observedGeneration, a status older than metadata.generation is Progressing,
// so a stale status is never Healthy. Choices worth knowing:
//
//   - Deployment: paused is Suspended; ProgressDeadlineExceeded is Degraded;
//     while it waits, a ReplicaFailure condition (pods the API server
//     refuses: PodSecurity, a quota) is said in its Progressing message.
//   - Job: Failed (and FailureTarget) is Degraded, Complete Healthy,
//     suspended Suspended, otherwise Progressing.
//   - Pod: a Running pod with restartPolicy Never or OnFailure is
//     Progressing until it has Succeeded (as in Argo CD): it is meant to
//     finish. Waiting reasons such as CrashLoopBackOff or ImagePullBackOff
//     are Degraded.
//   - Namespace: Terminating is Progressing, unless the namespace controller
//     reports that deletion fails (NamespaceDeletion...Failure), which is
//     Degraded.
//   - HorizontalPodAutoscaler: a condition False because metrics could not
//     be had (FailedGet...Metric, FailedComputeMetricsReplicas) is
//     Progressing, as every new autoscaler starts; False for another
//     Failed.../Invalid... reason is Degraded; ScalingActive False for
//     ScalingDisabled is Suspended.
//   - APIService: Available False is Progressing (the aggregator retries).
//   - CRD: NamesAccepted False is Degraded; otherwise Healthy once
//     Established.
//
// # Generic kinds
//
// Every other kind goes through kstatus (sigs.k8s.io/cli-utils
// pkg/kstatus/status), which imports no client; Generic adds the Available
// condition, per-condition observedGeneration and common status.phase
// values. See Generic.
//
// # Custom resources whose controller has not spoken
//
// GenericWith(StatusWait{...}) is Generic that knows, through a lookup the
// controller supplies, which CRDs declare the status subresource. A custom
// resource of such a CRD with no status at all yet is Progressing ("waiting
// for its controller to write status") for at most the grace after its
// creation (DefaultStatusGrace, the controller's --status-grace, or the
// object's syncwave.dev/status-grace annotation), then Healthy with a message
// saying that no status came. While it waits, Result.RecheckAfter says when
// the grace ends, since no watch event will come then. The time is passed in
// (StatusWait.Now); nothing here reads a clock.
//
// An object annotated syncwave.dev/health: exists is Healthy once it exists:
// Assess asks no assessor about it.
//
// # CEL
//
// Package cel (internal/health/cel) runs checks in Flux's healthCheckExprs
// format; its assessors are layered in front of Builtin like the Lua ones.
//
// # Hooks
//
// HookCompletion turns a hook object into a HookPhase (SPEC §6): Job by its
// Complete/Failed conditions, Pod by its phase, anything else by its health.
package health
