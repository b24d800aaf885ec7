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

package controller_test

import (
	"context"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// phases records, from a watch of its own, when each SyncOperation of a
// namespace was first seen in each phase.
type phases struct {
	mu   sync.Mutex
	seen map[string]map[syncv1alpha1.OperationPhase]time.Time
}

func watchPhases(t *testing.T, ns string) *phases {
	t.Helper()
	wcl, err := client.NewWithWatch(env.Config, client.Options{Scheme: k8s.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w, err := wcl.Watch(ctx, &syncv1alpha1.SyncOperationList{}, client.InNamespace(ns))
	if err != nil {
		t.Fatal(err)
	}
	p := &phases{seen: map[string]map[syncv1alpha1.OperationPhase]time.Time{}}
	go func() {
		for ev := range w.ResultChan() {
			at := time.Now()
			op, ok := ev.Object.(*syncv1alpha1.SyncOperation)
			if !ok {
				continue
			}
			p.mu.Lock()
			if p.seen[op.Name] == nil {
				p.seen[op.Name] = map[syncv1alpha1.OperationPhase]time.Time{}
			}
			if _, ok := p.seen[op.Name][op.Status.Phase]; !ok {
				p.seen[op.Name][op.Status.Phase] = at
			}
			p.mu.Unlock()
		}
	}()
	return p
}

// started is when op was first seen past Pending.
func (p *phases) started(name string) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	var first time.Time
	for ph, at := range p.seen[name] {
		if ph != "" && ph != syncv1alpha1.OperationPending && (first.IsZero() || at.Before(first)) {
			first = at
		}
	}
	return first
}

func (p *phases) at(name string, ph syncv1alpha1.OperationPhase) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[name][ph]
}

func appOp(t *testing.T, ns, name, app string, deps []syncv1alpha1.ApplicationDependency, manifests []string) *syncv1alpha1.SyncOperation {
	t.Helper()
	return &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: syncv1alpha1.SyncOperationSpec{Application: app, DependsOn: deps, Manifests: objects(t, manifests...)}}
}

func get(t *testing.T, op *syncv1alpha1.SyncOperation) *syncv1alpha1.SyncOperation {
	t.Helper()
	got := &syncv1alpha1.SyncOperation{}
	NewWithT(t).Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(op), got)).To(Succeed())
	return got
}

func TestDependsOnStartsWhenTheDependencySucceeds(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := namespace(t)
	p := watchPhases(t, ns)
	api := appOp(t, ns, "api-1", "api", []syncv1alpha1.ApplicationDependency{{Application: "database",
		ReadyExpr: "dep.status.phase == 'Succeeded' && self.spec.application == 'api'"}},
		[]string{"{apiVersion: v1, kind: ConfigMap, metadata: {name: api}}"})
	g.Expect(k8s.Create(ctx, api)).To(Succeed())
	g.Eventually(func() string { return get(t, api).Status.Message }, 10*time.Second, 20*time.Millisecond).
		Should(ContainSubstring("waiting for dependencies: application database in namespace " + ns + " has no SyncOperation"))
	got := get(t, api)
	g.Expect(got.Status.Phase).To(Equal(syncv1alpha1.OperationPending))
	g.Expect(got.Status.BlockedBy).To(HaveLen(1))
	g.Expect(got.Status.BlockedBy[0].Kind).To(Equal("SyncOperation"))
	g.Expect(got.Status.BlockedBy[0].Health).To(Equal(syncv1alpha1.HealthMissing), "no SyncOperation of database exists")
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "api")).To(BeFalse(), "nothing applied while waiting")

	db := appOp(t, ns, "database-1", "database", nil, []string{"{apiVersion: v1, kind: ConfigMap, metadata: {name: database}}"})
	g.Expect(k8s.Create(ctx, db)).To(Succeed())
	g.Eventually(func() bool { return get(t, api).Status.Phase == syncv1alpha1.OperationSucceeded }, 30*time.Second, 20*time.Millisecond).
		Should(BeTrue(), "api succeeds after database")
	g.Eventually(func() bool {
		return !p.started("api-1").IsZero() && !p.at("database-1", syncv1alpha1.OperationSucceeded).IsZero()
	}, 5*time.Second).Should(BeTrue())
	gap := p.started("api-1").Sub(p.at("database-1", syncv1alpha1.OperationSucceeded))
	t.Logf("api started %v after database's operation was seen Succeeded", gap)
	g.Expect(gap).To(BeNumerically(">=", 0))
	// Watch-driven: milliseconds (logged); no timed target is asserted
	// here, a requeue interval would take seconds.
	g.Expect(gap).To(BeNumerically("<", time.Second))
	g.Expect(get(t, api).Status.BlockedBy).To(BeEmpty())
}

