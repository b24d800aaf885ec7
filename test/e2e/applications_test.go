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

package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/test/cluster"
)

// TestApplications runs SPEC §13 on one simulated cluster (real
// kube-controller-manager, so foreground deletions finish): prune, the
// queue, teardown, history, and a controller killed mid-prune and
// mid-teardown.
func TestApplications(t *testing.T) {
	e := newEnv(t)
	ctrl := e.startController(t, "--history-limit=10")
	t.Run("1 prune", func(t *testing.T) { prune(t, e, ctrl) })
	t.Run("2 one at a time", func(t *testing.T) { oneAtATime(t, e) })
	t.Run("3 teardown", func(t *testing.T) { teardown(t, e) })
	t.Run("4 history", func(t *testing.T) { history(t, e) })
	ctrl.kill()
	t.Run("5 killed mid-prune and mid-teardown", func(t *testing.T) { killed(t, e) })
}

func phase(e *env, op *syncv1alpha1.SyncOperation) *syncv1alpha1.SyncOperation {
	got := &syncv1alpha1.SyncOperation{}
	_ = e.cl.Get(context.Background(), client.ObjectKeyFromObject(op), got)
	return got
}

func prune(t *testing.T, e *env, ctrl *controllerProc) {
	t.Helper()
	g := NewWithT(t)
	ns := e.c.NamespaceT(t, "prune-")
	j := e.journal(t, ns)
	v1 := e.waitDone(t, e.createNamed(t, ns, "v1", syncv1alpha1.SyncOperationSpec{Application: "shop", Manifests: []runtimeRaw{
		hookJob(t, "migrate", "PreSync", "", ""),
		configMap(t, "settings", "0"), configMap(t, "legacy", "0"), configMap(t, "protected", "0"),
		deployment(t, "api", "1"), service(t, "api", "2"),
	}}), 60*time.Second)
	g.Expect(v1.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v1.Status.Message)
	live := &corev1.ConfigMap{}
	g.Expect(e.cl.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "protected"}, live)).To(Succeed())
	g.Expect(live.Labels).To(HaveKeyWithValue(syncv1alpha1.LabelApplication, "shop"))
	patch := client.MergeFrom(live.DeepCopy())
	live.Annotations[syncv1alpha1.AnnotationSyncOptions] = "Prune=false"
	g.Expect(e.cl.Patch(context.Background(), live, patch)).To(Succeed())

	v2 := e.waitDone(t, e.createNamed(t, ns, "v2", syncv1alpha1.SyncOperationSpec{Application: "shop", Prune: true, Manifests: []runtimeRaw{
		hookJob(t, "migrate", "PreSync", "", ""), configMap(t, "settings", "0"), deployment(t, "api", "1"),
		hookJob(t, "smoke", "PostSync", "", ""),
	}}), 60*time.Second)
	g.Expect(v2.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v2.Status.Message)

	g.Expect(e.exists(ns, "Service", "v1", "api")).To(BeFalse(), "the Service left the manifests")
	g.Expect(e.exists(ns, "ConfigMap", "v1", "legacy")).To(BeFalse(), "the ConfigMap left the manifests")
	g.Expect(e.exists(ns, "ConfigMap", "v1", "protected")).To(BeTrue(), "Prune=false on the live object")
	g.Expect(e.exists(ns, "ConfigMap", "v1", "settings")).To(BeTrue())
	g.Expect(e.exists(ns, "Deployment", "apps/v1", "api")).To(BeTrue())

	lastSync := j.firstWrite("Deployment", "api", ref(ns, "v2"))
	svcStart, svcGone := j.deletionStarted("Service", "api"), j.deleted("Service", "api")
	cmStart := j.deletionStarted("ConfigMap", "legacy")
	smoke := j.firstWrite("Job", "smoke", ref(ns, "v2"))
	t.Logf("rv: v2 writes the Deployment %d; Service deletion %d..%d; legacy ConfigMap deletion %d; PostSync hook %d", lastSync, svcStart, svcGone, cmStart, smoke)
	g.Expect(lastSync).NotTo(BeZero())
	g.Expect(svcStart).To(BeNumerically(">", lastSync), "prune runs after the last Sync step")
	g.Expect(cmStart).To(BeNumerically(">", svcGone), "highest wave first, each wave waited for until gone")
	g.Expect(smoke).To(BeNumerically(">", j.deleted("ConfigMap", "legacy")), "PostSync after the prune")

	rs := map[string]syncv1alpha1.ResourceStatus{}
	for _, r := range v2.Status.Resources {
		rs[r.Kind+"/"+r.Name+"/"+string(r.SyncPhase)] = r
	}
	g.Expect(rs["Service/api/Prune"].Status).To(Equal(syncv1alpha1.ResultPruned))
	g.Expect(rs["ConfigMap/legacy/Prune"].Status).To(Equal(syncv1alpha1.ResultPruned))
	g.Expect(rs["ConfigMap/protected/Prune"].Status).To(Equal(syncv1alpha1.ResultPruneSkipped))
	g.Expect(rs["ConfigMap/protected/Prune"].Message).To(ContainSubstring("Prune=false"))
	m := ctrl.scrape(t)
	g.Expect(m).To(ContainSubstring(`syncwave_prune_total{result="Pruned"} 2`))
	g.Expect(m).To(ContainSubstring(`syncwave_prune_total{result="PruneSkipped"} 1`))
	// Events are sent asynchronously: wait for them rather than read once.
	var pruned []string
	g.Eventually(func() []string {
		events := &corev1.EventList{}
		g.Expect(e.cl.List(context.Background(), events, client.InNamespace(ns))).To(Succeed())
		pruned = nil
		for _, ev := range events.Items {
			if ev.Reason == "Pruned" && ev.InvolvedObject.Name == "v2" {
				pruned = append(pruned, ev.Message)
			}
		}
		return pruned
	}, 5*time.Second, 50*time.Millisecond).Should(HaveLen(2), "one Pruned event per prune step: Prune/2 and Prune/0")
	t.Logf("%s\n%s", grepLines(m, "syncwave_prune_total", "syncwave_operation_queue_seconds_count"), pruned)
}

