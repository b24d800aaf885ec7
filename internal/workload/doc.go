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

// Package workload says what blocks a workload that a failed step waited
// for (SPEC §1: a failure says what blocked). A Deployment, StatefulSet,
// DaemonSet, ReplicaSet or Job tells only how many of its replicas are
// ready; why the others are not is written on its pods: not scheduled
// ("0/3 nodes are available: ..."), an image that cannot be pulled, a
// container in CrashLoopBackOff, a readiness probe that fails.
//
// Describe is pure: of the pods a workload owns (by controller reference,
// a Deployment's through its ReplicaSets, named "<deployment>-<hash>"),
// those being deleted are left out; the one that says the most is chosen,
// a Degraded pod before a Progressing one, then the newest (a rollout's
// new pods), then by name; it is described with the built-in Pod check,
// "pod NAMESPACE/NAME: MESSAGE", and the count of the others not ready.
// Healthy pods add nothing. When no pod blocks (none could be created: a
// StatefulSet's or a Job's pods refused by PodSecurity, a quota, a missing
// ServiceAccount), LatestWarning describes the workload's newest Warning
// event, "event FailedCreate: ...". A Job hook still running when its step
// fails is explained the same way; a hook that ended has its outcome.
//
// Explainer lists the pods by the workload's spec.selector, then the
// workload's Warning events by its UID, through the core API, as the operation's identity (the controller, or the
// impersonated ServiceAccount) on the operation's cluster. It is asked
// once, when a step fails (Timeout, HealthDegraded), never per reconcile.
// What cannot be read adds nothing: the explanation must never fail a
// step or hide its own failure.
package workload
