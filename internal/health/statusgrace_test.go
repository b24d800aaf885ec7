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

package health_test

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/syncwave/syncwave/internal/health"
)

var created = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// customResource is a Widget created at created, with the given status
// (nil: none) and annotations.
func customResource(status map[string]any, annotations map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetGroupVersionKind(schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Widget"})
	u.SetName("w")
	u.SetCreationTimestamp(metav1.NewTime(created))
	u.SetAnnotations(annotations)
	if status != nil {
		u.Object["status"] = status
	}
	return u
}

func TestStatusWait(t *testing.T) {
	withSubresource := func(gvk schema.GroupVersionKind) bool { return gvk.Group == "example.com" }
	cases := []struct {
		name        string
		wait        health.StatusWait
		status      map[string]any
		annotations map[string]string
		want        health.Status
		message     string
		recheck     time.Duration
	}{
		{"no status subresource: Healthy at once", health.StatusWait{Now: created},
			nil, nil, health.Healthy, "no status to check", 0},
		{"the CRD says status comes: Progressing", health.StatusWait{HasStatusSubresource: withSubresource, Now: created.Add(3 * time.Second)},
			nil, nil, health.Progressing, "waiting for its controller to write status", 7 * time.Second},
		{"an empty status is no status", health.StatusWait{HasStatusSubresource: withSubresource, Now: created},
			map[string]any{}, nil, health.Progressing, "at most 10s", 10 * time.Second},
		{"after the grace: Healthy, and said so", health.StatusWait{HasStatusSubresource: withSubresource, Now: created.Add(10 * time.Second)},
			nil, nil, health.Healthy, "its controller wrote no status within 10s", 0},
		{"the flag's grace", health.StatusWait{HasStatusSubresource: withSubresource, Grace: time.Minute, Now: created.Add(30 * time.Second)},
			nil, nil, health.Progressing, "at most 1m0s", 30 * time.Second},
		{"--status-grace=0 waits not at all", health.StatusWait{HasStatusSubresource: withSubresource, Grace: health.NoStatusGrace, Now: created},
			nil, nil, health.Healthy, "its controller wrote no status within 0s", 0},
		{"... unless the annotation says so", health.StatusWait{HasStatusSubresource: withSubresource, Grace: health.NoStatusGrace, Now: created},
			nil, map[string]string{"syncwave.dev/status-grace": "5s"}, health.Progressing, "at most 5s", 5 * time.Second},
		{"the annotation wins over the flag", health.StatusWait{HasStatusSubresource: withSubresource, Grace: time.Minute, Now: created.Add(3 * time.Second)},
			nil, map[string]string{"syncwave.dev/status-grace": "2s"}, health.Healthy, "within 2s", 0},
		{"a clock behind the creation time waits the whole grace", health.StatusWait{HasStatusSubresource: withSubresource, Now: created.Add(-time.Second)},
			nil, nil, health.Progressing, "waiting", 10 * time.Second},
		{"a bad annotation is Unknown, naming it", health.StatusWait{HasStatusSubresource: withSubresource, Now: created},
			nil, map[string]string{"syncwave.dev/status-grace": "soon"}, health.Unknown, `Widget "w": annotation syncwave.dev/status-grace: want a duration such as 30s, got "soon"`, 0},
		{"a written status ends the wait", health.StatusWait{HasStatusSubresource: withSubresource, Now: created},
			map[string]any{"observedGeneration": int64(1)}, nil, health.Healthy, "no condition or phase", 0},
		{"a Ready condition decides as usual", health.StatusWait{HasStatusSubresource: withSubresource, Now: created},
			map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "False", "reason": "Booting"}}}, nil, health.Progressing, "Booting", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewWithT(t)
			r := health.Assess(health.Chain(health.Builtin(), health.GenericWith(c.wait)), customResource(c.status, c.annotations))
			g.Expect(r.Status).To(Equal(c.want), r.Message)
			g.Expect(r.Message).To(ContainSubstring(c.message))
			g.Expect(r.RecheckAfter).To(Equal(c.recheck))
			g.Expect(r.Source).To(Equal(health.SourceGeneric))
		})
	}
}

func TestStatusWaitLeavesBuiltinKindsAlone(t *testing.T) {
	g := NewWithT(t)
	always := health.StatusWait{HasStatusSubresource: func(schema.GroupVersionKind) bool { return true }, Now: created}
	cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c"}}}
	r := health.Assess(health.Chain(health.Builtin(), health.GenericWith(always)), cm)
	g.Expect(r.Status).To(Equal(health.Progressing), "the lookup decides, not the kind: the controller asks only about CRDs")
	never := health.StatusWait{Now: created}
	r = health.Assess(health.Chain(health.Builtin(), health.GenericWith(never)), cm)
	g.Expect(r.Status).To(Equal(health.Healthy))
}

func TestExistsAnnotation(t *testing.T) {
	withSubresource := health.StatusWait{HasStatusSubresource: func(schema.GroupVersionKind) bool { return true }, Now: created}
	degraded := map[string]any{"conditions": []any{map[string]any{"type": "Stalled", "status": "True", "reason": "Broken"}}}
	cases := []struct {
		name        string
		status      map[string]any
		annotations map[string]string
		deleting    bool
		want        health.Status
		message     string
	}{
		{"exists wins over the status wait", nil, map[string]string{"syncwave.dev/health": "exists"}, false, health.Healthy, "syncwave.dev/health: exists"},
		{"exists wins over the status", degraded, map[string]string{"syncwave.dev/health": " exists "}, false, health.Healthy, "the object exists"},
		{"a deleted object is still pending deletion", nil, map[string]string{"syncwave.dev/health": "exists"}, true, health.Progressing, "pending deletion"},
		{"another value is Unknown, naming it", nil, map[string]string{"syncwave.dev/health": "ignore"}, false, health.Unknown, `annotation syncwave.dev/health: want "exists", got "ignore"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewWithT(t)
			obj := customResource(c.status, c.annotations)
			if c.deleting {
				now := metav1.NewTime(created)
				obj.SetDeletionTimestamp(&now)
			}
			r := health.Assess(health.Chain(health.Builtin(), health.GenericWith(withSubresource)), obj)
			g.Expect(r.Status).To(Equal(c.want), r.Message)
			g.Expect(r.Message).To(ContainSubstring(c.message))
			g.Expect(r.RecheckAfter).To(BeZero())
		})
	}
	t.Run("a hook with exists has succeeded once it exists", func(t *testing.T) {
		g := NewWithT(t)
		phase, _ := health.HookCompletion(customResource(degraded, map[string]string{"syncwave.dev/health": "exists"}), nil)
		g.Expect(phase).To(BeEquivalentTo("Succeeded"))
	})
}