// span is when an operation ran, from an independent watch.
type span struct{ start, end int64 }

func oneAtATime(t *testing.T, e *env) {
	t.Helper()
	g := NewWithT(t)
	ns := e.c.NamespaceT(t, "queue-")
	j := e.journal(t, ns)
	spec := func() syncv1alpha1.SyncOperationSpec {
		return syncv1alpha1.SyncOperationSpec{Application: "shop", Manifests: []runtimeRaw{
			configMap(t, "config", "0"), hookJob(t, "work", "Sync", "700ms", ""), configMap(t, "after", "1")}}
	}
	var ops []*syncv1alpha1.SyncOperation
	for _, name := range []string{"burst-1", "burst-2", "burst-3"} {
		ops = append(ops, e.createNamed(t, ns, name, spec()))
	}
	for _, op := range ops {
		op = e.waitDone(t, op, 60*time.Second)
		g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	}
	// The journal's watch may deliver the last terminal event a moment
	// after the read above saw it.
	g.Eventually(func() int {
		done := map[string]bool{}
		for _, ev := range j.all() {
			if ev.kind == "SyncOperation" && ev.phase == "Succeeded" {
				done[ev.name] = true
			}
		}
		return len(done)
	}, 10*time.Second, 20*time.Millisecond).Should(Equal(len(ops)))
	// The writes of the controller: an object created, or one whose
	// syncwave.dev/operation annotation changes (an apply by another
	// operation); status updates by kube-controller-manager keep it.
	spans := map[string]*span{}
	writes := map[string]*span{}
	last := map[string]string{}
	var writers []string
	for _, ev := range j.all() {
		if ev.kind == "SyncOperation" {
			s := spans[ev.name]
			if s == nil {
				s = &span{}
				spans[ev.name] = s
			}
			if ev.phase == "Running" && s.start == 0 {
				s.start = ev.rv
			}
			if (ev.phase == "Succeeded" || ev.phase == "Failed") && s.end == 0 {
				s.end = ev.rv
			}
			continue
		}
		key := ev.kind + "/" + ev.name
		if ev.typ == watch.Deleted || ev.by == "" || (ev.typ != watch.Added && last[key] == ev.by) {
			last[key] = ev.by
			continue
		}
		last[key] = ev.by
		w := writes[ev.by]
		if w == nil {
			w = &span{start: ev.rv}
			writes[ev.by] = w
		}
		w.end = ev.rv
		if len(writers) == 0 || writers[len(writers)-1] != ev.by {
			writers = append(writers, ev.by)
		}
	}
	names := []string{"burst-1", "burst-2", "burst-3"}
	for i, n := range names {
		t.Logf("%s: Running..terminal rv %v, its writes rv %v", n, *spans[n], *writes[ref(ns, n)])
		if i > 0 {
			g.Expect(writes[ref(ns, n)].start).To(BeNumerically(">", spans[names[i-1]].end), "%s writes only after %s ended", n, names[i-1])
			g.Expect(spans[n].start).To(BeNumerically(">", spans[names[i-1]].end))
		}
		g.Expect(writes[ref(ns, n)].end).To(BeNumerically("<", spans[n].end), "%s writes before it ends", n)
	}
	g.Expect(writers).To(Equal([]string{ref(ns, "burst-1"), ref(ns, "burst-2"), ref(ns, "burst-3")}), "the objects' writes never interleave, in creation order")

	long := e.createNamed(t, ns, "long", syncv1alpha1.SyncOperationSpec{Application: "shop", Manifests: []runtimeRaw{hookJob(t, "work", "Sync", "60s", "")}})
	g.Eventually(func() syncv1alpha1.OperationPhase { return phase(e, long).Status.Phase }, 20*time.Second, 50*time.Millisecond).Should(Equal(syncv1alpha1.OperationRunning))
	forbid := e.waitDone(t, e.createNamed(t, ns, "forbidden", syncv1alpha1.SyncOperationSpec{Application: "shop", ConcurrencyPolicy: syncv1alpha1.ConcurrencyForbid,
		Manifests: []runtimeRaw{configMap(t, "never", "0")}}), 20*time.Second)
	g.Expect(forbid.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(forbid.Status.Reason).To(Equal(syncv1alpha1.ReasonConflict))
	g.Expect(forbid.Status.Message).To(ContainSubstring("long"))
	replace := e.waitDone(t, e.createNamed(t, ns, "replace", syncv1alpha1.SyncOperationSpec{Application: "shop", ConcurrencyPolicy: syncv1alpha1.ConcurrencyReplace,
		Manifests: []runtimeRaw{configMap(t, "config", "0")}}), 30*time.Second)
	g.Expect(replace.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), replace.Status.Message)
	long = phase(e, long)
	g.Expect(long.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(long.Status.Reason).To(Equal(syncv1alpha1.ReasonTerminated))
	g.Expect(e.exists(ns, "ConfigMap", "v1", "never")).To(BeFalse())
}

func teardown(t *testing.T, e *env) {
	t.Helper()
	g := NewWithT(t)
	ns := e.c.NamespaceT(t, "teardown-")
	j := e.journal(t, ns)
	v1 := e.waitDone(t, e.createNamed(t, ns, "v1", syncv1alpha1.SyncOperationSpec{Application: "shop", Manifests: []runtimeRaw{
		configMap(t, "settings", "0"), deployment(t, "api", "1")}}), 60*time.Second)
	g.Expect(v1.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v1.Status.Message)

	failing := e.waitDone(t, e.createNamed(t, ns, "down-fails", syncv1alpha1.SyncOperationSpec{Application: "shop", Action: syncv1alpha1.ActionDelete,
		Manifests: []runtimeRaw{hookJob(t, "pre-fail", "PreDelete", "", cluster.FateFail)}}), 60*time.Second)
	g.Expect(failing.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(failing.Status.Reason).To(Equal(syncv1alpha1.ReasonHookFailed))
	g.Expect(e.exists(ns, "ConfigMap", "v1", "settings")).To(BeTrue(), "a failed PreDelete hook deletes nothing")
	g.Expect(e.exists(ns, "Deployment", "apps/v1", "api")).To(BeTrue())
	g.Expect(j.deletionStarted("ConfigMap", "settings")).To(BeZero())

	down := e.waitDone(t, e.createNamed(t, ns, "down", syncv1alpha1.SyncOperationSpec{Application: "shop", Action: syncv1alpha1.ActionDelete,
		Manifests: []runtimeRaw{hookJob(t, "before", "PreDelete", "300ms", ""), hookJob(t, "after", "PostDelete", "", "")}}), 60*time.Second)
	g.Expect(down.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), down.Status.Message)
	g.Expect(e.exists(ns, "ConfigMap", "v1", "settings")).To(BeFalse())
	g.Expect(e.exists(ns, "Deployment", "apps/v1", "api")).To(BeFalse())
	pre, post := j.firstWrite("Job", "before", ref(ns, "down")), j.firstWrite("Job", "after", ref(ns, "down"))
	depStart, depGone := j.deletionStarted("Deployment", "api"), j.deleted("Deployment", "api")
	cmStart, cmGone := j.deletionStarted("ConfigMap", "settings"), j.deleted("ConfigMap", "settings")
	t.Logf("rv: PreDelete hook %d; Deployment deleted %d..%d; ConfigMap deleted %d..%d; PostDelete hook %d", pre, depStart, depGone, cmStart, cmGone, post)
	g.Expect(pre).NotTo(BeZero())
	g.Expect(depStart).To(BeNumerically(">", pre))
	g.Expect(cmStart).To(BeNumerically(">", depGone), "reverse wave order, each wave gone before the next")
	g.Expect(post).To(BeNumerically(">", cmGone), "PostDelete once everything is gone")

	again := e.waitDone(t, e.createNamed(t, ns, "down-again", syncv1alpha1.SyncOperationSpec{Application: "shop", Action: syncv1alpha1.ActionDelete}), 30*time.Second)
	g.Expect(again.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded))
	g.Expect(again.Status.Steps).To(BeEmpty(), "the inventory is empty after a teardown")
}

