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
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/syncwave/syncwave/internal/health"
)

// fixtureFile is Argo CD's health_test.yaml.
type fixtureFile struct {
	Tests []struct {
		HealthStatus struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"healthStatus"`
		InputPath string `json:"inputPath"`
	} `json:"tests"`
}

// FixtureCase is one test of a health_test.yaml file.
type FixtureCase struct {
	// Dir is the directory of the health_test.yaml, slash-separated and
	// relative to the walked root.
	Dir string
	// InputPath is the object's file, relative to Dir.
	InputPath string
	// Script is the health.lua that judged the object, relative to the
	// root; "" when the case has none.
	Script string
	// Want is the expected status and message; Got what the script gave.
	Want, Got health.Result
	// Err is a problem with the case itself (no script for the object's
	// kind, an unreadable input); the case fails. A script error is not an
	// Err: it is the Unknown result in Got, which a case may expect.
	Err error
}

// Passed tells whether the case gave the expected status and message.
func (c FixtureCase) Passed() bool {
	return c.Err == nil && c.Got.Status == c.Want.Status && c.Got.Message == c.Want.Message
}

// RunFixtures walks fsys for health_test.yaml files in Argo CD's format
// (tests: [{inputPath, healthStatus: {status, message}}]) and judges each
// input (a path relative to the file) with the script that fsys, read as a
// tree (LoadTree), has for the input object's group and kind: the health.lua
// beside the file, or another one, because Argo CD's own test driver picks
// the script by the object, exact directory first, then the wildcard
// directories. (A Provider of pkg.crossplane.io among the fixtures of
// _.crossplane.io/_ is judged by pkg.crossplane.io/Provider/health.lua.)
// fsys must therefore be the root of the tree. Status and message are
// compared exactly, as Argo CD's tests do. useOpenLibs applies to every
// script; Argo CD tests its built-in scripts with the open libraries.
//
// As in Argo CD, a health.lua without a health_test.yaml beside it is a
// failed case, and so is a health_test.yaml without a health.lua. The error
// reports a walk that failed.
func (e *Engine) RunFixtures(ctx context.Context, fsys fs.FS, useOpenLibs bool) ([]FixtureCase, error) {
	tests, scripts := map[string]bool{}, map[string]bool{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
		case path.Base(p) == FixtureFile:
			tests[path.Dir(p)] = true
		case path.Base(p) == ScriptFile:
			scripts[path.Dir(p)] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	tree, _ := LoadTree(fsys) // a script's problems show in the cases it judges
	var cases []FixtureCase
	for _, dir := range slices.Sorted(maps.Keys(unionSet(tests, scripts))) {
		switch {
		case !tests[dir]:
			cases = append(cases, FixtureCase{Dir: dir, InputPath: ScriptFile, Err: fmt.Errorf("no %s beside it", FixtureFile)})
		case !scripts[dir]:
			cases = append(cases, FixtureCase{Dir: dir, InputPath: FixtureFile, Err: fmt.Errorf("no %s beside it", ScriptFile)})
		default:
			cases = append(cases, e.runFixtureFile(ctx, fsys, tree, dir, useOpenLibs)...)
		}
	}
	return cases, nil
}

func unionSet(a, b map[string]bool) map[string]bool {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

func (e *Engine) runFixtureFile(ctx context.Context, fsys fs.FS, tree *Overrides, dir string, useOpenLibs bool) []FixtureCase {
	fail := func(err error) []FixtureCase {
		return []FixtureCase{{Dir: dir, InputPath: FixtureFile, Err: err}}
	}
	raw, err := fs.ReadFile(fsys, path.Join(dir, FixtureFile))
	if err != nil {
		return fail(err)
	}
	var ff fixtureFile
	if err := yaml.Unmarshal(raw, &ff); err != nil {
		return fail(fmt.Errorf("parse %s: %w", FixtureFile, err))
	}
	if len(ff.Tests) == 0 {
		return fail(fmt.Errorf("%s has no tests", FixtureFile))
	}
	cases := make([]FixtureCase, 0, len(ff.Tests))
	for _, t := range ff.Tests {
		c := FixtureCase{
			Dir:       dir,
			InputPath: t.InputPath,
			Want:      health.Result{Status: health.Status(t.HealthStatus.Status), Message: t.HealthStatus.Message, Source: health.SourceLua},
		}
		c.Script, c.Got, c.Err = e.judgeFixture(ctx, fsys, tree, path.Join(dir, t.InputPath), useOpenLibs)
		cases = append(cases, c)
	}
	return cases
}

// judgeFixture evaluates the object in file p with the tree's script for it.
func (e *Engine) judgeFixture(ctx context.Context, fsys fs.FS, tree *Overrides, p string, useOpenLibs bool) (string, health.Result, error) {
	obj, err := readObject(fsys, p)
	if err != nil {
		return "", health.Result{}, err
	}
	gk := obj.GroupVersionKind().GroupKind()
	if gk.Kind == "" {
		return "", health.Result{}, fmt.Errorf("%s: the object has no kind, and scripts are picked by the object's group and kind", p)
	}
	s, ok := tree.Lookup(gk)
	if !ok {
		return "", health.Result{}, fmt.Errorf("%s: the tree has no %s for %s (scripts are picked by the object's group and kind, as Argo CD does; run the fixtures from the root of the tree)", p, ScriptFile, joinKey(gk.Group, gk.Kind))
	}
	if res, broken := s.brokenResult(); broken {
		return s.Origin, res, nil
	}
	res, _ := e.Eval(ctx, s.Lua, useOpenLibs, obj)
	return s.Origin, res, nil
}

// readObject reads one object from a YAML or JSON file of fsys.
func readObject(fsys fs.FS, p string) (*unstructured.Unstructured, error) {
	if !fs.ValidPath(p) { // an inputPath with "..": the fixtures are read from inside the directory only
		return nil, fmt.Errorf("inputPath %s leaves the directory the fixtures are read from", p)
	}
	raw, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, err
	}
	return ParseObject(raw)
}

// ParseObject parses one object from YAML or JSON.
func ParseObject(raw []byte) (*unstructured.Unstructured, error) {
	var m map[string]any
	if err := yaml.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("parse object: %w", err)
	}
	if len(m) == 0 {
		return nil, errors.New("parse object: the document is empty")
	}
	return &unstructured.Unstructured{Object: m}, nil
}
