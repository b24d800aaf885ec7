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

package controller

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// probeInterval is how often, at most, an unreachable cluster is asked
// again whether it serves; reconciles in between fail fast.
const probeInterval = 2 * time.Second

// probeTimeout bounds one such question.
const probeTimeout = 3 * time.Second

// reachability tracks whether a remote cluster answers, from every request
// that goes to it (the transport of its clients and informers): a request
// that gets no answer marks it unreachable, any answer marks it reachable.
// While it is unreachable, operations on it fail fast instead of waiting on
// timeouts, and one reconcile at a time probes it again (/readyz), at most
// every probeInterval.
type reachability struct {
	probe func(ctx context.Context) error
	// onChange is called when the cluster stops or starts answering.
	onChange func()

	mu sync.Mutex
	// answered says that some request got an answer once: a new
	// connection is probed before it is used.
	answered  bool
	err       error
	since     time.Time
	lastProbe time.Time
	probing   bool
	now       func() time.Time
}

func (r *reachability) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

// wrap is a rest.Config transport wrapper.
func (r *reachability) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		switch {
		case err == nil:
			r.record(nil)
		case errors.Is(req.Context().Err(), context.Canceled), proxied(req):
			// A request its caller gave up on says nothing of the
			// cluster, nor does one the API server passes on to a
			// kubelet (a pod's log); one that failed or timed out does.
		default:
			r.record(err)
		}
		return resp, err
	})
}

// proxied tells a request that the API server answers by asking a kubelet
// (pods/log, exec, attach, port-forward, proxy): a kubelet that hangs makes
// it time out while the API server serves.
func proxied(req *http.Request) bool {
	p := req.URL.Path
	return strings.Contains(p, "/pods/") && (strings.HasSuffix(p, "/log") || strings.HasSuffix(p, "/exec") ||
		strings.HasSuffix(p, "/attach") || strings.HasSuffix(p, "/portforward") || strings.Contains(p, "/proxy"))
}

func (r *reachability) record(err error) {
	r.mu.Lock()
	changed := (err == nil) != (r.err == nil)
	switch {
	case err == nil:
		r.err, r.answered = nil, true
	case r.err == nil:
		r.err, r.since = err, r.clock()
	default:
		r.err = err
	}
	r.mu.Unlock()
	if changed && r.onChange != nil {
		r.onChange()
	}
}

// Unreachable returns why the cluster does not answer, nil when it does.
func (r *reachability) Unreachable() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		return nil
	}
	return &unreachableError{err: r.err, since: r.since}
}

// Check probes a cluster known to be unreachable, or never heard from,
// unless another reconcile does or one did within probeInterval, and
// returns Unreachable.
func (r *reachability) Check(ctx context.Context) error {
	r.mu.Lock()
	if (r.err == nil && r.answered) || r.probing || r.clock().Sub(r.lastProbe) < probeInterval || r.probe == nil {
		r.mu.Unlock()
		return r.Unreachable()
	}
	r.probing, r.lastProbe = true, r.clock()
	r.mu.Unlock()
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	err := r.probe(pctx)
	cancel()
	r.mu.Lock()
	r.probing = false
	r.mu.Unlock()
	r.record(err)
	return r.Unreachable()
}

// unreachableError says since when a cluster does not answer.
type unreachableError struct {
	err   error
	since time.Time
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("unreachable since %s: %v", e.since.UTC().Format(time.RFC3339), e.err)
}

func (e *unreachableError) Unwrap() error { return e.err }

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }
