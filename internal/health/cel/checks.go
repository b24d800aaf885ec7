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

package cel

import (
	"context"
	"fmt"
	"math"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
)

// Check is one compiled healthCheckExprs entry.
type Check struct {
	// Origin says where the entry came from (spec.healthCheckExprs[2], a
	// ConfigMap key); it prefixes messages.
	Origin string
	// GroupKind is what the entry matches; an empty Kind matches every kind
	// of the group.
	GroupKind schema.GroupKind

	current, failed, inProgress *Program
	// err is why the entry does not compile: objects it matches are
	// Unknown with it, instead of falling back to another check.
	err error
}

// Checks holds compiled checks by group and kind. The zero value and nil
// are empty; a Checks is not modified after it is built.
type Checks struct {
	byKind map[schema.GroupKind]*Check
}

// Lookup returns the check for gk: the entry of its kind, else the entry of
// its group without a kind (Flux's precedence).
func (c *Checks) Lookup(gk schema.GroupKind) (*Check, bool) {
	if c == nil {
		return nil, false
	}
	if ch, ok := c.byKind[gk]; ok {
		return ch, true
	}
	ch, ok := c.byKind[schema.GroupKind{Group: gk.Group}]
	return ch, ok
}

// Len returns the number of entries.
func (c *Checks) Len() int {
	if c == nil {
		return 0
	}
	return len(c.byKind)
}

// GroupKindOf is the group and kind that an entry matches: the group of its
// apiVersion (the version is ignored) and its kind, empty for every kind.
func GroupKindOf(x syncv1alpha1.HealthCheckExpr) schema.GroupKind {
	return schema.GroupKind{Group: schema.FromAPIVersionAndKind(x.APIVersion, "").Group, Kind: x.Kind}
}

// Build compiles the entries of spec.healthCheckExprs. The first problem
// is returned, naming the entry (spec.healthCheckExprs[i]), its kind, the
// field and the expression: an entry without apiVersion or current, an
// expression that does not compile, two entries for one group and kind.
func (e *Engine) Build(list []syncv1alpha1.HealthCheckExpr) (*Checks, error) {
	return e.BuildFrom("spec.healthCheckExprs", list)
}

// BuildFrom is Build for entries of another origin (a file name): errors
// name origin[i].
func (e *Engine) BuildFrom(origin string, list []syncv1alpha1.HealthCheckExpr) (*Checks, error) {
	c, errs := e.BuildAll(origin, list)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return c, nil
}

// BuildAll is BuildFrom that reports every problem and keeps what it can:
// an entry that does not compile is kept, so that the objects it matches
// become Unknown with its error instead of silently falling back to
// another check.
func (e *Engine) BuildAll(origin string, list []syncv1alpha1.HealthCheckExpr) (*Checks, []error) {
	c := &Checks{byKind: map[schema.GroupKind]*Check{}}
	var errs []error
	for i, x := range list {
		ch, err := e.compileKept(fmt.Sprintf("%s[%d]", origin, i), x)
		if err != nil {
			errs = append(errs, err)
		}
		if ch == nil {
			continue
		}
		if err := c.add(ch); err != nil {
			errs = append(errs, err)
		}
	}
	return c, errs
}

// compileKept is compile that, when an expression does not compile,
// returns along with the error a Check that carries it.
func (e *Engine) compileKept(origin string, x syncv1alpha1.HealthCheckExpr) (*Check, error) {
	ch, err := e.compile(origin, x)
	if err == nil {
		return ch, nil
	}
	if x.APIVersion == "" || x.Current == "" {
		return nil, err
	}
	return &Check{Origin: origin, GroupKind: GroupKindOf(x), err: err}, err
}

func (c *Checks) add(ch *Check) error {
	if c.byKind == nil {
		c.byKind = map[schema.GroupKind]*Check{}
	}
	if prev, ok := c.byKind[ch.GroupKind]; ok {
		return fmt.Errorf("%s (%s): duplicate health check for %s, already given by %s", ch.Origin, describeGK(ch.GroupKind), describeGK(ch.GroupKind), prev.Origin)
	}
	c.byKind[ch.GroupKind] = ch
	return nil
}

