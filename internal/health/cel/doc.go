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

// Package cel runs health checks written as CEL expressions in Flux
// kustomize-controller's healthCheckExprs format, with its meaning, so that a
// check written for Flux gives the same result here (SPEC §7).
//
// # Format
//
// A check (syncv1alpha1.HealthCheckExpr) names an apiVersion, an optional
// kind, and the expressions current (required), failed and inProgress. Only
// the group of apiVersion is matched, so one entry covers every version of a
// resource; without a kind it covers every kind of the group, and an entry
// with the kind wins over it. Two entries for the same group and kind are an
// error, as in Flux.
//
// # Meaning
//
// Like Flux, the expressions see the object's top-level fields as variables:
// status.phase == 'Running' reads the object's status. Evaluation follows
// Flux's implementation (fluxcd/pkg runtime/cel, after its RFC 0009):
//
//  1. when status.observedGeneration is an integer that differs from
//     metadata.generation, the object is Progressing: its status is stale;
//  2. inProgress, when given and true: Progressing;
//  3. failed, when given and true: Degraded;
//  4. current, when true: Healthy;
//  5. none true: Progressing.
//
// An expression that fails to evaluate (it reads a field the object does not
// have, or does not return a bool) gives Unknown with the error, which makes
// a step wait as Flux waits; guard optional fields with has() or the
// optional syntax (status.?conditions.orValue([])). Note that SPEC §7 words
// the order as failed, current, inProgress; we follow Flux, which checks
// inProgress first, because the SPEC's promise is Flux's result: the two only
// differ when inProgress and another expression are true at once.
//
// The environment is Flux's: CEL's standard library with optional types,
// cross-type numeric comparisons, UTC as the default time zone and the
// strings, sets and encoders extensions. Expressions are parsed, not type
// checked (objects have no declared schema), so an unknown variable is an
// evaluation error, not a compile error.
//
// # Limits
//
// An Engine compiles each expression text once and caches the program. Each
// evaluation is bounded by a CEL cost limit (Options.CostLimit) and a
// deadline (Options.Timeout); an expression stopped by either gives Unknown
// with a message saying so. Nothing panics out of an evaluation.
//
// # Where checks come from
//
// Build compiles the entries of a SyncOperation's spec.healthCheckExprs;
// ParseConfigMap reads the health ConfigMap's health.cel.<group>_<Kind> keys
// (core group: health.cel.<Kind>), each holding one entry or a list in the
// same YAML; ParseChecks reads such YAML from a file. Engine.Assessor turns
// layers of checks into a health.Assessor. A ConfigMap key that does not
// parse, like an entry that does not compile, judges the kind it was meant
// for Unknown with its error: it never lets another check decide silently.
//
// The package is pure: it reads objects, never a cluster, and keeps no clock.
package cel
