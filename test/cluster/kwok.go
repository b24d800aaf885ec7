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
	_ "embed"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Annotations on a pod (set them on a Job's or Deployment's pod template)
// that decide its fate on the simulated level. See kwok-stages.yaml.
const (
	// AnnotationFate is "" (or FateSucceed), FateFail or FateNeverReady.
	AnnotationFate = "syncwave.dev/kwok-fate"
	// AnnotationRunDuration is a Go duration ("2s", "1500ms"): a pod with
	// restartPolicy Never or OnFailure finishes that long after it started
	// running. Default: at once.
	AnnotationRunDuration = "syncwave.dev/kwok-run-duration"
	// AnnotationExitCode is the exit code of a FateFail pod (default "1").
	AnnotationExitCode = "syncwave.dev/kwok-exit-code"
)

// The values of AnnotationFate.
const (
	// FateSucceed is the default: Ready at once; a pod with restartPolicy
	// Never or OnFailure (a Job pod) then ends Succeeded with exit code 0.
	FateSucceed = "succeed"
	// FateFail: Ready at once; a pod with restartPolicy Never or OnFailure
	// then ends Failed with exit code AnnotationExitCode (default 1).
	FateFail = "fail"
	// FateNeverReady: Running but never Ready, and it never finishes.
	FateNeverReady = "never-ready"
)

// kwokStages holds the Stage objects kwok runs with.
//
//go:embed kwok-stages.yaml
var kwokStages []byte

// FakeNodeAnnotation marks the nodes that kwok manages.
const FakeNodeAnnotation = "kwok.x-k8s.io/node"

// fakeNode is a Node that kwok marks Ready and keeps alive. It has no taint,
// so every pod can run on it.
func fakeNode(name string) *corev1.Node {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("32"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Annotations: map[string]string{FakeNodeAnnotation: "fake"},
			Labels: map[string]string{
				"type":                   "kwok",
				"kubernetes.io/hostname": name,
				"kubernetes.io/os":       "linux",
				"kubernetes.io/arch":     "amd64",
			},
		},
		Status: corev1.NodeStatus{Allocatable: capacity, Capacity: capacity},
	}
}

// createFakeNodes creates n fake nodes. The status is written too, because
// create ignores it.
func createFakeNodes(ctx context.Context, cl client.Client, n int) error {
	for i := range n {
		node := fakeNode(fmt.Sprintf("kwok-node-%d", i))
		status := node.Status
		if err := cl.Create(ctx, node); err != nil {
			return fmt.Errorf("create fake node %s: %w", node.Name, err)
		}
		node.Status = status
		if err := cl.Status().Update(ctx, node); err != nil {
			return fmt.Errorf("set capacity of fake node %s: %w", node.Name, err)
		}
	}
	return nil
}
