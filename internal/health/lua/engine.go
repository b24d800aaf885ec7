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

package lua

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/syncwave/syncwave/internal/health"
)

// The errors of a failed evaluation. Eval wraps exactly one of them, so that
// errors.Is tells what went wrong; the message of the Unknown result is the
// error's text.
var (
	// ErrCompile: the script does not parse.
	ErrCompile = errors.New("lua: syntax error")
	// ErrRuntime: the script raised an error (error(), a nil index, a
	// missing function, a stack overflow, ...).
	ErrRuntime = errors.New("lua: runtime error")
	// ErrTimeout: the script ran past its deadline.
	ErrTimeout = errors.New("lua: deadline exceeded")
	// ErrMemoryLimit: the script was stopped because the heap grew too much
	// while it ran, or a library call would have built a string above the
	// limit.
	ErrMemoryLimit = errors.New("lua: memory limit exceeded")
	// ErrInvalidResult: the script returned something other than a table with
	// a valid status.
	ErrInvalidResult = errors.New("lua: invalid result")
)

// chunkName is the name scripts are compiled under; it prefixes the position
// in runtime error messages, as Argo CD's (which runs DoString) does.
const chunkName = "<string>"

// Options configures an Engine. A zero field takes its default; see
// DefaultOptions.
type Options struct {
	// Timeout bounds one evaluation; a script still running then is stopped
	// and its result is Unknown. Argo CD uses 1 s.
	Timeout time.Duration
	// CallStackSize bounds the depth of Lua calls, so that runaway recursion
	// fails with "stack overflow" instead of growing without end.
	CallStackSize int
	// RegistrySize is the initial size of a state's data stack, in slots;
	// RegistryMaxSize the size it may grow to (unpack of a huge range, or
	// string.byte of a long string, fail with "registry overflow" beyond it).
	RegistrySize    int
	RegistryMaxSize int
	// MaxStringBytes bounds the string that one library call (string.rep,
	// string.format, string.gsub, table.concat) may build, so that a single
	// call cannot allocate gigabytes before the deadline is looked at.
	MaxStringBytes int
	// MaxMemoryBytes is how much the Go heap may grow while one slow
	// evaluation (one running longer than a few milliseconds) runs before it
	// is stopped: gopher-lua has no allocator limit, and a loop such as
	// s = s .. s doubles its memory with every step. The heap is process-wide,
	// so concurrent allocations count too; the bound is meant to be far above
	// what any real health check needs.
	MaxMemoryBytes uint64
	// CacheSize bounds the number of compiled scripts kept.
	CacheSize int
	// Print receives what scripts print; nil discards it. The CLI points it
	// at stderr so that print debugging works there.
	Print io.Writer
	// Now is the clock behind os.time and os.date; nil means the wall clock.
	Now func() time.Time
}

