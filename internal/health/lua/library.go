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
	"path"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/syncwave/syncwave/internal/health"
)

// The file names of a script library and its fixtures, as in Argo CD's
// resource_customizations tree.
const (
	ScriptFile  = "health.lua"
	FixtureFile = "health_test.yaml"
)

// LoadLibrary reads a tree of <group>/<Kind>/health.lua files (syncwave's
// config/health, or Argo CD's resource_customizations). A _ in a directory
// name stands for the wildcard *, as in Argo CD ("_.upbound.io/_"). Library
// scripts run with the open libraries, as Argo CD's built-in scripts do.
// Every script must compile; the errors of all that do not are joined.
func LoadLibrary(fsys fs.FS) (*Overrides, error) {
	o := NewOverrides()
	var errs []error
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || path.Base(p) != ScriptFile {
			return nil
		}
		parts := strings.Split(path.Dir(p), "/")
		if len(parts) != 2 {
			return nil // not <group>/<Kind>/health.lua
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if _, err := compileScript(string(src)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
			return nil
		}
		pattern := strings.ReplaceAll(parts[0], "_", "*") + "/" + strings.ReplaceAll(parts[1], "_", "*")
		if err := o.Set(pattern, Script{Lua: string(src), UseOpenLibs: true, Origin: p}); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o, errors.Join(errs...)
}

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
	// Want is the expected status and message; Got what the script gave.
	Want, Got health.Result
	// Err is a problem with the case itself (a missing health.lua, an
	// unreadable input); the case fails. A script error is not an Err: it
	// is the Unknown result in Got, which a case may expect.
	Err error
}

// Passed tells whether the case gave the expected status and message.
func (c FixtureCase) Passed() bool {
	return c.Err == nil && c.Got.Status == c.Want.Status && c.Got.Message == c.Want.Message
}

// RunFixtures walks fsys for health_test.yaml files in Argo CD's format
// (tests: [{inputPath, healthStatus: {status, message}}]) and evaluates the
// health.lua beside each against each input (a path relative to the file),
// comparing status and message exactly, as Argo CD's tests do. useOpenLibs
// applies to every script; Argo CD tests its built-in scripts with the open
// libraries. The error reports a walk that failed; problems with a single
// file are failed cases.
func (e *Engine) RunFixtures(ctx context.Context, fsys fs.FS, useOpenLibs bool) ([]FixtureCase, error) {
	var cases []FixtureCase
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || path.Base(p) != FixtureFile {
			return nil
		}
		cases = append(cases, e.runFixtureFile(ctx, fsys, path.Dir(p), useOpenLibs)...)
		return nil
	})
	return cases, err
}

func (e *Engine) runFixtureFile(ctx context.Context, fsys fs.FS, dir string, useOpenLibs bool) []FixtureCase {
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
	script, err := fs.ReadFile(fsys, path.Join(dir, ScriptFile))
	if err != nil {
		return fail(err)
	}
	cases := make([]FixtureCase, 0, len(ff.Tests))
	for _, t := range ff.Tests {
		c := FixtureCase{
			Dir:       dir,
			InputPath: t.InputPath,
			Want:      health.Result{Status: health.Status(t.HealthStatus.Status), Message: t.HealthStatus.Message, Source: health.SourceLua},
		}
		obj, err := readObject(fsys, path.Join(dir, t.InputPath))
		if err != nil {
			c.Err = err
		} else {
			c.Got, _ = e.Eval(ctx, string(script), useOpenLibs, obj)
		}
		cases = append(cases, c)
	}
	return cases
}

// readObject reads one object from a YAML or JSON file of fsys.
func readObject(fsys fs.FS, p string) (*unstructured.Unstructured, error) {
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
