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
	"io"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// podLogsServed: a failed Job's pod logs what ServePodLogs gave its
// namespace, read through the API server's pods/log (kwok serves it), tail
// included; a pod of another namespace has no log.
func podLogsServed(c *Cluster, cl client.Client) func(t *testing.T) {
	return func(t *testing.T) {
		t.Parallel()
		g := NewWithT(t)
		ctx := t.Context()
		ns := c.NamespaceT(t, "pod-logs-")
		g.Expect(c.ServePodLogs(ctx, ns, "migrating table users", "ERROR: relation users is locked")).To(Succeed())
		j := job(ns, "migrate", map[string]string{AnnotationFate: FateFail, AnnotationExitCode: "3"}, "")
		g.Expect(cl.Create(ctx, j)).To(Succeed())
		g.Eventually(jobCondition(ctx, cl, j, batchv1.JobFailed)).
			WithTimeout(30 * time.Second).WithPolling(100 * time.Millisecond).Should(Equal(corev1.ConditionTrue))
		pod := onlyPod(ctx, g, cl, j)
		g.Expect(pod.Status.ContainerStatuses[0].State.Terminated.ExitCode).To(BeEquivalentTo(3))

		cs := kubernetes.NewForConfigOrDie(c.Config)
		read := func(opts *corev1.PodLogOptions) (string, error) {
			rc, err := cs.CoreV1().Pods(ns).GetLogs(pod.Name, opts).Stream(ctx)
			if err != nil {
				return "", err
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			return string(b), err
		}
		g.Expect(read(&corev1.PodLogOptions{Container: "main"})).To(Equal("migrating table users\nERROR: relation users is locked\n"))
		g.Expect(read(&corev1.PodLogOptions{Container: "main", TailLines: ptr.To[int64](1)})).To(Equal("ERROR: relation users is locked\n"))

		other := c.NamespaceT(t, "pod-logs-none-")
		k := job(other, "quiet", nil, "")
		g.Expect(cl.Create(ctx, k)).To(Succeed())
		g.Eventually(jobCondition(ctx, cl, k, batchv1.JobComplete)).
			WithTimeout(30 * time.Second).WithPolling(100 * time.Millisecond).Should(Equal(corev1.ConditionTrue))
		_, err := cs.CoreV1().Pods(other).GetLogs(onlyPod(ctx, g, cl, k).Name, &corev1.PodLogOptions{Container: "main"}).Stream(ctx)
		g.Expect(err).To(MatchError(ContainSubstring("no logs found")), "ServePodLogs is per namespace")
	}
}