func TestDependsOnAFailedDependencyWaitsUntilTheTimeout(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := namespace(t)
	// The API server refuses a ConfigMap whose data is not a string.
	db := appOp(t, ns, "database-1", "database", nil, []string{"{apiVersion: v1, kind: ConfigMap, metadata: {name: database}, data: {k: {not: text}}}"})
	g.Expect(k8s.Create(ctx, db)).To(Succeed())
	g.Eventually(func() syncv1alpha1.OperationPhase { return get(t, db).Status.Phase }, 30*time.Second, 20*time.Millisecond).
		Should(Equal(syncv1alpha1.OperationFailed))
	// A dry run of the fix, newer and Succeeded, is a preview: the
	// application is still what database-1 left.
	preview := appOp(t, ns, "database-2-preview", "database", nil, []string{"{apiVersion: v1, kind: ConfigMap, metadata: {name: database}}"})
	preview.Spec.DryRun = true
	g.Expect(k8s.Create(ctx, preview)).To(Succeed())
	g.Eventually(func() syncv1alpha1.OperationPhase { return get(t, preview).Status.Phase }, 30*time.Second, 20*time.Millisecond).
		Should(Equal(syncv1alpha1.OperationSucceeded))

	api := appOp(t, ns, "api-1", "api", []syncv1alpha1.ApplicationDependency{{Application: "database"}},
		[]string{"{apiVersion: v1, kind: ConfigMap, metadata: {name: api}}"})
	api.Spec.Timeout = &metav1.Duration{Duration: 3 * time.Second}
	g.Expect(k8s.Create(ctx, api)).To(Succeed())
	created := time.Now()
	g.Eventually(func() string { return get(t, api).Status.Message }, 10*time.Second, 20*time.Millisecond).
		Should(ContainSubstring("the latest SyncOperation " + ns + "/database-1 of application database Failed (ApplyFailed"))
	g.Consistently(func() syncv1alpha1.OperationPhase { return get(t, api).Status.Phase }, 1500*time.Millisecond, 100*time.Millisecond).
		Should(Equal(syncv1alpha1.OperationPending))
	g.Eventually(func() syncv1alpha1.OperationPhase { return get(t, api).Status.Phase }, 10*time.Second, 20*time.Millisecond).
		Should(Equal(syncv1alpha1.OperationFailed))
	got := get(t, api)
	g.Expect(got.Status.Reason).To(Equal(syncv1alpha1.ReasonTimeout))
	g.Expect(got.Status.Message).To(ContainSubstring("never started: dependencies not ready within the operation's timeout of 3s"))
	g.Expect(time.Since(created)).To(BeNumerically(">=", 2*time.Second))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "api")).To(BeFalse())
}

func TestDependsOnRefusesCyclesAndBadExpressions(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := namespace(t)
	cm := []string{"{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}"}
	a := appOp(t, ns, "a-1", "a", []syncv1alpha1.ApplicationDependency{{Application: "b"}}, cm)
	g.Expect(k8s.Create(ctx, a)).To(Succeed())
	g.Eventually(func() string { return get(t, a).Status.Message }, 10*time.Second, 20*time.Millisecond).
		Should(ContainSubstring("application b in namespace " + ns + " has no SyncOperation"))
	b := appOp(t, ns, "b-1", "b", []syncv1alpha1.ApplicationDependency{{Application: "a"}}, cm)
	g.Expect(k8s.Create(ctx, b)).To(Succeed())
	for _, op := range []*syncv1alpha1.SyncOperation{b, a} {
		g.Eventually(func() syncv1alpha1.OperationPhase { return get(t, op).Status.Phase }, 10*time.Second, 20*time.Millisecond).
			Should(Equal(syncv1alpha1.OperationFailed), "%s is refused", op.Name)
		got := get(t, op)
		g.Expect(got.Status.Reason).To(Equal(syncv1alpha1.ReasonInvalidDependencies))
		g.Expect(got.Status.Message).To(ContainSubstring("spec.dependsOn forms a cycle: "))
		g.Expect(got.Status.Message).To(SatisfyAny(
			ContainSubstring(ns+"/a -> "+ns+"/b -> "+ns+"/a"), ContainSubstring(ns+"/b -> "+ns+"/a -> "+ns+"/b")))
	}
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "x")).To(BeFalse())

	bad := appOp(t, ns, "c-1", "c", []syncv1alpha1.ApplicationDependency{{Application: "z", ReadyExpr: "dep.status.phase =="}}, cm)
	g.Expect(k8s.Create(ctx, bad)).To(Succeed())
	g.Eventually(func() syncv1alpha1.OperationPhase { return get(t, bad).Status.Phase }, 10*time.Second, 20*time.Millisecond).
		Should(Equal(syncv1alpha1.OperationFailed))
	got := get(t, bad)
	g.Expect(got.Status.Reason).To(Equal(syncv1alpha1.ReasonInvalidDependencies))
	g.Expect(got.Status.Message).To(ContainSubstring(`spec.dependsOn[0].readyExpr: `))
	g.Expect(got.Status.Message).To(ContainSubstring(`"dep.status.phase =="`))
}

