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
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/syncwave/syncwave/internal/health"
)

// fake is an assessor with a fixed answer that counts its calls.
type fake struct {
	result  health.Result
	opinion bool
	err     error
	calls   int
}

func (f *fake) Assess(*unstructured.Unstructured) (health.Result, bool, error) {
	f.calls++
	return f.result, f.opinion, f.err
}

func TestChain(t *testing.T) {
	luaDegraded := health.Result{Status: health.Degraded, Message: "from lua", Source: health.SourceLua}
	builtinHealthy := health.Result{Status: health.Healthy, Message: "from builtin", Source: health.SourceBuiltin}

	tests := map[string]struct {
		assessors   []*fake
		want        health.Result
		wantOpinion bool
		wantErr     bool
		wantCalls   []int
	}{
		"first opinion wins": {
			assessors:   []*fake{{result: luaDegraded, opinion: true}, {result: builtinHealthy, opinion: true}},
			want:        luaDegraded,
			wantOpinion: true,
			wantCalls:   []int{1, 0},
		},
		"no opinion falls through": {
			assessors:   []*fake{{}, {result: builtinHealthy, opinion: true}},
			want:        builtinHealthy,
			wantOpinion: true,
			wantCalls:   []int{1, 1},
		},
		"an error stops the chain with Unknown": {
			assessors: []*fake{
				{result: health.Result{Source: health.SourceLua}, err: errors.New("lua: attempt to index a nil value")},
				{result: builtinHealthy, opinion: true},
			},
			want:        health.Result{Status: health.Unknown, Message: "lua: attempt to index a nil value", Source: health.SourceLua},
			wantOpinion: true,
			wantErr:     true,
			wantCalls:   []int{1, 0},
		},
		"an error without a source counts as generic": {
			assessors:   []*fake{{err: errors.New("boom")}},
			want:        health.Result{Status: health.Unknown, Message: "boom", Source: health.SourceGeneric},
			wantOpinion: true,
			wantErr:     true,
			wantCalls:   []int{1},
		},
		"nobody has an opinion": {
			assessors: []*fake{{}, {}},
			wantCalls: []int{1, 1},
		},
		"empty chain": {},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			as := make([]health.Assessor, 0, len(tc.assessors)+1)
			for _, f := range tc.assessors {
				as = append(as, f)
			}
			as = append(as, nil) // nil assessors are ignored
			got, ok, err := health.Chain(as...).Assess(fixture(t, "mycrd-healthy-no-status"))
			g.Expect(got).To(Equal(tc.want))
			g.Expect(ok).To(Equal(tc.wantOpinion))
			g.Expect(err != nil).To(Equal(tc.wantErr))
			for i, f := range tc.assessors {
				g.Expect(f.calls).To(Equal(tc.wantCalls[i]), "calls of assessor %d", i)
			}
		})
	}
}

func TestChainLuaOverridesBuiltin(t *testing.T) {
	g := NewWithT(t)
	lua := health.AssessorFunc(func(obj *unstructured.Unstructured) (health.Result, bool, error) {
		if obj.GetKind() != "Deployment" {
			return health.Result{}, false, nil
		}
		return health.Result{Status: health.Suspended, Message: "by script", Source: health.SourceLua}, true, nil
	})
	chain := health.Chain(lua, health.Builtin(), health.Generic())

	g.Expect(health.Assess(chain, fixture(t, "deployment-healthy"))).To(Equal(
		health.Result{Status: health.Suspended, Message: "by script", Source: health.SourceLua}))
	g.Expect(health.Assess(chain, fixture(t, "job-healthy")).Source).To(Equal(health.SourceBuiltin))
	g.Expect(health.Assess(chain, fixture(t, "mycrd-healthy-ready")).Source).To(Equal(health.SourceGeneric))
}

