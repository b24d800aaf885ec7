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
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// stdinSource names standard input in sources and error messages.
const stdinSource = "<stdin>"

// walkManifestPaths reads the manifest files of paths in order and calls
// read with each one's name and content: files as given (whatever their
// extension), directories recursively in lexical order (*.yaml, *.yml and
// *.json only), and "-" as standard input, named "<stdin>". How the
// content is split into documents is read's business.
//
// A path that cannot be walked or read, or an error of read for a file,
// stops the walk with "read manifests: ..."; an error of read for
// standard input is returned as it is.
func walkManifestPaths(paths []string, stdin io.Reader, read func(source string, data []byte) error) error {
	for _, path := range paths {
		if path == "-" {
			data, err := io.ReadAll(stdin)
			if err != nil {
				return fmt.Errorf("read standard input: %w", err)
			}
			if err := read(stdinSource, data); err != nil {
				return err
			}
			continue
		}
		err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || (p != path && !isManifestFile(p)) {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return read(p, data)
		})
		if err != nil {
			return fmt.Errorf("read manifests: %w", err)
		}
	}
	return nil
}

// isManifestFile tells whether a file found in a directory is read.
func isManifestFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}