func history(t *testing.T, e *env) {
	t.Helper()
	g := NewWithT(t)
	ns := e.c.NamespaceT(t, "history-")
	bad := obj(t, "v1", "ConfigMap", "bad", map[string]string{syncv1alpha1.AnnotationSyncWave: "not-a-number"}, nil)
	for i := 1; i <= 15; i++ {
		ms := []runtimeRaw{configMap(t, "settings", "0")}
		if i > 5 {
			ms = []runtimeRaw{bad} // 6..15 fail: the last Succeeded is number 5
		}
		e.createNamed(t, ns, fmt.Sprintf("op-%02d", i), syncv1alpha1.SyncOperationSpec{Application: "shop", Manifests: ms})
	}
	left := func() []string {
		list := &syncv1alpha1.SyncOperationList{}
		_ = e.cl.List(context.Background(), list, client.InNamespace(ns))
		var out []string
		for _, o := range list.Items {
			if o.DeletionTimestamp.IsZero() {
				out = append(out, o.Name)
			}
		}
		slices.Sort(out)
		return out
	}
	want := []string{"op-05"}
	for i := 6; i <= 15; i++ {
		want = append(want, fmt.Sprintf("op-%02d", i))
	}
	g.Eventually(left, 60*time.Second, 100*time.Millisecond).Should(Equal(want), "the newest 10 finished and the last Succeeded")
	g.Consistently(left, time.Second, 100*time.Millisecond).Should(Equal(want))

	ttl := e.waitDone(t, e.createNamed(t, ns, "ttl", syncv1alpha1.SyncOperationSpec{TTLSecondsAfterFinished: ptr.To[int32](2),
		Manifests: []runtimeRaw{configMap(t, "ttl", "0")}}), 20*time.Second)
	finished := time.Now()
	g.Eventually(func() bool { return slices.Contains(left(), "ttl") }, 10*time.Second, 20*time.Millisecond).Should(BeFalse())
	after := time.Since(finished)
	t.Logf("ttlSecondsAfterFinished 2: deleted %s after it was seen finished (finishedAt %s)", after.Round(10*time.Millisecond), ttl.Status.FinishedAt.Format(time.RFC3339))
	g.Expect(after).To(BeNumerically(">", time.Second))
	g.Expect(after).To(BeNumerically("<", 3500*time.Millisecond))
}