// compile compiles one entry; the error names origin, the kind, the field
// and the expression.
func (e *Engine) compile(origin string, x syncv1alpha1.HealthCheckExpr) (*Check, error) {
	gk := GroupKindOf(x)
	ch := &Check{Origin: origin, GroupKind: gk}
	if x.APIVersion == "" {
		return nil, fmt.Errorf("%s: apiVersion is required", origin)
	}
	if _, err := schema.ParseGroupVersion(x.APIVersion); err != nil {
		return nil, fmt.Errorf("%s: apiVersion %q: %w", origin, x.APIVersion, err)
	}
	if x.Current == "" {
		return nil, fmt.Errorf("%s (%s): current is required", origin, describeGK(gk))
	}
	for _, f := range []struct {
		name, expr string
		prog       **Program
	}{
		{"current", x.Current, &ch.current},
		{"failed", x.Failed, &ch.failed},
		{"inProgress", x.InProgress, &ch.inProgress},
	} {
		if f.expr == "" {
			continue
		}
		p, err := e.Compile(f.expr)
		if err != nil {
			return nil, fmt.Errorf("%s (%s): %s: %w", origin, describeGK(gk), f.name, err)
		}
		*f.prog = p
	}
	return ch, nil
}

func describeGK(gk schema.GroupKind) string {
	switch {
	case gk.Kind == "" && gk.Group == "":
		return "every kind of the core group"
	case gk.Kind == "":
		return "every kind of " + gk.Group
	case gk.Group == "":
		return gk.Kind
	}
	return gk.Kind + "." + gk.Group
}

// Evaluate judges obj by the check, as Flux does (see the package doc). An
// expression that fails gives Unknown and the error.
func (e *Engine) Evaluate(ctx context.Context, ch *Check, obj *unstructured.Unstructured) (health.Result, error) {
	res := func(s health.Status, msg string) health.Result {
		return health.Result{Status: s, Message: msg, Source: health.SourceCEL}
	}
	if ch.err != nil {
		return res(health.Unknown, ch.err.Error()), ch.err
	}
	content := obj.UnstructuredContent()
	if og, ok := integer(content, "status", "observedGeneration"); ok {
		if g, ok := integer(content, "metadata", "generation"); ok && og != g {
			return res(health.Progressing, fmt.Sprintf("status.observedGeneration %d is not metadata.generation %d", og, g)), nil
		}
	}
	for _, step := range []struct {
		name   string
		prog   *Program
		status health.Status
	}{
		{"inProgress", ch.inProgress, health.Progressing},
		{"failed", ch.failed, health.Degraded},
		{"current", ch.current, health.Healthy},
	} {
		if step.prog == nil {
			continue
		}
		ok, err := e.EvalBool(ctx, step.prog, content)
		if err != nil {
			err = fmt.Errorf("health check %s: %s: %w", ch.Origin, step.name, err)
			return res(health.Unknown, err.Error()), err
		}
		if ok {
			return res(step.status, fmt.Sprintf("%s is true: %s", step.name, step.prog)), nil
		}
	}
	return res(health.Progressing, fmt.Sprintf("waiting for current to be true: %s", ch.current)), nil
}

// integer reads an integer field: an int64 as the API server's JSON gives
// it, or a whole float64 as a YAML file read offline gives it. Anything else
// (some CRDs type observedGeneration as a string) is not an integer, and
// Flux then leaves the decision to the expressions.
func integer(obj map[string]any, fields ...string) (int64, bool) {
	v, ok, err := unstructured.NestedFieldNoCopy(obj, fields...)
	if err != nil || !ok {
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		return n, true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	}
	return 0, false
}

// Assessor returns a health.Assessor that judges an object by the check for
// its group and kind from the first of layers that has one (nil layers are
// skipped). It has no opinion about other kinds, so that a health.Chain goes
// on. When an expression fails, Assess returns the Unknown result, true and
// the error, which names the check's origin.
func (e *Engine) Assessor(layers ...*Checks) health.Assessor {
	return health.AssessorFunc(func(obj *unstructured.Unstructured) (health.Result, bool, error) {
		if obj == nil {
			return health.Result{}, false, nil
		}
		gk := obj.GroupVersionKind().GroupKind()
		for _, l := range layers {
			if ch, ok := l.Lookup(gk); ok {
				r, err := e.Evaluate(context.Background(), ch, obj)
				return r, true, err
			}
		}
		return health.Result{}, false, nil
	})
}

// HasCheck tells whether one of layers has a check for gk.
func HasCheck(gk schema.GroupKind, layers ...*Checks) bool {
	for _, l := range layers {
		if _, ok := l.Lookup(gk); ok {
			return true
		}
	}
	return false
}
