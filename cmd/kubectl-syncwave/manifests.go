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
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/source/files"
)

// manifestFlags are the flags of every command that reads manifests:
// -f, -k and -v, read by one reader so that plan, create and diff accept
// the same input and fail the same way.
type manifestFlags struct {
	paths          []string
	kustomizations []string
	verbose        bool
}

// addManifestFlags adds -f, -k and -v to cmd.
func addManifestFlags(cmd *cobra.Command) *manifestFlags {
	m := &manifestFlags{}
	f := cmd.Flags()
	// A string slice, as kubectl's -f: "-f a.yaml,b.yaml" is two paths.
	f.StringSliceVarP(&m.paths, "filename", "f", nil,
		"manifest file, directory (walked recursively for .yaml, .yml and .json) or - for standard input; repeatable")
	f.StringArrayVarP(&m.kustomizations, "kustomize", "k", nil,
		"kustomization directory to render (as kubectl -k); repeatable, read after the -f paths")
	f.BoolVarP(&m.verbose, "verbose", "v", false, "list on stderr the files of directories that are skipped for their extension")
	return m
}

// manifestInput is what the flags name: the inputs as read, their objects,
// and the errors of the documents that could not be parsed.
type manifestInput struct {
	inputs []files.Input
	objs   []manifest.Object
	errs   []error
}

// read reads and parses every input. A path that cannot be read is an
// error; so is finding no object and no bad document at all, and finding
// more objects than one SyncOperation may hold. Documents that cannot be
// parsed are collected in errs: plan reports them with the plan, the
// others fail (see parsed).
func (m *manifestFlags) read(stdin io.Reader, stderr io.Writer) (*manifestInput, error) {
	o := files.Options{Paths: m.paths, Kustomizations: m.kustomizations, Stdin: stdin}
	if m.verbose {
		o.Skipped = func(p string) { fmt.Fprintf(stderr, "skipped %s: not .yaml, .yml or .json\n", p) }
	}
	inputs, err := files.Read(o)
	if err != nil {
		return nil, err
	}
	set := &manifestInput{inputs: inputs}
	for _, in := range inputs {
		objs, err := manifest.Parse(in.Source, in.Data)
		if err != nil {
			set.errs = append(set.errs, err)
		}
		set.objs = append(set.objs, objs...)
	}
	if len(set.objs) == 0 && len(set.errs) == 0 {
		return nil, fmt.Errorf("no manifests in %s", strings.Join(m.names(), ", "))
	}
	if n := len(set.objs); n > syncv1alpha1.MaxObjects {
		return nil, fmt.Errorf("%d objects: a SyncOperation holds at most %d; split the manifests", n, syncv1alpha1.MaxObjects)
	}
	return set, nil
}

// parsed returns the set, or the parse errors as one error.
func (m *manifestFlags) parsed(stdin io.Reader, stderr io.Writer) (*manifestInput, error) {
	set, err := m.read(stdin, stderr)
	if err != nil {
		return nil, err
	}
	if err := set.parseError(); err != nil {
		return nil, err
	}
	return set, nil
}

// parseError returns the documents that could not be parsed as one
// *invalidManifestsError, or nil.
func (s *manifestInput) parseError() error {
	var errs []error
	for _, err := range s.errs {
		errs = append(errs, unjoin(err)...)
	}
	if len(errs) == 0 {
		return nil
	}
	return &invalidManifestsError{errs: errs}
}

// invalidManifestsError lists every document that could not be parsed,
// one a line after a count, like plan.ValidationError.
type invalidManifestsError struct {
	errs []error
}

func (e *invalidManifestsError) Error() string {
	if len(e.errs) == 1 {
		return "invalid manifests: " + e.errs[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "invalid manifests: %d errors:", len(e.errs))
	for _, err := range e.errs {
		b.WriteString("\n  - ")
		b.WriteString(err.Error())
	}
	return b.String()
}

// Unwrap returns the errors, each a *manifest.Error.
func (e *invalidManifestsError) Unwrap() []error { return e.errs }

// names lists what the flags name, for messages.
func (m *manifestFlags) names() []string {
	out := make([]string, 0, len(m.paths)+len(m.kustomizations))
	for _, p := range m.paths {
		if p == "-" {
			p = files.Stdin
		}
		out = append(out, p)
	}
	for _, k := range m.kustomizations {
		out = append(out, "kustomization "+k)
	}
	return out
}