func TestDependsOnIsValidatedAndImmutable(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := namespace(t)
	cm := []string{"{apiVersion: v1, kind: ConfigMap, metadata: {name: y}}"}
	bad := appOp(t, ns, "bad", "", []syncv1alpha1.ApplicationDependency{{Application: ""}}, cm)
	err := k8s.Create(ctx, bad)
	g.Expect(err).To(HaveOccurred())
	g.Expect(err.Error()).To(ContainSubstring("spec.dependsOn[0].application"))

	op := appOp(t, ns, "op", "", []syncv1alpha1.ApplicationDependency{{Application: "nowhere"}}, cm)
	g.Expect(k8s.Create(ctx, op)).To(Succeed())
	g.Eventually(func() string { return get(t, op).Status.Message }, 10*time.Second, 20*time.Millisecond).
		Should(ContainSubstring("application nowhere in namespace " + ns + " has no SyncOperation"))
	got := get(t, op)
	got.Spec.DependsOn = nil
	err = k8s.Update(ctx, got)
	g.Expect(err).To(HaveOccurred())
	g.Expect(err.Error()).To(ContainSubstring("spec is immutable except terminate"))
	got = get(t, op)
	got.Spec.DependsOn[0].Application = "elsewhere"
	err = k8s.Update(ctx, got)
	g.Expect(err).To(HaveOccurred())
	g.Expect(err.Error()).To(ContainSubstring("dependsOn is immutable"))
	// spec.terminate still ends a waiting operation.
	got = get(t, op)
	got.Spec.Terminate = true
	g.Expect(k8s.Update(ctx, got)).To(Succeed())
	g.Eventually(func() string { return get(t, op).Status.Reason }, 10*time.Second, 20*time.Millisecond).Should(Equal(syncv1alpha1.ReasonTerminated))
}

// A dependency whose latest operation tore it down is not ready: the
// dependent waits until a new Sync of it succeeds.
func TestDependsOnATornDownApplicationWaits(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := namespace(t)
	finish := func(op *syncv1alpha1.SyncOperation) {
		t.Helper()
		g.Expect(k8s.Create(ctx, op)).To(Succeed())
		g.Eventually(func() syncv1alpha1.OperationPhase { return get(t, op).Status.Phase }, 30*time.Second, 20*time.Millisecond).
			Should(Equal(syncv1alpha1.OperationSucceeded), "%s", op.Name)
	}
	dbManifests := []string{"{apiVersion: v1, kind: ConfigMap, metadata: {name: database}}"}
	finish(appOp(t, ns, "database-1", "database", nil, dbManifests))
	teardown := appOp(t, ns, "database-2", "database", nil, nil)
	teardown.Spec.Action = syncv1alpha1.ActionDelete
	finish(teardown)
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "database")).To(BeFalse(), "the teardown deleted it")

	api := appOp(t, ns, "api-1", "api", []syncv1alpha1.ApplicationDependency{{Application: "database"}},
		[]string{"{apiVersion: v1, kind: ConfigMap, metadata: {name: api}}"})
	g.Expect(k8s.Create(ctx, api)).To(Succeed())
	g.Eventually(func() string { return get(t, api).Status.Message }, 10*time.Second, 20*time.Millisecond).
		Should(ContainSubstring("waiting for dependencies: application database was torn down by SyncOperation " + ns + "/database-2 (action Delete); a new Sync of it must succeed"))
	g.Consistently(func() syncv1alpha1.OperationPhase { return get(t, api).Status.Phase }, time.Second, 100*time.Millisecond).
		Should(Equal(syncv1alpha1.OperationPending))
	g.Expect(exists(t, &corev1.ConfigMap{}, ns, "api")).To(BeFalse(), "nothing applied while the dependency is torn down")

	finish(appOp(t, ns, "database-3", "database", nil, dbManifests))
	g.Eventually(func() syncv1alpha1.OperationPhase { return get(t, api).Status.Phase }, 30*time.Second, 20*time.Millisecond).
		Should(Equal(syncv1alpha1.OperationSucceeded), "api starts once database is synced again")
}
