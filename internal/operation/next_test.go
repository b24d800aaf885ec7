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

package operation_test

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// running returns a status in step (phase, wave) of l, with every task of
// earlier steps done and the tasks of the step applied.
func running(l *operation.Layout, phase syncv1alpha1.SyncPhase, wave int32, stepStart time.Time) *syncv1alpha1.SyncOperationStatus {
	st := &syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationRunning}
	st.Resources = l.InitialResources(func(*plan.Task) string { return "hook" })
	start := metav1.NewTime(t0)
	st.StartedAt = &start
	ss := metav1.NewMicroTime(stepStart)
	st.Current = &syncv1alpha1.StepStatus{Phase: phase, Wave: wave, StartedAt: &ss}
	cur := l.StepIndex(phase, wave)
	_, end := l.Range(cur)
	for i := 0; i < end && i < len(l.Tasks)-len(l.Plan.Skipped); i++ {
		if i >= firstOnFail(l) && phase != syncv1alpha1.SyncPhaseSyncFail {
			break
		}
		r := &st.Resources[i]
		r.Status = syncv1alpha1.ResultSynced
		inStep := false
		if s, e := l.Range(cur); i >= s && i < e {
			inStep = true
		}
		if r.HookType != "" {
			r.HookPhase = syncv1alpha1.HookSucceeded
			if inStep {
				r.HookPhase = syncv1alpha1.HookRunning
			}
		} else if !inStep {
			r.Health = syncv1alpha1.HealthHealthy
		}
	}
	return st
}

func firstOnFail(l *operation.Layout) int {
	i := l.FirstOnFail()
	if i < 0 {
		return len(l.Tasks)
	}
	s, _ := l.Range(i)
	return s
}

// observeAll observes every task of the current step with the given result.
func observeAll(l *operation.Layout, st *syncv1alpha1.SyncOperationStatus, o operation.Observation) map[int]operation.Observation {
	cur := l.StepIndex(st.Current.Phase, st.Current.Wave)
	s, e := l.Range(cur)
	out := map[int]operation.Observation{}
	for i := s; i < e; i++ {
		out[i] = o
	}
	return out
}

var (
	healthy     = operation.Observation{Exists: true, Health: health.Result{Status: health.Healthy}, HookPhase: syncv1alpha1.HookSucceeded}
	progressing = operation.Observation{Exists: true, Health: health.Result{Status: health.Progressing, Message: "1 of 3 updated replicas are available"}, HookPhase: syncv1alpha1.HookRunning}
	degraded    = operation.Observation{Exists: true, Health: health.Result{Status: health.Degraded, Message: "crashing"}, HookPhase: syncv1alpha1.HookFailed, HookMessage: "BackoffLimitExceeded"}
)

// recheckIn is progressing with a result that changes by itself after d
// (a status grace that ends).
func recheckIn(d time.Duration) operation.Observation {
	o := progressing
	o.Health.Message, o.Health.RecheckAfter = "waiting for its controller to write status", d
	return o
}

