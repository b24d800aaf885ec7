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

package artifact

import (
	"path"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// kustomizationNames are the names kustomize reads a directory's
// kustomization from, in its order.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// IsKustomizationFile tells whether the file at p (slash-separated) is
// named as kustomize names a directory's kustomization.
func IsKustomizationFile(p string) bool {
	return slices.Contains(kustomizationNames, path.Base(p))
}

// kustomizationIn returns the kustomization file directly in dir ("" is
// the root), or "" when there is none.
func kustomizationIn(files map[string]bool, dir string) string {
	for _, n := range kustomizationNames {
		if p := path.Join(dir, n); files[p] {
			return p
		}
	}
	return ""
}

// Kustomize renders the kustomization in dir, as Flux's kustomize-controller
// builds the path of a Kustomization: from an in-memory copy of the
// artifact (nothing is written to disk), with kustomize's plugins off and
// files outside dir allowed (an overlay's ../base), but only what the
// artifact holds. Before the build, every kustomization that dir's own reaches
// is read, and a resource, base, component, patch or generator file that
// is not in the artifact is refused: a remote base or a URL would make the
// controller fetch it. The result is one multi-document file named after
// the kustomization file.
func Kustomize(files []File, dir string) (out File, err error) {
	have := make(map[string]bool, len(files))
	data := make(map[string][]byte, len(files))
	for _, f := range files {
		have[f.Path] = true
		data[f.Path] = f.Data
		for d := path.Dir(f.Path); d != "."; d = path.Dir(d) {
			have[d] = true
		}
	}
	root := kustomizationIn(have, dir)
	defer func() {
		// kustomize is a large library fed with the artifact's files: a
		// panic of it is a bad artifact, not a crash of the controller.
		if r := recover(); r != nil {
			out, err = File{}, invalid("kustomization %s: the build failed: %v", root, r)
		}
	}()
	if err := checkLocal(have, data, dir, map[string]bool{}); err != nil {
		return File{}, err
	}
	fs := filesys.MakeFsInMemory()
	for _, f := range files {
		if err := fs.WriteFile("/"+f.Path, f.Data); err != nil {
			return File{}, invalid("kustomization %s: copy %s: %v", root, f.Path, err)
		}
	}
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsNone
	res, err := krusty.MakeKustomizer(opts).Run(fs, "/"+dir)
	if err != nil {
		return File{}, invalid("kustomization %s: %v", root, err)
	}
	yml, err := res.AsYaml()
	if err != nil {
		return File{}, invalid("kustomization %s: %v", root, err)
	}
	return File{Path: root, Data: yml}, nil
}

// checkLocal reads the kustomization in dir and refuses each file or
// directory it names that the artifact does not hold, then does the same
// for the kustomizations of the directories it names.
func checkLocal(have map[string]bool, data map[string][]byte, dir string, seen map[string]bool) error {
	if seen[dir] {
		return nil
	}
	seen[dir] = true
	file := kustomizationIn(have, dir)
	if file == "" {
		return nil // a plain directory of a resources list
	}
	var k types.Kustomization
	if err := k.Unmarshal(data[file]); err != nil {
		return invalid("%s: %v", file, err)
	}
	k.FixKustomization()
	if len(k.HelmCharts) > 0 {
		return invalid("%s: helmCharts are not rendered (kustomize needs helm and the network for them); render the chart into the artifact", file)
	}
	for _, list := range [][]string{k.Generators, k.Transformers, k.Validators} {
		for _, inline := range list {
			// A plugin configuration written inline may name files too
			// (a PatchTransformer's path): none may be a URL.
			if line, ok := urlLine(inline); ok {
				return invalid("%s: an inline generator, transformer or validator names a URL (%q): remote files are not fetched", file, line)
			}
		}
	}
	var dirs []string
	for _, ref := range references(&k) {
		p := path.Clean(path.Join(dir, ref))
		if path.IsAbs(ref) || p == ".." || strings.HasPrefix(p, "../") || !have[p] {
			return invalid("%s names %q, which is not a file or directory of the artifact: remote bases and URLs are not fetched, and nothing outside the artifact is read", file, ref)
		}
		if !slices.Contains(dirs, p) && kustomizationIn(have, p) != "" {
			dirs = append(dirs, p)
		}
	}
	for _, d := range dirs {
		if err := checkLocal(have, data, d, seen); err != nil {
			return err
		}
	}
	return nil
}

// references lists the files and directories a kustomization names:
// resources (bases), components, crds, the files of patches, replacements,
// generators and transformers (entries written inline, over several lines,
// are content, not names), and the files and env files of the ConfigMap
// and Secret generators.
func references(k *types.Kustomization) []string {
	var refs []string
	named := func(s string) {
		if s != "" && !strings.Contains(s, "\n") {
			refs = append(refs, s)
		}
	}
	for _, list := range [][]string{k.Resources, k.Components, k.Crds, k.Configurations, k.Generators, k.Transformers, k.Validators} {
		for _, s := range list {
			named(s)
		}
	}
	// Deprecated fields, still built by kustomize, so still checked.
	for _, p := range k.PatchesStrategicMerge { //nolint:staticcheck // see above
		named(string(p))
	}
	for _, p := range slices.Concat(k.Patches, k.PatchesJson6902) { //nolint:staticcheck // see above
		named(p.Path)
	}
	for _, r := range k.Replacements {
		named(r.Path)
	}
	if p := k.OpenAPI["path"]; p != "" {
		named(p)
	}
	gens := make([]types.GeneratorArgs, 0, len(k.ConfigMapGenerator)+len(k.SecretGenerator))
	for _, g := range k.ConfigMapGenerator {
		gens = append(gens, g.GeneratorArgs)
	}
	for _, g := range k.SecretGenerator {
		gens = append(gens, g.GeneratorArgs)
	}
	for _, g := range gens {
		for _, f := range g.FileSources {
			_, file, found := strings.Cut(f, "=")
			if !found {
				file = f
			}
			named(file)
		}
		for _, e := range g.EnvSources {
			named(e)
		}
	}
	return refs
}

// urlLine returns the first line of an inline plugin configuration that
// holds a URL ("scheme://"), trimmed.
func urlLine(config string) (string, bool) {
	if !strings.Contains(config, "\n") {
		return "", false // a file name, checked as a reference
	}
	for line := range strings.Lines(config) {
		if strings.Contains(line, "://") {
			return strings.TrimSpace(line), true
		}
	}
	return "", false
}
