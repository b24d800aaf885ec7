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

package cluster

import (
	"context"
	"os"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

func init() {
	// envtest logs through controller-runtime's logger; without one set,
	// controller-runtime prints a warning with a stack trace.
	ctrllog.SetLogger(logr.Discard())
}

const crdDir = "../../config/crd/bases"

// TestSimulated starts one simulated cluster, runs the scenarios against it
// in parallel, each in its own namespace, then stops it and checks that no
// process is left.
func TestSimulated(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	t.Parallel()
	c := StartT(t, Options{Simulated: true, CRDDirectoryPaths: []string{crdDir}})
	cl := c.ClientT(t, nil)

	t.Run("group", func(t *testing.T) {
		t.Run("DeploymentBecomesAvailable", func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			ctx := t.Context()
			d := deployment(c.NamespaceT(t, "deploy-"), "web", 3, nil)
			g.Expect(cl.Create(ctx, d)).To(Succeed())
			g.Eventually(func(g Gomega) {
				g.Expect(cl.Get(ctx, client.ObjectKeyFromObject(d), d)).To(Succeed())
				g.Expect(d.Status.AvailableReplicas).To(BeEquivalentTo(3))
				g.Expect(deploymentCondition(d, appsv1.DeploymentAvailable)).To(Equal(corev1.ConditionTrue))
			}).WithTimeout(30 * time.Second).WithPolling(100 * time.Millisecond).Should(Succeed())
			var pods corev1.PodList
			g.Expect(cl.List(ctx, &pods, client.InNamespace(d.Namespace))).To(Succeed())
			g.Expect(pods.Items).To(HaveLen(3))
		})

		t.Run("JobCompletes", func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			ctx := t.Context()
			j := job(c.NamespaceT(t, "job-"), "migrate", nil, "")
			g.Expect(cl.Create(ctx, j)).To(Succeed())
			g.Eventually(jobCondition(ctx, cl, j, batchv1.JobComplete)).
				WithTimeout(30 * time.Second).WithPolling(100 * time.Millisecond).Should(Equal(corev1.ConditionTrue))
			g.Expect(j.Status.Succeeded).To(BeEquivalentTo(1))
		})

		t.Run("JobAnnotatedToFailFails", func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			ctx := t.Context()
			j := job(c.NamespaceT(t, "job-fail-"), "migrate", map[string]string{AnnotationFate: FateFail}, "")
			g.Expect(cl.Create(ctx, j)).To(Succeed())
			g.Eventually(jobCondition(ctx, cl, j, batchv1.JobFailed)).
				WithTimeout(30 * time.Second).WithPolling(100 * time.Millisecond).Should(Equal(corev1.ConditionTrue))
			pod := onlyPod(ctx, g, cl, j)
			g.Expect(pod.Status.Phase).To(Equal(corev1.PodFailed))
			g.Expect(pod.Status.ContainerStatuses).To(HaveLen(1))
			g.Expect(pod.Status.ContainerStatuses[0].State.Terminated).NotTo(BeNil())
			g.Expect(pod.Status.ContainerStatuses[0].State.Terminated.ExitCode).To(BeEquivalentTo(1))
		})

		t.Run("PodAnnotatedToRun2sFinishesNoEarlier", func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			ctx := t.Context()
			j := job(c.NamespaceT(t, "job-slow-"), "migrate", map[string]string{AnnotationRunDuration: "2s"}, "")
			created := time.Now()
			g.Expect(cl.Create(ctx, j)).To(Succeed())
			g.Eventually(jobCondition(ctx, cl, j, batchv1.JobComplete)).
				WithTimeout(30 * time.Second).WithPolling(50 * time.Millisecond).Should(Equal(corev1.ConditionTrue))
			g.Expect(time.Since(created)).To(BeNumerically(">=", 2*time.Second))
			pod := onlyPod(ctx, g, cl, j)
			g.Expect(pod.Status.Phase).To(Equal(corev1.PodSucceeded))
			term := pod.Status.ContainerStatuses[0].State.Terminated
			g.Expect(term).NotTo(BeNil())
			// Whole seconds on both sides: a run of >= 2 s shows as >= 2 s.
			g.Expect(term.FinishedAt.Sub(term.StartedAt.Time)).To(BeNumerically(">=", 2*time.Second))
		})

		t.Run("JobWithMissingServiceAccountCreatesNoPod", func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			ctx := t.Context()
			j := job(c.NamespaceT(t, "job-nosa-"), "migrate", nil, "hook-executor")
			g.Expect(cl.Create(ctx, j)).To(Succeed())
			// The Job controller tried and the ServiceAccount admission
			// plugin said no.
			g.Eventually(func(g Gomega) {
				var events corev1.EventList
				g.Expect(cl.List(ctx, &events, client.InNamespace(j.Namespace))).To(Succeed())
				var msgs []string
				for _, e := range events.Items {
					if e.InvolvedObject.Name == j.Name && e.Reason == "FailedCreate" {
						msgs = append(msgs, e.Message)
					}
				}
				g.Expect(strings.Join(msgs, "\n")).To(ContainSubstring(`serviceaccount "hook-executor" not found`))
			}).WithTimeout(30 * time.Second).WithPolling(100 * time.Millisecond).Should(Succeed())
			g.Consistently(func(g Gomega) {
				var pods corev1.PodList
				g.Expect(cl.List(ctx, &pods, client.InNamespace(j.Namespace))).To(Succeed())
				g.Expect(pods.Items).To(BeEmpty())
			}).WithTimeout(2 * time.Second).WithPolling(200 * time.Millisecond).Should(Succeed())
		})

		t.Run("PodAnnotatedNeverReadyStaysRunningUnready", func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			ctx := t.Context()
			d := deployment(c.NamespaceT(t, "deploy-unready-"), "web", 1, map[string]string{AnnotationFate: FateNeverReady})
			g.Expect(cl.Create(ctx, d)).To(Succeed())
			g.Eventually(func(g Gomega) {
				var pods corev1.PodList
				g.Expect(cl.List(ctx, &pods, client.InNamespace(d.Namespace))).To(Succeed())
				g.Expect(pods.Items).To(HaveLen(1))
				g.Expect(pods.Items[0].Status.Phase).To(Equal(corev1.PodRunning))
				g.Expect(podCondition(&pods.Items[0], corev1.PodReady)).To(Equal(corev1.ConditionFalse))
			}).WithTimeout(30 * time.Second).WithPolling(100 * time.Millisecond).Should(Succeed())
			g.Consistently(func(g Gomega) {
				g.Expect(cl.Get(ctx, client.ObjectKeyFromObject(d), d)).To(Succeed())
				g.Expect(d.Status.AvailableReplicas).To(BeZero())
			}).WithTimeout(time.Second).WithPolling(200 * time.Millisecond).Should(Succeed())
		})

		t.Run("PodLogsServed", podLogsServed(c, cl))

		t.Run("CRDInstalled", func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			var crd apiextensionsv1.CustomResourceDefinition
			sch := runtime.NewScheme()
			g.Expect(apiextensionsv1.AddToScheme(sch)).To(Succeed())
			g.Expect(c.ClientT(t, sch).Get(t.Context(), client.ObjectKey{Name: "syncoperations.syncwave.dev"}, &crd)).To(Succeed())
		})
	})

	expectNoProcessLeft(t, c, simulatedBinaries)
}

