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

package files

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Stdin is the Source of what was read from standard input.
const Stdin = "<stdin>"

// Input is the content of one file, of standard input, or of a rendered
// kustomization.
type Input struct {
	// Source names where it was read in messages: the file's path,
	// "<stdin>", or "kustomization DIR".
	Source string
	// Data is the content as read.
	Data []byte
}

// Options say what Read reads.
type Options struct {
	// Paths are files, directories and "-" (standard input), in order.
	Paths []string
	// Kustomizations are directories with a kustomization file, rendered
	// in order after Paths.
	Kustomizations []string
	// Stdin is read for the path "-".
	Stdin io.Reader
	// Skipped, when set, is called with each file found in a directory
	// that is not read because of its extension, so that a command can
	// list them (kubectl is silent about them, which surprises people
	// whose manifests end in .yamll or .tpl).
	Skipped func(path string)
}

// ErrNoPaths is returned when Options name nothing to read.
var ErrNoPaths = errors.New("no manifests: give -f PATH (a file, a directory or - for standard input) or -k DIR")

// Read reads every path, then renders every kustomization, in order.
// Errors name the path.
func Read(o Options) ([]Input, error) {
	if len(o.Paths) == 0 && len(o.Kustomizations) == 0 {
		return nil, ErrNoPaths
	}
	var out []Input
	stdinRead := false
	for _, path := range o.Paths {
		if path == "-" {
			if stdinRead {
				return nil, errors.New("read standard input: - is given more than once")
			}
			stdinRead = true
			in, err := readStdin(o.Stdin)
			if err != nil {
				return nil, err
			}
			out = append(out, in)
			continue
		}
		ins, err := readPath(path, o.Skipped)
		if err != nil {
			return nil, err
		}
		out = append(out, ins...)
	}
	for _, dir := range o.Kustomizations {
		in, err := Kustomize(dir)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

func readStdin(r io.Reader) (Input, error) {
	if r == nil {
		return Input{}, errors.New("read standard input: none is attached")
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return Input{}, fmt.Errorf("read standard input: %w", err)
	}
	return Input{Source: Stdin, Data: data}, nil
}

// readPath reads a file, or the manifest files under a directory.
func readPath(path string, skipped func(string)) ([]Input, error) {
	var out []Input
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if p != path && !IsManifestFile(p) {
			if skipped != nil {
				skipped(p)
			}
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, Input{Source: p, Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read manifests: %w", err)
	}
	return out, nil
}

// IsManifestFile tells whether a file found in a directory is read: its
// extension is .yaml, .yml or .json, in any case.
func IsManifestFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}
