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
	"io/fs"
	"path"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/syncwave/syncwave/internal/health"
)

// The file names of a fixture directory: Argo CD's health_test.yaml with,
// instead of a health.lua, the CEL checks in health.cel.yaml.
const (
	ChecksFile  = "health.cel.yaml"
	FixtureFile = "health_test.yaml"
	luaFile     = "health.lua"
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

// FixtureCase is one test of a health_test.yaml file judged by CEL.
type FixtureCase struct {
	// Dir is the directory of the fixture, slash-separated and relative to
	// the walked root.
	Dir string
	// InputPath is the object's file, relative to Dir.
	InputPath string
	// Want is the expected status and message; Got what the checks gave.
	Want, Got health.Result
	// Err is a problem with the case itself (a health.cel.yaml that does
	// not compile, an unreadable input, no check for the object's kind).
	Err error
}

// Passed tells whether the case gave the expected status and, when the
// fixture gives one, the expected message (Flux's checks have no messages
// of their own, so a fixture written for Flux names only the status).
func (c FixtureCase) Passed() bool {
	return c.Err == nil && c.Got.Status == c.Want.Status && (c.Want.Message == "" || c.Got.Message == c.Want.Message)
}

// FixtureDirs returns the directories of fsys that hold CEL fixtures: a
// health_test.yaml beside a health.cel.yaml and no health.lua (a health.lua
// makes it a Lua fixture).
func FixtureDirs(fsys fs.FS) ([]string, error) {
	var dirs []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || path.Base(p) != FixtureFile {
			return nil
		}
		dir := path.Dir(p)
		if exists(fsys, path.Join(dir, ChecksFile)) && !exists(fsys, path.Join(dir, luaFile)) {
			dirs = append(dirs, dir)
		}
		return nil
	})
	return dirs, err
}

func exists(fsys fs.FS, p string) bool {
	_, err := fs.Stat(fsys, p)
	return err == nil
}

// RunFixtures runs the CEL fixtures of fsys (see FixtureDirs): every input
// of each health_test.yaml is judged by the checks of its health.cel.yaml.
func (e *Engine) RunFixtures(ctx context.Context, fsys fs.FS) ([]FixtureCase, error) {
	dirs, err := FixtureDirs(fsys)
	if err != nil {
		return nil, err
	}
	var cases []FixtureCase
	for _, dir := range dirs {
		cases = append(cases, e.runFixtureDir(ctx, fsys, dir)...)
	}
	return cases, nil
}

func (e *Engine) runFixtureDir(ctx context.Context, fsys fs.FS, dir string) []FixtureCase {
	fail := func(err error) []FixtureCase {
		return []FixtureCase{{Dir: dir, InputPath: FixtureFile, Err: err}}
	}
	var ff fixtureFile
	raw, err := fs.ReadFile(fsys, path.Join(dir, FixtureFile))
	if err == nil {
		err = yaml.Unmarshal(raw, &ff)
	}
	if err != nil {
		return fail(fmt.Errorf("parse %s: %w", FixtureFile, err))
	}
	if len(ff.Tests) == 0 {
		return fail(fmt.Errorf("%s has no tests", FixtureFile))
	}
	checks, err := e.readChecks(fsys, path.Join(dir, ChecksFile))
	if err != nil {
		return fail(err)
	}
	cases := make([]FixtureCase, 0, len(ff.Tests))
	for _, t := range ff.Tests {
		c := FixtureCase{Dir: dir, InputPath: t.InputPath,
			Want: health.Result{Status: health.Status(t.HealthStatus.Status), Message: t.HealthStatus.Message, Source: health.SourceCEL}}
		c.Got, c.Err = e.fixtureCase(ctx, fsys, path.Join(dir, t.InputPath), checks)
		cases = append(cases, c)
	}
	return cases
}

func (e *Engine) readChecks(fsys fs.FS, p string) (*Checks, error) {
	raw, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, err
	}
	list, err := ParseChecks(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ChecksFile, err)
	}
	checks, err := e.BuildFrom(ChecksFile, list)
	if err != nil {
		return nil, err
	}
	return checks, nil
}

// fixtureCase judges the object in file p. An evaluation error is not an
// error of the case: it is the Unknown result, which a case may expect.
func (e *Engine) fixtureCase(ctx context.Context, fsys fs.FS, p string, checks *Checks) (health.Result, error) {
	if !fs.ValidPath(p) { // an inputPath with "..": the fixtures are read from inside the directory only
		return health.Result{}, fmt.Errorf("inputPath %s leaves the directory the fixtures are read from", p)
	}
	raw, err := fs.ReadFile(fsys, p)
	if err != nil {
		return health.Result{}, err
	}
	obj, err := parseObject(raw)
	if err != nil {
		return health.Result{}, fmt.Errorf("%s: %w", p, err)
	}
	ch, ok := checks.Lookup(obj.GroupVersionKind().GroupKind())
	if !ok {
		return health.Result{}, fmt.Errorf("%s: no check in %s for %s", p, ChecksFile, describeGK(obj.GroupVersionKind().GroupKind()))
	}
	r, _ := e.Evaluate(ctx, ch, obj)
	return r, nil
}

// parseObject reads one object from YAML or JSON, with integers as int64 as
// they come from the API server.
func parseObject(raw []byte) (*unstructured.Unstructured, error) {
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("parse object: %w", err)
	}
	if s := strings.TrimSpace(string(js)); s == "null" || s == "{}" {
		return nil, errors.New("parse object: the document is empty")
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(js); err != nil {
		return nil, fmt.Errorf("parse object: %w", err)
	}
	return obj, nil
}
