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

package diff

import (
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

func TestPaths(t *testing.T) {
	g := NewWithT(t)
	a := map[string]any{"spec": map[string]any{"replicas": int64(1), "template": map[string]any{"containers": []any{
		map[string]any{"image": "api:1", "name": "api"}}}}, "data": map[string]any{"a.b": "1", "k": "v"}}
	b := map[string]any{"spec": map[string]any{"replicas": int64(3), "template": map[string]any{"containers": []any{
		map[string]any{"image": "api:2", "name": "api"}}}}, "data": map[string]any{"a.b": "2", "k": "v", "new": "x"}}
	g.Expect(Paths(a, b, 0)).To(Equal([]string{"data.new", "data[a.b]", "spec.replicas", "spec.template.containers[0].image"}))
	g.Expect(Paths(a, b, 2)).To(HaveLen(2))
	g.Expect(Paths(a, a, 0)).To(BeEmpty())
}

func TestPreview(t *testing.T) {
	g := NewWithT(t)
	cm := func(v string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "c", "resourceVersion": v}, "data": map[string]any{"k": v}}}
	}
	ch, _ := Preview(&Change{Merged: cm("1")}, 20)
	g.Expect(ch).To(Equal(syncv1alpha1.ChangeCreate))
	ch, _ = Preview(&Change{Live: cm("1")}, 20)
	g.Expect(ch).To(Equal(syncv1alpha1.ChangeDelete))
	ch, fields := Preview(&Change{Live: cm("1"), Merged: cm("2")}, 20)
	g.Expect(ch).To(Equal(syncv1alpha1.ChangeUpdate))
	g.Expect(fields).To(Equal([]string{"data.k"}), "resourceVersion is not compared")
	ch, _ = Preview(&Change{Live: cm("1"), Merged: cm("1")}, 20)
	g.Expect(ch).To(Equal(syncv1alpha1.ChangeUnchanged))
}