// TestEnvtest starts the envtest level: the API works, the CRD is
// installed, and no controller runs, so the ServiceAccount admission plugin
// is off and nothing happens to a Job.
func TestEnvtest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	t.Parallel()
	g := NewWithT(t)
	c := StartT(t, Options{CRDDirectoryPaths: []string{crdDir}})
	ctx := t.Context()
	cl := c.ClientT(t, nil)
	ns := c.NamespaceT(t, "envtest-")

	op := &unstructured.Unstructured{}
	op.SetAPIVersion("syncwave.dev/v1alpha1")
	op.SetKind("SyncOperation")
	op.SetNamespace(ns)
	op.SetName("op")
	g.Expect(unstructured.SetNestedSlice(op.Object, []any{map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "cm"},
	}}, "spec", "manifests")).To(Succeed())
	g.Expect(cl.Create(ctx, op)).To(Succeed())

	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "p"},
		Spec: corev1.PodSpec{
			ServiceAccountName: "missing",
			Containers:         []corev1.Container{{Name: "c", Image: "busybox"}},
		},
	}
	g.Expect(cl.Create(ctx, pod)).To(Succeed(), "envtest has the ServiceAccount admission plugin off")

	ps, err := c.Processes()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(processNames(ps)).To(ContainElements(envtestBinaries))
	expectNoProcessLeft(t, c, envtestBinaries)
}

// TestStartFailsWithoutBinaries checks the hint to build them.
func TestStartFailsWithoutBinaries(t *testing.T) {
	t.Setenv(AssetsEnv, t.TempDir())
	_, err := Start(t.Context(), Options{})
	g := NewWithT(t)
	g.Expect(err).To(MatchError(ErrNoBinaries))
	g.Expect(err.Error()).To(ContainSubstring("make k8s-binaries"))
}

