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
	"testing"
	"time"

	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// testRemoteApplication follows an application that lives on the remote
// cluster through a prune and a teardown (SPEC §12, §13): both act on the
// remote, and the hub's objects of the same names and label are left
// alone.
func testRemoteApplication(t *testing.T, hr *hubAndRemote) {
	t.Helper()
	g := NewWithT(t)
	hr.hub.startController(t)
	ns := hr.namespace(t, "remote-app-", "")
	// Hub ConfigMaps of the same names and application label: only the
	// remote's copies are the application's.
	for _, name := range []string{"old", "kept"} {
		decoy := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns,
			Labels: map[string]string{syncv1alpha1.LabelApplication: "web"}}}
		g.Expect(hr.hub.cl.Create(context.Background(), decoy)).To(Succeed())
	}

	spec := func(m ...runtime.RawExtension) syncv1alpha1.SyncOperationSpec {
		s := remoteSpec(m)
		s.Application = "web"
		return s
	}
	v1 := spec(configMap(t, "old", "0"), configMap(t, "kept", "1"))
	op := hr.hub.waitDone(t, hr.hub.createNamed(t, ns, "web-1", v1), 60*time.Second)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(hr.onRemote(ns, "old", &corev1.ConfigMap{})).To(BeTrue())

	v2 := spec(configMap(t, "kept", "1"))
	v2.Prune = true
	op = hr.hub.waitDone(t, hr.hub.createNamed(t, ns, "web-2", v2), 60*time.Second)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Status.Summary.Pruned).To(BeEquivalentTo(1), "%+v", op.Status.Resources)
	g.Expect(hr.onRemote(ns, "old", &corev1.ConfigMap{})).To(BeFalse(), "the prune deleted the remote's old")
	g.Expect(hr.hub.exists(ns, "ConfigMap", "v1", "old")).To(BeTrue(), "the hub's old is not the application's")

	// A teardown written without spec.kubeConfig would delete the hub's
	// objects of those names and leave the application without an
	// inventory: it is refused.
	wrong := syncv1alpha1.SyncOperationSpec{Application: "web", Action: syncv1alpha1.ActionDelete}
	op = hr.hub.waitDone(t, hr.hub.createNamed(t, ns, "web-wrong", wrong), 60*time.Second)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationFailed))
	g.Expect(op.Status.Reason).To(Equal(syncv1alpha1.ReasonInvalidManifests))
	g.Expect(op.Status.Message).To(ContainSubstring("the inventory of application web (1 object(s), left by SyncOperation " + ns + "/web-2) is on the cluster of spec.kubeConfig (Secret " + ns + "/remote); this teardown acts on the controller's own cluster (no spec.kubeConfig): set spec.kubeConfig as web-2 does (nothing was deleted)"))
	g.Expect(hr.hub.exists(ns, "ConfigMap", "v1", "kept")).To(BeTrue(), "nothing deleted on the hub")
	g.Expect(hr.onRemote(ns, "kept", &corev1.ConfigMap{})).To(BeTrue())

	down := spec(hookJob(t, "before", "PreDelete", "", ""), hookJob(t, "after", "PostDelete", "", ""))
	down.Action = syncv1alpha1.ActionDelete
	op = hr.hub.waitDone(t, hr.hub.createNamed(t, ns, "web-3", down), 60*time.Second)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(hr.onRemote(ns, "kept", &corev1.ConfigMap{})).To(BeFalse(), "the teardown deleted the remote's kept")
	g.Expect(hr.onRemote(ns, "before", &batchv1.Job{})).To(BeTrue(), "the PreDelete hook ran on the remote")
	g.Expect(hr.onRemote(ns, "after", &batchv1.Job{})).To(BeTrue(), "the PostDelete hook ran on the remote")
	g.Expect(hr.hub.exists(ns, "ConfigMap", "v1", "old")).To(BeTrue())
	g.Expect(hr.hub.exists(ns, "Job", "batch/v1", "before")).To(BeFalse(), "no hook on the hub")
	g.Expect(hr.hub.exists(ns, "ConfigMap", "v1", "kept")).To(BeTrue())

	testApplicationMoves(t, hr, ns)
}

// testApplicationMoves: a sync with prune that moves an application from
// the hub to the remote prunes nothing on either cluster and says so in a
// Warning event; the application is then the remote's objects only.
func testApplicationMoves(t *testing.T, hr *hubAndRemote, ns string) {
	t.Helper()
	g := NewWithT(t)
	here := syncv1alpha1.SyncOperationSpec{Application: "moved", Manifests: []runtime.RawExtension{configMap(t, "a", "0")}}
	op := hr.hub.waitDone(t, hr.hub.createNamed(t, ns, "moved-1", here), 60*time.Second)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	// An object of that name and label on the remote is not the
	// application's.
	a := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: ns, Labels: map[string]string{syncv1alpha1.LabelApplication: "moved"}}}
	g.Expect(hr.remote.cl.Create(context.Background(), a)).To(Succeed())

	there := remoteSpec([]runtime.RawExtension{configMap(t, "b", "0")})
	there.Application, there.Prune = "moved", true
	op = hr.hub.waitDone(t, hr.hub.createNamed(t, ns, "moved-2", there), 60*time.Second)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Status.Summary.Pruned).To(BeZero(), "%+v", op.Status.Resources)
	g.Expect(hr.onRemote(ns, "a", &corev1.ConfigMap{})).To(BeTrue(), "the remote's a was never the application's")
	g.Expect(hr.hub.exists(ns, "ConfigMap", "v1", "a")).To(BeTrue(), "the hub's a stays where it is")
	g.Expect(hr.onRemote(ns, "b", &corev1.ConfigMap{})).To(BeTrue())
	g.Eventually(func() []string { return hr.hub.events(ns, "moved-2", "ClusterChanged") }, 10*time.Second, 50*time.Millisecond).Should(ContainElement(
		"the inventory of application moved (1 object(s), left by SyncOperation " + ns + "/moved-1) is on the controller's own cluster (no spec.kubeConfig); this operation acts on the cluster of spec.kubeConfig (Secret " + ns + "/remote): those objects are not pruned, stay on that cluster and are no longer the application's"))

	down := remoteSpec(nil)
	down.Application, down.Action = "moved", syncv1alpha1.ActionDelete
	op = hr.hub.waitDone(t, hr.hub.createNamed(t, ns, "moved-3", down), 60*time.Second)
	g.Expect(op.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), op.Status.Message)
	g.Expect(op.Status.Summary.Total).To(BeEquivalentTo(1), "the teardown is the remote's b only")
	g.Expect(hr.onRemote(ns, "b", &corev1.ConfigMap{})).To(BeFalse())
	g.Expect(hr.onRemote(ns, "a", &corev1.ConfigMap{})).To(BeTrue())
	g.Expect(hr.hub.exists(ns, "ConfigMap", "v1", "a")).To(BeTrue())
}

// events are the notes of the events of the given reason on SyncOperation
// name.
func (e *env) events(ns, name, reason string) []string {
	evs := &eventsv1.EventList{}
	_ = e.cl.List(context.Background(), evs, client.InNamespace(ns))
	var notes []string
	for _, ev := range evs.Items {
		if ev.Regarding.Name == name && ev.Reason == reason {
			notes = append(notes, ev.Note)
		}
	}
	return notes
}
