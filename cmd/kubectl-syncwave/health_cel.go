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

package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/health/cel"
	"github.com/syncwave/syncwave/internal/health/lua"
)

// celAssessors returns the CEL layers of the health command, to put in
// front of the Lua ones: the checks of --cel (like spec.healthCheckExprs,
// they win over the ConfigMap), then the health.cel.* keys of --configmap
// for the kinds that the ConfigMap has no Lua script for (at one level Lua
// wins, as in the controller). A --cel file that does not compile is an
// error, as the controller refuses such an operation.
func celAssessors(o *healthOptions, stderr io.Writer) ([]health.Assessor, error) {
	e := cel.NewEngine(cel.Options{Timeout: o.timeout})
	var out []health.Assessor
	if o.celFile != "" {
		raw, err := os.ReadFile(o.celFile)
		if err != nil {
			return nil, err
		}
		list, err := cel.ParseChecks(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.celFile, err)
		}
		checks, err := e.BuildFrom(o.celFile, list)
		if err != nil {
			return nil, err
		}
		out = append(out, e.Assessor(checks))
	}
	if o.configMap != "" {
		checks, scripts, err := readCELConfigMap(o.configMap, e, stderr)
		if err != nil {
			return nil, err
		}
		a := e.Assessor(checks)
		out = append(out, health.AssessorFunc(func(obj *unstructured.Unstructured) (health.Result, bool, error) {
			if obj == nil || scripts.HasScript(obj.GroupVersionKind().GroupKind()) {
				return health.Result{}, false, nil
			}
			return a.Assess(obj)
		}))
	}
	return out, nil
}

// readCELConfigMap reads the health.cel.* keys of the health ConfigMap
// manifest in path, and its Lua scripts (which win over CEL for a kind at
// the ConfigMap's level). Keys that do not parse are reported on stderr and,
// as in the controller, judge their kinds Unknown.
func readCELConfigMap(path string, e *cel.Engine, stderr io.Writer) (*cel.Checks, *lua.Overrides, error) {
	obj, err := readObjectFile(path)
	if err != nil {
		return nil, nil, err
	}
	data, _, err := unstructured.NestedStringMap(obj.Object, "data")
	if err != nil {
		return nil, nil, fmt.Errorf("%s: data: %w", path, err)
	}
	checks, errs := cel.ParseConfigMap(e, data)
	for _, err := range errs {
		fmt.Fprintf(stderr, "warning: %s: %v\n", path, err)
	}
	scripts, _ := lua.ParseConfigMap(data)
	return checks, scripts, nil
}

// withCELFixtures adds the CEL fixtures under dir (a health_test.yaml beside
// a health.cel.yaml and no health.lua) to the Lua cases, in place of the
// "no health.lua" failures that the Lua walk reports for them. A CEL case
// whose fixture names no message passes on the status alone.
func withCELFixtures(ctx context.Context, fsys fs.FS, cases []lua.FixtureCase, o *healthTestOptions) ([]lua.FixtureCase, error) {
	dirs, err := cel.FixtureDirs(fsys)
	if err != nil || len(dirs) == 0 {
		return cases, err
	}
	cases = slices.DeleteFunc(cases, func(c lua.FixtureCase) bool { return slices.Contains(dirs, c.Dir) })
	celCases, err := cel.NewEngine(cel.Options{Timeout: o.timeout}).RunFixtures(ctx, fsys)
	if err != nil {
		return nil, err
	}
	for _, c := range celCases {
		want := c.Want
		if want.Message == "" && c.Passed() {
			want.Message = c.Got.Message
		}
		cases = append(cases, lua.FixtureCase{Dir: c.Dir, InputPath: c.InputPath, Want: want, Got: c.Got, Err: c.Err})
	}
	return cases, nil
}
