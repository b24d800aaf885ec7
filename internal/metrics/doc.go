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

// Package metrics defines the Prometheus metrics of syncwave (SPEC §8) and a
// Recorder that the controller calls when something worth counting happens.
//
// Every metric is registered on a Registerer that the caller injects, so
// tests use a private registry and the manager passes controller-runtime's
// registry; the package holds no global state. No metric carries an object
// or operation name: those are unbounded, and per-object detail lives in the
// operation's status and events.
//
// syncwave_operations_running is not a gauge that the controller increments
// and decrements: it is computed at scrape time from a function that counts
// the running operations (from the informer cache), so it is right after a
// controller restart and can never drift. Each replica counts its own (a
// standby none, a sharded replica those it drives), so that a sum over the
// replicas is right.
//
// The duration histograms resolve milliseconds to an hour (a hook Job or a
// slow rollout takes minutes; the default operation timeout is one hour).
// syncwave_step_transition_seconds has finer buckets, from 1 ms to 10 s,
// because it measures the engine's own reaction time: from the moment the
// last object of a step was observed healthy to the first write of the next
// step. syncwave_operation_queue_seconds counts from the operation's
// creation, which its creationTimestamp gives only to the second: the
// controller takes, within that second, the moment it first saw the
// operation (a watch event milliseconds after the create), so that a queue
// time of a few milliseconds is not read as up to a second.
package metrics
