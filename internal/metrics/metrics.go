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

package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The metric names of SPEC §8.
const (
	OperationsTotalName          = "syncwave_operations_total"
	OperationDurationSecondsName = "syncwave_operation_duration_seconds"
	OperationsRunningName        = "syncwave_operations_running"
	StepDurationSecondsName      = "syncwave_step_duration_seconds"
	StepTransitionSecondsName    = "syncwave_step_transition_seconds"
	HookRunsTotalName            = "syncwave_hook_runs_total"
	HookDurationSecondsName      = "syncwave_hook_duration_seconds"
	ApplyTotalName               = "syncwave_apply_total"
	HealthChecksTotalName        = "syncwave_health_checks_total"
	LuaErrorsTotalName           = "syncwave_lua_errors_total"
	RetriesTotalName             = "syncwave_retries_total"
	PruneTotalName               = "syncwave_prune_total"
	OperationQueueSecondsName    = "syncwave_operation_queue_seconds"
)

// Values of the result label of syncwave_prune_total.
const (
	PrunePruned  = "Pruned"
	PruneSkipped = "PruneSkipped"
	PruneFailed  = "Failed"
)

// Values of the result label of syncwave_operations_total and
// syncwave_operation_duration_seconds.
const (
	OperationSucceeded = "Succeeded"
	OperationFailed    = "Failed"
	// OperationTerminated is the result of an operation that ended because
	// spec.terminate was set. Its status says Failed with reason Terminated;
	// the metric tells it apart so that alerts on failures ignore it.
	OperationTerminated = "Terminated"
)

// Values of the result label of syncwave_hook_runs_total and
// syncwave_hook_duration_seconds (the terminal hook phases).
const (
	HookSucceeded = "Succeeded"
	HookFailed    = "Failed"
)

// Values of the result label of syncwave_apply_total.
const (
	ApplySuccess = "success"
	ApplyError   = "error"
)

// Values of the source label of syncwave_health_checks_total.
const (
	SourceBuiltin = "builtin"
	SourceLua     = "lua"
	SourceGeneric = "generic"
)

// durationBuckets resolve 5 ms to one hour: an object that is healthy at
// once, a Deployment rollout, a migration Job, a whole operation.
func durationBuckets() []float64 {
	return []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600}
}

// transitionBuckets resolve 1 ms to 10 s: the engine should advance within
// milliseconds of the last health change, so anything in seconds is a
// finding.
func transitionBuckets() []float64 {
	return []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
}

// Recorder records the syncwave metrics. A nil *Recorder records nothing,
// so code under test may run without one. Its methods are safe for
// concurrent use.
type Recorder struct {
	operations        *prometheus.CounterVec
	operationDuration *prometheus.HistogramVec
	stepDuration      *prometheus.HistogramVec
	stepTransition    prometheus.Histogram
	hookRuns          *prometheus.CounterVec
	hookDuration      *prometheus.HistogramVec
	apply             *prometheus.CounterVec
	healthChecks      *prometheus.CounterVec
	luaErrors         prometheus.Counter
	retries           *prometheus.CounterVec
	prune             *prometheus.CounterVec
	queue             *prometheus.HistogramVec
}