func killed(t *testing.T, e *env) {
	t.Helper()
	g := NewWithT(t)
	ns := e.c.NamespaceT(t, "killed-")
	j := e.journal(t, ns)
	first := e.startController(t)
	outsider := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "outsider", Namespace: ns, Labels: map[string]string{syncv1alpha1.LabelApplication: "shop"}}}
	g.Expect(e.cl.Create(context.Background(), outsider)).To(Succeed())
	v1 := e.waitDone(t, e.createNamed(t, ns, "v1", syncv1alpha1.SyncOperationSpec{Application: "shop", Manifests: []runtimeRaw{
		configMap(t, "keep", "0"), configMap(t, "held", "3"), configMap(t, "low", "0"), configMap(t, "later", "-1"), deployment(t, "api", "1")}}), 60*time.Second)
	g.Expect(v1.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v1.Status.Message)
	hold := []string{"test.syncwave.dev/hold"}
	e.setFinalizers(t, ns, "held", hold)

	// Prune: killed while wave 3 waits for "held" to go.
	v2 := e.createNamed(t, ns, "v2", syncv1alpha1.SyncOperationSpec{Application: "shop", Prune: true, Manifests: []runtimeRaw{configMap(t, "keep", "0")}})
	g.Eventually(func() int64 { return j.deletionStarted("ConfigMap", "held") }, 30*time.Second, 20*time.Millisecond).ShouldNot(BeZero())
	first.kill()
	second := e.startController(t)
	time.Sleep(500 * time.Millisecond)
	g.Expect(j.deletionStarted("ConfigMap", "low")).To(BeZero(), "wave 0 waits for wave 3 to be gone")
	e.setFinalizers(t, ns, "held", nil)
	v2 = e.waitDone(t, v2, 60*time.Second)
	g.Expect(v2.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), v2.Status.Message)
	for _, name := range []string{"held", "low", "later"} {
		g.Expect(e.exists(ns, "ConfigMap", "v1", name)).To(BeFalse(), name)
	}
	g.Expect(e.exists(ns, "Deployment", "apps/v1", "api")).To(BeFalse())

	// Teardown: killed while its PreDelete hook runs, and while a deletion waits.
	e.setFinalizers(t, ns, "keep", hold)
	down := e.createNamed(t, ns, "down", syncv1alpha1.SyncOperationSpec{Application: "shop", Action: syncv1alpha1.ActionDelete,
		Manifests: []runtimeRaw{hookJob(t, "before", "PreDelete", "1500ms", ""), hookJob(t, "after", "PostDelete", "", "")}})
	g.Eventually(func() int64 { return j.firstWrite("Job", "before", ref(ns, "down")) }, 30*time.Second, 20*time.Millisecond).ShouldNot(BeZero())
	second.kill()
	third := e.startController(t)
	g.Eventually(func() int64 { return j.deletionStarted("ConfigMap", "keep") }, 30*time.Second, 20*time.Millisecond).ShouldNot(BeZero())
	third.kill()
	e.startController(t)
	time.Sleep(300 * time.Millisecond)
	e.setFinalizers(t, ns, "keep", nil)
	down = e.waitDone(t, down, 60*time.Second)
	g.Expect(down.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), down.Status.Message)
	g.Expect(e.exists(ns, "ConfigMap", "v1", "keep")).To(BeFalse())
	g.Expect(e.exists(ns, "ConfigMap", "v1", "outsider")).To(BeTrue(), "labelled with the application but in no inventory")

	for _, name := range []string{"held", "low", "later", "keep"} {
		g.Expect(j.count("ConfigMap", name, watch.Deleted)).To(Equal(1), "%s deleted once", name)
	}
	g.Expect(j.count("Job", "before", watch.Added)).To(Equal(1), "the PreDelete hook is created once")
	g.Expect(j.count("Job", "after", watch.Added)).To(Equal(1), "the PostDelete hook is created once")
	g.Expect(j.count("ConfigMap", "outsider", watch.Deleted)).To(BeZero())
}
