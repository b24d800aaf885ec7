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
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/syncwave/syncwave/internal/health"
)

// Assessor returns a health.Assessor that evaluates the script for an
// object's group and kind from the first of layers that has one (pass the
// operation's spec.healthChecks first, then the ConfigMap's, then the
// library's; nil layers are skipped). It has no opinion about a kind that no
// layer has a script for, so that a health.Chain goes on to the built-in
// checks.
//
// A broken script (Script.Err: its ConfigMap key does not parse, it does
// not compile) gives Unknown with Script.Err, and that error. When the script
// fails, Assess returns the Unknown result, true and the
// error (it wraps ErrRuntime and friends, see Eval), so that the caller can
// count syncwave_lua_errors_total; the error's text, which health.Chain uses
// as the message, names the script's origin.
func (e *Engine) Assessor(layers ...*Overrides) health.Assessor {
	return health.AssessorFunc(func(obj *unstructured.Unstructured) (health.Result, bool, error) {
		if obj == nil {
			return health.Result{}, false, nil
		}
		gk := obj.GroupVersionKind().GroupKind()
		for _, l := range layers {
			s, ok := l.Lookup(gk)
			if !ok {
				continue
			}
			if res, broken := s.brokenResult(); broken {
				return res, true, s.Err
			}
			res, err := e.Eval(context.Background(), s.Lua, s.UseOpenLibs, obj)
			if err != nil {
				err = fmt.Errorf("health script %s: %w", s.Origin, err)
				res.Message = err.Error()
			}
			return res, true, err
		}
		return health.Result{}, false, nil
	})
}

// HasScript tells whether one of layers has a script for gk.
func HasScript(gk schema.GroupKind, layers ...*Overrides) bool {
	for _, l := range layers {
		if l.HasScript(gk) {
			return true
		}
	}
	return false
}

// brokenResult is the Unknown result of a broken script (Script.Err).
func (s Script) brokenResult() (health.Result, bool) {
	if s.Err == nil {
		return health.Result{}, false
	}
	return health.Result{Status: health.Unknown, Message: s.Err.Error(), Source: health.SourceLua}, true
}