// TestFailedStartStopsEverything checks that a start that fails after the
// control plane came up (here: a missing CRD directory) stops it again and
// keeps the logs.
func TestFailedStartStopsEverything(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	t.Parallel()
	g := NewWithT(t)
	_, err := Start(t.Context(), Options{CRDDirectoryPaths: []string{filepath.Join(t.TempDir(), "missing")}})
	g.Expect(err).To(HaveOccurred())
	_, dir, found := strings.Cut(err.Error(), "(logs in ")
	g.Expect(found).To(BeTrue(), "the error names the log directory: %v", err)
	dir = strings.TrimSuffix(dir, ")")
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	ps, err := readPIDs(filepath.Join(dir, "pids"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(processNames(ps)).To(ContainElements(envtestBinaries))
	for _, p := range ps {
		g.Expect(p.Running()).To(BeFalse(), "%s (pid %d) is still running", p.Name, p.PID)
	}
	g.Expect(filepath.Join(dir, "kube-apiserver.log")).To(BeAnExistingFile())
}

// expectNoProcessLeft stops c and checks that every process it recorded,
// which includes each of names, is gone.
func expectNoProcessLeft(t *testing.T, c *Cluster, names []string) {
	t.Helper()
	g := NewWithT(t)
	ps, err := c.Processes()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(processNames(ps)).To(ContainElements(names))
	for _, p := range ps {
		if slices.Contains(names, p.Name) && p.Name != "kube-apiserver" && p.Name != "etcd" {
			g.Expect(p.Running()).To(BeTrue(), "%s should run before Stop", p.Name)
		}
	}
	g.Expect(c.stop(t.Failed())).To(Succeed())
	for _, p := range ps {
		g.Expect(p.Running()).To(BeFalse(), "%s (pid %d) is still running after Stop", p.Name, p.PID)
	}
}

func processNames(ps []Process) []string {
	names := make([]string, 0, len(ps))
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return names
}

func job(ns, name string, podAnnotations map[string]string, serviceAccount string) *batchv1.Job {
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: batchv1.JobSpec{
			BackoffLimit: ptr.To[int32](0),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Annotations: podAnnotations},
				Spec: corev1.PodSpec{
					ServiceAccountName: serviceAccount,
					RestartPolicy:      corev1.RestartPolicyNever,
					Containers:         []corev1.Container{{Name: "main", Image: "busybox"}},
				},
			},
		},
	}
}

func deployment(ns, name string, replicas int32, podAnnotations map[string]string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: podAnnotations},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "nginx"}}},
			},
		},
	}
}

func jobCondition(ctx context.Context, cl client.Client, j *batchv1.Job, typ batchv1.JobConditionType) func() (corev1.ConditionStatus, error) {
	return func() (corev1.ConditionStatus, error) {
		if err := cl.Get(ctx, client.ObjectKeyFromObject(j), j); err != nil {
			return "", err
		}
		for _, cond := range j.Status.Conditions {
			if cond.Type == typ {
				return cond.Status, nil
			}
		}
		return corev1.ConditionUnknown, nil
	}
}

func deploymentCondition(d *appsv1.Deployment, typ appsv1.DeploymentConditionType) corev1.ConditionStatus {
	for _, cond := range d.Status.Conditions {
		if cond.Type == typ {
			return cond.Status
		}
	}
	return corev1.ConditionUnknown
}

func podCondition(p *corev1.Pod, typ corev1.PodConditionType) corev1.ConditionStatus {
	for _, cond := range p.Status.Conditions {
		if cond.Type == typ {
			return cond.Status
		}
	}
	return corev1.ConditionUnknown
}

func onlyPod(ctx context.Context, g Gomega, cl client.Client, j *batchv1.Job) *corev1.Pod {
	var pods corev1.PodList
	g.Expect(cl.List(ctx, &pods, client.InNamespace(j.Namespace), client.MatchingLabels{"job-name": j.Name})).To(Succeed())
	g.Expect(pods.Items).To(HaveLen(1))
	return &pods.Items[0]
}

func TestCPUSeconds(t *testing.T) {
	before, err := CPUSeconds(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// Busy work until the process has used 0.1 CPU seconds more: on a
	// loaded machine that takes longer than 0.1 s of wall time, so the
	// loop ends by the CPU time read, not by a clock.
	x := uint64(1)
	start := time.Now()
	used := 0.0
	for used < 0.1 && time.Since(start) < 30*time.Second {
		for range 1 << 20 {
			x = x*6364136223846793005 + 1442695040888963407 // keep the CPU busy
		}
		after, err := CPUSeconds(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		used = after - before
	}
	wall := time.Since(start).Seconds()
	if used < 0.1 || used > wall*float64(goruntime.NumCPU())+1 {
		t.Errorf("%.2f s of busy work read as %.2f CPU seconds (%d)", wall, used, x%2)
	}
	if _, err := CPUSeconds(-1); err == nil {
		t.Error("no error for a process that does not exist")
	}
}