func TestAssess(t *testing.T) {
	t.Run("nil object is Missing", func(t *testing.T) {
		g := NewWithT(t)
		g.Expect(health.Assess(health.Default(), nil)).To(Equal(
			health.Result{Status: health.Missing, Message: "object does not exist", Source: health.SourceGeneric}))
		r, ok, err := health.Chain(health.Builtin()).Assess(nil)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(ok).To(BeTrue())
		g.Expect(r.Status).To(Equal(health.Missing))
	})
	t.Run("nil assessor means Default", func(t *testing.T) {
		g := NewWithT(t)
		obj := fixture(t, "deployment-progressing-rollout")
		g.Expect(health.Assess(nil, obj)).To(Equal(health.Assess(health.Default(), obj)))
	})
	t.Run("no opinion is Healthy once the object exists", func(t *testing.T) {
		g := NewWithT(t)
		r := health.Assess(health.Chain(), fixture(t, "mycrd-progressing-ready-false"))
		g.Expect(r.Status).To(Equal(health.Healthy))
		g.Expect(r.Source).To(Equal(health.SourceGeneric))
		g.Expect(r.Message).NotTo(BeEmpty())
	})
	t.Run("an error is Unknown, not returned", func(t *testing.T) {
		g := NewWithT(t)
		r := health.Assess(&fake{err: errors.New("boom"), result: health.Result{Source: health.SourceLua}}, fixture(t, "mycrd-healthy-ready"))
		g.Expect(r).To(Equal(health.Result{Status: health.Unknown, Message: "boom", Source: health.SourceLua}))
	})
	t.Run("Healthy but being deleted is Progressing", func(t *testing.T) {
		g := NewWithT(t)
		obj := fixture(t, "deployment-healthy")
		now := metav1.Unix(1767225600, 0)
		obj.SetDeletionTimestamp(&now)
		r := health.Assess(health.Default(), obj)
		g.Expect(r).To(Equal(health.Result{Status: health.Progressing, Message: "pending deletion", Source: health.SourceBuiltin}))
	})
	t.Run("an empty source is filled in", func(t *testing.T) {
		g := NewWithT(t)
		r := health.Assess(&fake{opinion: true, result: health.Result{Status: health.Healthy, Message: "ok"}}, fixture(t, "mycrd-healthy-ready"))
		g.Expect(r.Source).To(Equal(health.SourceGeneric))
	})
}

func TestWorse(t *testing.T) {
	order := []health.Status{health.Healthy, health.Suspended, health.Progressing, health.Missing, health.Degraded, health.Unknown}
	for i, a := range order {
		for j, b := range order {
			NewWithT(t).Expect(health.Worse(a, b)).To(Equal(i > j), "Worse(%s, %s)", a, b)
		}
	}
	g := NewWithT(t)
	g.Expect(health.Worse("Bogus", health.Degraded)).To(BeTrue())
	g.Expect(health.Worse("Bogus", health.Unknown)).To(BeFalse())
}

func TestWorst(t *testing.T) {
	tests := map[string]struct {
		in   []health.Status
		want health.Status
	}{
		"none":                    {nil, health.Healthy},
		"all healthy":             {[]health.Status{health.Healthy, health.Healthy}, health.Healthy},
		"degraded beats progress": {[]health.Status{health.Progressing, health.Degraded, health.Healthy}, health.Degraded},
		"missing beats suspended": {[]health.Status{health.Suspended, health.Missing}, health.Missing},
		"unknown is worst":        {[]health.Status{health.Degraded, health.Unknown}, health.Unknown},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			NewWithT(t).Expect(health.Worst(tc.in...)).To(Equal(tc.want))
		})
	}
}

func TestBuiltinKinds(t *testing.T) {
	g := NewWithT(t)
	kinds := health.BuiltinKinds()
	g.Expect(kinds).To(HaveLen(18))
	for _, gk := range kinds {
		g.Expect(health.IsBuiltinKind(gk)).To(BeTrue())
	}
	g.Expect(kinds[0].Group).To(BeEmpty()) // sorted: the core group first
}