// New creates the metrics and registers them on reg. running is called at
// every scrape and returns the number of running (non-terminal) operations
// per namespace; namespaces it leaves out have none. running may be nil,
// then syncwave_operations_running reports nothing. New panics when a
// metric is already registered on reg, as prometheus.MustRegister does:
// that is a programming error.
func New(reg prometheus.Registerer, running func() map[string]int) *Recorder {
	r := &Recorder{
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: OperationsTotalName,
			Help: "Operations that reached a terminal phase, by namespace, result (Succeeded, Failed, Terminated) and reason.",
		}, []string{"namespace", "result", "reason"}),
		operationDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    OperationDurationSecondsName,
			Help:    "Time from the start of an operation to its terminal phase.",
			Buckets: durationBuckets(),
		}, []string{"namespace", "result"}),
		stepDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    StepDurationSecondsName,
			Help:    "Time from the start of a step (one phase and wave) to its end.",
			Buckets: durationBuckets(),
		}, []string{"phase", "wave"}),
		stepTransition: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: StepTransitionSecondsName,
			// The start is when the watch event that made the step's last
			// object healthy arrived in the controller's cache (noted by
			// the event handler, before the work queue), or, for a step
			// whose objects came back healthy from the write itself, when
			// that write returned; the end is the next step's first write.
			Help:    "Time from the watch event of the last object of a step turning healthy (its arrival in the cache) to the first write of the next step.",
			Buckets: transitionBuckets(),
		}),
		hookRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: HookRunsTotalName,
			Help: "Hooks that finished, by phase and result (Succeeded, Failed).",
		}, []string{"phase", "result"}),
		hookDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    HookDurationSecondsName,
			Help:    "Time from the creation of a hook to its result.",
			Buckets: durationBuckets(),
		}, []string{"phase", "result"}),
		apply: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: ApplyTotalName,
			Help: "Server-side applies of target objects, by API group, kind and result (success, error).",
		}, []string{"group", "kind", "result"}),
		healthChecks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: HealthChecksTotalName,
			Help: "Health assessments, by source (builtin, lua, generic) and resulting status.",
		}, []string{"source", "status"}),
		luaErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: LuaErrorsTotalName,
			Help: "Lua health scripts that failed to compile, run, or return a valid result.",
		}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: RetriesTotalName,
			Help: "Failed steps run again by spec.retry, by namespace.",
		}, []string{"namespace"}),
		prune: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: PruneTotalName,
			Help: "Objects of an application's inventory that prune or a Delete operation handled, by result (Pruned, PruneSkipped, Failed).",
		}, []string{"result"}),
		queue: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    OperationQueueSecondsName,
			Help:    "Time from the creation of an operation to its first step: waiting for another operation of its application.",
			Buckets: durationBuckets(),
		}, []string{"namespace"}),
	}
	reg.MustRegister(r.prune, r.queue,
		r.operations, r.operationDuration, newRunningCollector(running),
		r.stepDuration, r.stepTransition, r.hookRuns, r.hookDuration,
		r.apply, r.healthChecks, r.luaErrors, r.retries,
	)
	return r
}

// OperationFinished records an operation that reached a terminal phase:
// result is OperationSucceeded, OperationFailed or OperationTerminated,
// reason the status reason (empty on success), d the time since
// status.startedAt. Call it once per operation, when the terminal phase is
// persisted.
func (r *Recorder) OperationFinished(namespace, result, reason string, d time.Duration) {
	if r == nil {
		return
	}
	r.operations.WithLabelValues(namespace, result, reason).Inc()
	r.operationDuration.WithLabelValues(namespace, result).Observe(d.Seconds())
}

// StepFinished records the duration of a finished step, one phase and wave.
func (r *Recorder) StepFinished(phase string, wave int32, d time.Duration) {
	if r == nil {
		return
	}
	r.stepDuration.WithLabelValues(phase, strconv.FormatInt(int64(wave), 10)).Observe(d.Seconds())
}

// StepTransition records the engine's reaction time between two steps: from
// the moment the last object of a step was observed healthy to the first
// write of the next step.
func (r *Recorder) StepTransition(d time.Duration) {
	if r == nil {
		return
	}
	r.stepTransition.Observe(d.Seconds())
}

// HookFinished records a hook that reached a result (HookSucceeded or
// HookFailed) in a phase, d after it was created.
func (r *Recorder) HookFinished(phase, result string, d time.Duration) {
	if r == nil {
		return
	}
	r.hookRuns.WithLabelValues(phase, result).Inc()
	r.hookDuration.WithLabelValues(phase, result).Observe(d.Seconds())
}

// Apply records one apply of an object of group and kind with result
// ApplySuccess or ApplyError.
func (r *Recorder) Apply(group, kind, result string) {
	if r == nil {
		return
	}
	r.apply.WithLabelValues(group, kind, result).Inc()
}

// HealthCheck records one health assessment by source (SourceBuiltin,
// SourceLua, SourceGeneric) that returned status.
func (r *Recorder) HealthCheck(source, status string) {
	if r == nil {
		return
	}
	r.healthChecks.WithLabelValues(source, status).Inc()
}

// Retried records a failed step that spec.retry runs again.
func (r *Recorder) Retried(namespace string) {
	if r == nil {
		return
	}
	r.retries.WithLabelValues(namespace).Inc()
}

// LuaError records a Lua health script that failed.
func (r *Recorder) LuaError() {
	if r == nil {
		return
	}
	r.luaErrors.Inc()
}

// Prune records one object handled by a prune step, with result
// PrunePruned, PruneSkipped or PruneFailed.
func (r *Recorder) Prune(result string) {
	if r == nil {
		return
	}
	r.prune.WithLabelValues(result).Inc()
}

// Queued records how long an operation of namespace waited from its
// creation to its first step.
func (r *Recorder) Queued(namespace string, d time.Duration) {
	if r == nil {
		return
	}
	r.queue.WithLabelValues(namespace).Observe(d.Seconds())
}