func TestNext(t *testing.T) {
	l := buildLayout(t, guideYAML)
	type tc struct {
		name      string
		status    func() *syncv1alpha1.SyncOperationStatus
		obs       func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation
		timing    operation.Timing
		now       time.Time
		terminate bool
		action    operation.Action
		reason    string
		requeue   time.Duration
		msg       string
	}
	syncStart := t0.Add(10 * time.Second)
	cases := []tc{
		{name: "new operation starts", status: func() *syncv1alpha1.SyncOperationStatus { return &syncv1alpha1.SyncOperationStatus{} },
			action: operation.ActionStart},
		{name: "finished operation does nothing", status: func() *syncv1alpha1.SyncOperationStatus {
			return &syncv1alpha1.SyncOperationStatus{Phase: syncv1alpha1.OperationSucceeded}
		}, action: operation.ActionNone},
		{name: "terminate wins", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhaseSync, 0, syncStart)
		}, terminate: true, action: operation.ActionTerminate, reason: syncv1alpha1.ReasonTerminated},
		{name: "pending tasks are applied", status: func() *syncv1alpha1.SyncOperationStatus {
			st := running(l, syncv1alpha1.SyncPhaseSync, 0, syncStart)
			s, _ := l.Range(l.StepIndex(syncv1alpha1.SyncPhaseSync, 0))
			st.Resources[s].Status = syncv1alpha1.ResultPending
			return st
		}, action: operation.ActionApply},
		{name: "progressing object waits", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhaseSync, 0, syncStart)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, progressing)
		},
			action: operation.ActionWait, reason: syncv1alpha1.ReasonWaitingForHealth, msg: "apps/Deployment prod/api: 1 of 3"},
		{name: "missing object waits", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhaseSync, 0, syncStart)
		}, obs: func(*syncv1alpha1.SyncOperationStatus) map[int]operation.Observation { return nil },
			action: operation.ActionWait, msg: "object not found"},
		{name: "stale generation waits", status: func() *syncv1alpha1.SyncOperationStatus {
			st := running(l, syncv1alpha1.SyncPhaseSync, 0, syncStart)
			s, _ := l.Range(l.StepIndex(syncv1alpha1.SyncPhaseSync, 0))
			st.Resources[s].Generation = 2
			return st
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			o := healthy
			o.Generation = 1
			return observeAll(l, st, o)
		}, action: operation.ActionWait, msg: "waiting to observe generation 2"},
		{name: "running hook waits", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhasePreSync, -2, t0)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, progressing)
		},
			now: t0.Add(time.Second), action: operation.ActionWait, reason: syncv1alpha1.ReasonRunningHooks},
		{name: "a hook not seen yet waits", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhasePreSync, -2, t0)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, operation.Observation{})
		},
			now: t0.Add(time.Second), action: operation.ActionWait, reason: syncv1alpha1.ReasonRunningHooks, msg: "hook object not found yet"},
		{name: "a hook seen running and then gone fails", status: func() *syncv1alpha1.SyncOperationStatus {
			st := running(l, syncv1alpha1.SyncPhasePreSync, -2, t0)
			s, _ := l.Range(l.StepIndex(syncv1alpha1.SyncPhasePreSync, -2))
			st.Resources[s].Health = syncv1alpha1.HealthProgressing
			return st
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, operation.Observation{})
		},
			now: t0.Add(time.Second), action: operation.ActionEnterSyncFail, reason: syncv1alpha1.ReasonHookFailed,
			msg: "was deleted before it finished (its syncwave.dev/hook finalizer was removed by someone else)"},
		{name: "a hook never seen that the API server does not have fails", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhasePreSync, -2, t0) // deleted before the informer of Jobs synced
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, operation.Observation{Absent: true})
		},
			now: t0.Add(time.Second), action: operation.ActionEnterSyncFail, reason: syncv1alpha1.ReasonHookFailed,
			msg: "was deleted before it finished (its syncwave.dev/hook finalizer was removed by someone else)"},
		{name: "a hook seen running and not observed now waits", status: func() *syncv1alpha1.SyncOperationStatus {
			st := running(l, syncv1alpha1.SyncPhasePreSync, -2, t0)
			s, _ := l.Range(l.StepIndex(syncv1alpha1.SyncPhasePreSync, -2))
			st.Resources[s].Health = syncv1alpha1.HealthProgressing
			return st
		}, obs: func(*syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return map[int]operation.Observation{}
		},
			now: t0.Add(time.Second), action: operation.ActionWait, reason: syncv1alpha1.ReasonRunningHooks},
		{name: "healthy step advances", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhaseSync, -20, syncStart)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, healthy)
		},
			action: operation.ActionAdvance},
		{name: "succeeded hook advances", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhasePreSync, -2, t0)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, healthy)
		},
			action: operation.ActionAdvance},
		{name: "last step succeeds", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhasePostSync, 0, syncStart)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, healthy)
		},
			action: operation.ActionSucceed},
		{name: "failed hook enters SyncFail", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhasePostSync, 0, syncStart)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, degraded)
		},
			action: operation.ActionEnterSyncFail, reason: syncv1alpha1.ReasonHookFailed, msg: "BackoffLimitExceeded"},
		{name: "rejected apply enters SyncFail", status: func() *syncv1alpha1.SyncOperationStatus {
			st := running(l, syncv1alpha1.SyncPhaseSync, 0, syncStart)
			s, _ := l.Range(l.StepIndex(syncv1alpha1.SyncPhaseSync, 0))
			st.Resources[s].Status, st.Resources[s].Message = syncv1alpha1.ResultSyncFailed, "spec.replicas: Invalid value"
			return st
		}, action: operation.ActionEnterSyncFail, reason: syncv1alpha1.ReasonApplyFailed, msg: "spec.replicas"},
		{name: "degraded within grace waits until the grace ends", status: func() *syncv1alpha1.SyncOperationStatus {
			st := running(l, syncv1alpha1.SyncPhaseSync, 0, syncStart)
			s, _ := l.Range(l.StepIndex(syncv1alpha1.SyncPhaseSync, 0))
			since := metav1.NewTime(syncStart)
			st.Resources[s].Health, st.Resources[s].HealthSince = syncv1alpha1.HealthDegraded, &since
			return st
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, degraded)
		},
			timing: operation.Timing{DegradedGracePeriod: time.Minute}, now: syncStart.Add(20 * time.Second),
			action: operation.ActionWait, requeue: 40 * time.Second},
		{name: "degraded past grace fails", status: func() *syncv1alpha1.SyncOperationStatus {
			st := running(l, syncv1alpha1.SyncPhaseSync, 0, syncStart)
			s, _ := l.Range(l.StepIndex(syncv1alpha1.SyncPhaseSync, 0))
			since := metav1.NewTime(syncStart)
			st.Resources[s].Health, st.Resources[s].HealthSince = syncv1alpha1.HealthDegraded, &since
			return st
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, degraded)
		},
			timing: operation.Timing{DegradedGracePeriod: time.Minute}, now: syncStart.Add(61 * time.Second),
			action: operation.ActionEnterSyncFail, reason: syncv1alpha1.ReasonHealthDegraded, msg: "crashing"},
		{name: "degraded with no grace fails at once", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhaseSync, 0, syncStart)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, degraded)
		},
			action: operation.ActionEnterSyncFail, reason: syncv1alpha1.ReasonHealthDegraded},
		{name: "wave timeout fails and says what blocked", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhaseSync, 0, syncStart)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, progressing)
		},
			timing: operation.Timing{WaveTimeout: 5 * time.Second}, now: syncStart.Add(5 * time.Second),
			action: operation.ActionEnterSyncFail, reason: syncv1alpha1.ReasonTimeout, msg: "step Sync/0 exceeded its timeout of 5s; waiting for healthy state of apps/Deployment prod/api"},
		{name: "wave timeout requeues at the deadline", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhaseSync, 0, syncStart)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, progressing)
		},
			timing: operation.Timing{WaveTimeout: 5 * time.Second, Timeout: time.Hour}, now: syncStart.Add(2 * time.Second),
			action: operation.ActionWait, requeue: 3 * time.Second},
		{name: "a result that changes by itself requeues then", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhaseSync, 0, syncStart)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, recheckIn(4*time.Second))
		},
			action: operation.ActionWait, reason: syncv1alpha1.ReasonWaitingForHealth, requeue: 4 * time.Second},
		{name: "a hook whose result changes by itself requeues then", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhasePostSync, 0, syncStart)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, recheckIn(10*time.Second))
		},
			timing: operation.Timing{Timeout: time.Hour}, now: syncStart.Add(time.Second),
			action: operation.ActionWait, requeue: 10 * time.Second},
		{name: "a recheck nearer than the wave timeout requeues first", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhaseSync, 0, syncStart)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, recheckIn(time.Second))
		},
			timing: operation.Timing{WaveTimeout: 5 * time.Second, Timeout: time.Hour}, now: syncStart.Add(2 * time.Second),
			action: operation.ActionWait, requeue: time.Second},
		{name: "a wave timeout nearer than the recheck requeues first", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhaseSync, 0, syncStart)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, recheckIn(10*time.Second))
		},
			timing: operation.Timing{WaveTimeout: 5 * time.Second, Timeout: time.Hour}, now: syncStart.Add(2 * time.Second),
			action: operation.ActionWait, requeue: 3 * time.Second},
		{name: "operation timeout fails", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhaseSync, 0, syncStart)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, progressing)
		},
			timing: operation.Timing{Timeout: time.Minute}, now: t0.Add(time.Minute),
			action: operation.ActionEnterSyncFail, reason: syncv1alpha1.ReasonTimeout, msg: "operation exceeded its timeout of 1m0s"},
		{name: "SyncFail step done ends Failed", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhaseSyncFail, 0, syncStart)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, healthy)
		},
			action: operation.ActionFail},
		{name: "failing SyncFail hook still ends Failed", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhaseSyncFail, 0, syncStart)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, degraded)
		},
			action: operation.ActionFail, reason: syncv1alpha1.ReasonHookFailed},
		{name: "SyncFail step is bounded by the operation timeout", status: func() *syncv1alpha1.SyncOperationStatus {
			return running(l, syncv1alpha1.SyncPhaseSyncFail, 0, syncStart)
		}, obs: func(st *syncv1alpha1.SyncOperationStatus) map[int]operation.Observation {
			return observeAll(l, st, progressing)
		},
			timing: operation.Timing{Timeout: time.Minute}, now: syncStart.Add(time.Minute),
			action: operation.ActionFail, reason: syncv1alpha1.ReasonTimeout},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewWithT(t)
			st := c.status()
			in := operation.Input{Layout: l, Status: st, Timing: c.timing, Terminate: c.terminate, Now: c.now}
			if in.Now.IsZero() {
				in.Now = syncStart.Add(time.Second)
			}
			if c.obs != nil {
				in.Observed = c.obs(st)
			}
			d := operation.Next(in)
			g.Expect(d.Action).To(Equal(c.action), "message: %s", d.Message)
			if c.reason != "" {
				g.Expect(d.Reason).To(Equal(c.reason))
			}
			if c.msg != "" {
				g.Expect(d.Message).To(ContainSubstring(c.msg))
			}
			if c.requeue != 0 {
				g.Expect(d.RequeueAfter).To(Equal(c.requeue))
			}
		})
	}
}

func TestNextWithoutSyncFailHooks(t *testing.T) {
	g := NewWithT(t)
	l := buildLayout(t, `
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
`)
	st := running(l, syncv1alpha1.SyncPhaseSync, 0, t0)
	d := operation.Next(operation.Input{Layout: l, Status: st, Now: t0,
		Observed: observeAll(l, st, degraded)})
	g.Expect(d.Action).To(Equal(operation.ActionEnterSyncFail))
	g.Expect(d.Next).To(Equal(-1))
}
