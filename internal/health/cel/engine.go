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
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	celgo "github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/ext"
	"github.com/google/cel-go/interpreter"
)

// The errors of an expression. Every error returned by Compile and Eval
// wraps one of them.
var (
	// ErrCompile: the expression does not parse.
	ErrCompile = errors.New("cel: the expression does not compile")
	// ErrEval: the expression failed at run time (a missing field, a
	// result that is not a bool, ...).
	ErrEval = errors.New("cel: evaluation failed")
	// ErrCostLimit: the expression was stopped by the cost limit.
	ErrCostLimit = errors.New("cel: cost limit exceeded")
	// ErrTimeout: the expression ran past its deadline.
	ErrTimeout = errors.New("cel: deadline exceeded")
)

// Options bound the evaluation of one expression.
type Options struct {
	// CostLimit is CEL's runtime cost limit of one evaluation (the units
	// of cel.CostLimit; about one per operation, more for operations on
	// lists and strings). Kubernetes allows one expression 1,000,000.
	CostLimit uint64
	// Timeout bounds one evaluation.
	Timeout time.Duration
	// CacheSize bounds the number of compiled programs kept; when it is
	// reached the cache is emptied and filled again.
	CacheSize int
}

// DefaultOptions returns the defaults: a cost limit of 1,000,000 (the
// per-expression limit of Kubernetes validation rules), a deadline of one
// second and a cache of 1024 programs.
func DefaultOptions() Options {
	return Options{CostLimit: 1_000_000, Timeout: time.Second, CacheSize: 1024}
}

// Engine compiles and evaluates expressions. It is safe for concurrent use.
type Engine struct {
	opts Options
	env  *celgo.Env

	mu    sync.Mutex
	cache map[string]*Program
}

// NewEngine returns an engine; zero fields of o take their defaults.
func NewEngine(o Options) *Engine {
	d := DefaultOptions()
	if o.CostLimit == 0 {
		o.CostLimit = d.CostLimit
	}
	if o.Timeout <= 0 {
		o.Timeout = d.Timeout
	}
	if o.CacheSize <= 0 {
		o.CacheSize = d.CacheSize
	}
	env, err := celgo.NewEnv(
		celgo.HomogeneousAggregateLiterals(),
		celgo.EagerlyValidateDeclarations(true),
		celgo.DefaultUTCTimeZone(true),
		celgo.CrossTypeNumericComparisons(true),
		celgo.OptionalTypes(),
		ext.Strings(),
		ext.Sets(),
		ext.Encoders(),
	)
	if err != nil {
		// The options are constant; only a broken build gets here.
		panic(fmt.Sprintf("cel: building the environment: %v", err))
	}
	return &Engine{opts: o, env: env, cache: map[string]*Program{}}
}

// Program is a compiled expression.
type Program struct {
	expr string
	prog celgo.Program
}

// String returns the expression's text.
func (p *Program) String() string { return p.expr }

// Compile parses expr, or returns the program cached for the same text. The
// error wraps ErrCompile and quotes the expression.
func (e *Engine) Compile(expr string) (*Program, error) {
	e.mu.Lock()
	p, ok := e.cache[expr]
	e.mu.Unlock()
	if ok {
		return p, nil
	}
	if strings.TrimSpace(expr) == "" {
		return nil, fmt.Errorf("%w: the expression is empty", ErrCompile)
	}
	ast, issues := e.env.Parse(expr)
	if issues != nil && issues.Err() != nil {
		return nil, fmt.Errorf("%w: %q: %s", ErrCompile, expr, describeIssues(issues))
	}
	prog, err := e.env.Program(ast,
		celgo.EvalOptions(celgo.OptOptimize),
		celgo.CostLimit(e.opts.CostLimit),
		celgo.InterruptCheckFrequency(100),
	)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrCompile, expr, err)
	}
	p = &Program{expr: expr, prog: prog}
	e.mu.Lock()
	if len(e.cache) >= e.opts.CacheSize {
		clear(e.cache)
	}
	e.cache[expr] = p
	e.mu.Unlock()
	return p, nil
}

// EvalBool evaluates p with the top-level fields of obj as variables. The
// error wraps ErrEval, ErrCostLimit or ErrTimeout and quotes the expression.
func (e *Engine) EvalBool(ctx context.Context, p *Program, obj map[string]any) (bool, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, e.opts.Timeout, ErrTimeout)
	defer cancel()
	val, err := safeEval(ctx, p.prog, obj)
	switch {
	case err == nil:
	case errors.Is(context.Cause(ctx), ErrTimeout):
		return false, fmt.Errorf("%w: %q ran longer than %s", ErrTimeout, p.expr, e.opts.Timeout)
	case isCostLimit(err):
		return false, fmt.Errorf("%w: %q costs more than %d", ErrCostLimit, p.expr, e.opts.CostLimit)
	default:
		return false, fmt.Errorf("%w: %q: %w", ErrEval, p.expr, err)
	}
	b, ok := val.(types.Bool)
	if !ok {
		return false, fmt.Errorf("%w: %q returned %s, not a bool", ErrEval, p.expr, val.Type().TypeName())
	}
	return bool(b), nil
}

// safeEval runs the program, turning a panic of the interpreter into an
// error.
func safeEval(ctx context.Context, prog celgo.Program, obj map[string]any) (val ref.Val, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	if obj == nil {
		obj = map[string]any{}
	}
	v, _, err := prog.ContextEval(ctx, obj)
	if err != nil {
		return nil, err
	}
	return v, nil
}

func isCostLimit(err error) bool {
	var c interpreter.EvalCancelledError
	return errors.As(err, &c) && c.Cause == interpreter.CostLimitExceeded
}

// describeIssues lists the problems of a parse on one line, each with its
// line and column ("1:46: Syntax error: missing ')' at '<EOF>'").
func describeIssues(issues *celgo.Issues) string {
	errs := issues.Errors()
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		msg := e.Message
		if loc := e.Location; loc != nil && loc.Line() > 0 {
			msg = fmt.Sprintf("%d:%d: %s", loc.Line(), loc.Column()+1, msg)
		}
		out = append(out, msg)
	}
	return strings.Join(out, "; ")
}
