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
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The file names of a script tree and its fixtures, as in Argo CD's
// resource_customizations tree.
const (
	ScriptFile  = "health.lua"
	FixtureFile = "health_test.yaml"
)

// LoadTree reads a tree of health scripts laid out as Argo CD's
// resource_customizations: <group>/<Kind>/health.lua, and <Kind>/health.lua
// for the core group. Lookups in the result follow Argo CD's for its
// built-in scripts:
//
//  1. the directory named exactly after the object's group and kind;
//  2. else the directories whose path holds a _, which stands for the
//     wildcard * (any run of characters within the group or within the
//     kind, never across the /: "_.crossplane.io/_" matches
//     pkg.crossplane.io/Provider), tried in the byte order of their paths;
//     the first that matches wins.
//
// Scripts run with the open libraries, as Argo CD runs its built-in ones.
// Directories and symbolic links to directories are followed two levels
// deep; names that start with a dot are skipped (a mounted ConfigMap volume
// keeps its files under ..data, behind links). A script that does not
// compile is kept with its error (Script.Err), so that its objects become
// Unknown; every problem is returned, naming its file.
func LoadTree(fsys fs.FS) (*Overrides, []error) {
	o := &Overrides{tree: true}
	dirs, errs := treeDirs(fsys)
	for _, dir := range dirs {
		origin := path.Join(dir, ScriptFile)
		src, err := fs.ReadFile(fsys, origin)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s := Script{Lua: string(src), UseOpenLibs: true, Origin: origin}
		if _, err := compileScript(s.Lua); err != nil {
			s.Err = fmt.Errorf("%s: %w", origin, err)
			errs = append(errs, s.Err)
		}
		if err := o.setTree(dir, s); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", origin, err))
		}
	}
	return o, errs
}

// LoadLibrary reads a script tree (syncwave's config/health) as LoadTree
// does; every script must compile: the errors of all that do not are joined.
func LoadLibrary(fsys fs.FS) (*Overrides, error) {
	o, errs := LoadTree(fsys)
	return o, errors.Join(errs...)
}

// setTree adds the script of the tree directory dir.
func (o *Overrides) setTree(dir string, s Script) error {
	group, kind, err := splitPattern(dir)
	if err != nil {
		return err
	}
	if strings.Contains(dir, "_") {
		o.setWildcard(wildcard{pattern: strings.ReplaceAll(dir, "_", "*"), rank: dir, script: s})
		return nil
	}
	if strings.Contains(dir, "*") {
		return fmt.Errorf("%q: write the wildcard of a directory name as _", dir)
	}
	if o.exact == nil {
		o.exact = map[schema.GroupKind]Script{}
	}
	o.exact[schema.GroupKind{Group: group, Kind: kind}] = s
	return nil
}

// treeDirs returns the directories of fsys, one or two levels deep, that
// hold a health.lua, in byte order.
func treeDirs(fsys fs.FS) ([]string, []error) {
	var out []string
	var errs []error
	top, err := readSubdirs(fsys, ".")
	if err != nil {
		return nil, []error{err}
	}
	for _, d := range top {
		if isFile(fsys, path.Join(d, ScriptFile)) {
			out = append(out, d)
		}
		subs, err := readSubdirs(fsys, d)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, s := range subs {
			if isFile(fsys, path.Join(s, ScriptFile)) {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out, errs
}

// readSubdirs returns the paths of the directories in dir (links to
// directories included), skipping hidden ones.
func readSubdirs(fsys fs.FS, dir string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := path.Join(dir, e.Name())
		if e.IsDir() {
			out = append(out, p)
			continue
		}
		if e.Type()&fs.ModeSymlink != 0 {
			if fi, err := fs.Stat(fsys, p); err == nil && fi.IsDir() {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

func isFile(fsys fs.FS, p string) bool {
	fi, err := fs.Stat(fsys, p)
	return err == nil && fi.Mode().IsRegular()
}

// Fingerprint identifies the scripts of a tree as they are on disk (their
// paths, sizes and modification times), so that a caller can tell cheaply
// whether the tree changed since LoadTree read it.
func Fingerprint(fsys fs.FS) string {
	dirs, _ := treeDirs(fsys)
	h := sha256.New()
	for _, d := range dirs {
		fi, err := fs.Stat(fsys, path.Join(d, ScriptFile))
		if err != nil {
			continue
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\n", d, fi.Size(), fi.ModTime().UnixNano())
	}
	return hex.EncodeToString(h.Sum(nil))
}