// DefaultOptions returns the options NewEngine uses for zero fields.
func DefaultOptions() Options {
	return Options{
		Timeout:         time.Second,
		CallStackSize:   200,
		RegistrySize:    1024,
		RegistryMaxSize: 64 * 1024,
		MaxStringBytes:  8 << 20,
		MaxMemoryBytes:  256 << 20,
		CacheSize:       512,
		Now:             time.Now, //nolint:forbidigo // the scripts' own clock: os.time and os.date
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.Timeout <= 0 {
		o.Timeout = d.Timeout
	}
	if o.CallStackSize <= 0 {
		o.CallStackSize = d.CallStackSize
	}
	if o.RegistrySize <= 0 {
		o.RegistrySize = d.RegistrySize
	}
	if o.RegistryMaxSize <= 0 {
		o.RegistryMaxSize = d.RegistryMaxSize
	}
	o.RegistryMaxSize = max(o.RegistryMaxSize, o.RegistrySize)
	if o.MaxStringBytes <= 0 {
		o.MaxStringBytes = d.MaxStringBytes
	}
	if o.MaxMemoryBytes == 0 {
		o.MaxMemoryBytes = d.MaxMemoryBytes
	}
	if o.CacheSize <= 0 {
		o.CacheSize = d.CacheSize
	}
	if o.Print == nil {
		o.Print = io.Discard
	}
	if o.Now == nil {
		o.Now = d.Now
	}
	return o
}

// Engine evaluates health scripts. It compiles each distinct script once
// (cached by content hash) and runs each evaluation in a pooled Lua state
// with fresh globals. An Engine is safe for concurrent use.
type Engine struct {
	opts Options

	mu    sync.RWMutex
	cache map[[sha256.Size]byte]*compiled

	// pools hold idle states, one pool without and one with the open libs.
	pools [2]sync.Pool
}

type compiled struct {
	proto *lua.FunctionProto
	err   error
}

// NewEngine returns an Engine with opts (zero fields take their defaults).
func NewEngine(opts Options) *Engine {
	e := &Engine{opts: opts.withDefaults(), cache: map[[sha256.Size]byte]*compiled{}}
	for i := range e.pools {
		openLibs := i == 1
		e.pools[i].New = func() any { return newState(&e.opts, openLibs) }
	}
	return e
}

// Options returns the engine's effective options.
func (e *Engine) Options() Options { return e.opts }

// Eval runs script against obj. useOpenLibs opens the string and math
// libraries (see the package documentation).
//
// A nil error means the script ran and returned a valid status. A non-nil
// error is a script error (it wraps ErrCompile, ErrRuntime, ErrTimeout,
// ErrMemoryLimit or ErrInvalidResult; or ctx's error when ctx ended first)
// and the Result is then already the Unknown result with the error's text as
// message. The Result's Source is always health.SourceLua.
// ClockRecheck is how soon an object is judged again whose script read
// the time and did not find it Healthy: its result may change with no
// event of the object (a deadline in the script).
const ClockRecheck = 10 * time.Second

func (e *Engine) Eval(ctx context.Context, script string, useOpenLibs bool, obj *unstructured.Unstructured) (res health.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: panic: %v", ErrRuntime, r)
			res = unknown(err)
		}
	}()
	proto, err := e.compile(script)
	if err != nil {
		return unknown(err), err
	}
	ctx, cancelTimeout := context.WithTimeoutCause(ctx, e.opts.Timeout, errDeadline)
	defer cancelTimeout()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopWatch := e.watchMemory(ctx, cancel)
	defer stopWatch()

	pool := &e.pools[boolIndex(useOpenLibs)]
	st := pool.Get().(*state)
	var objectValue map[string]any
	if obj != nil {
		objectValue = obj.Object
	}
	ret, runErr := st.run(ctx, proto, objectValue)
	if runErr != nil {
		err = e.classify(ctx, st, runErr)
		// A state that failed may be left in any shape: drop it.
		st.close()
		return unknown(err), err
	}
	res, err = decodeResult(ret)
	if err == nil && st.readClock && res.Status != health.Healthy {
		// Nothing of the object changes when the time does: judge it again.
		res.RecheckAfter = ClockRecheck
	}
	st.reset()
	pool.Put(st)
	if err != nil {
		return unknown(err), err
	}
	return res, nil
}

// Compile parses and compiles script (or takes it from the cache) and
// returns its syntax error, if any: a cheap check for lint and for
// ParseConfigMap's callers.
func (e *Engine) Compile(script string) error {
	_, err := e.compile(script)
	return err
}

func (e *Engine) compile(script string) (*lua.FunctionProto, error) {
	key := sha256.Sum256([]byte(script))
	e.mu.RLock()
	c, ok := e.cache[key]
	e.mu.RUnlock()
	if ok {
		return c.proto, c.err
	}
	c = &compiled{}
	c.proto, c.err = compileScript(script)
	e.mu.Lock()
	if len(e.cache) >= e.opts.CacheSize {
		// Scripts change rarely (a ConfigMap edit); dropping an arbitrary
		// entry is enough to keep the cache bounded.
		for k := range e.cache {
			delete(e.cache, k)
			break
		}
	}
	e.cache[key] = c
	e.mu.Unlock()
	return c.proto, c.err
}

func compileScript(script string) (*lua.FunctionProto, error) {
	chunk, err := parse.Parse(strings.NewReader(script), chunkName)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrCompile, oneLine(err.Error()))
	}
	rewriteConcat(chunk)
	proto, err := lua.Compile(chunk, chunkName)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrCompile, oneLine(err.Error()))
	}
	return proto, nil
}

// errDeadline and errMemory are the causes the engine cancels an evaluation
// with; classify maps them to the exported errors.
var (
	errDeadline = errors.New("deadline")
	errMemory   = errors.New("memory")
)

func (e *Engine) classify(ctx context.Context, st *state, runErr error) error {
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errMemory):
		return fmt.Errorf("%w: the heap grew by more than %d MiB while the script ran", ErrMemoryLimit, e.opts.MaxMemoryBytes>>20)
	case errors.Is(cause, errDeadline):
		return fmt.Errorf("%w: the script ran longer than %s", ErrTimeout, e.opts.Timeout)
	case cause != nil:
		return fmt.Errorf("lua: evaluation stopped: %w", cause)
	}
	if st.limitErr != "" {
		return fmt.Errorf("%w: %s", ErrMemoryLimit, st.limitErr)
	}
	msg := runErr.Error()
	var apiErr *lua.ApiError
	if errors.As(runErr, &apiErr) && apiErr.Object != nil {
		msg = apiErr.Object.String()
	}
	return fmt.Errorf("%w: %s", ErrRuntime, oneLine(msg))
}

func unknown(err error) health.Result {
	return health.Result{Status: health.Unknown, Message: err.Error(), Source: health.SourceLua}
}

// oneLine keeps the first line of a message: gopher-lua appends a stack
// traceback that does not belong in a status message.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}
