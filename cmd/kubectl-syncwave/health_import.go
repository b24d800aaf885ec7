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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/syncwave/syncwave/internal/health/lua"
)

// maxConfigMapBytes is the most data a ConfigMap holds (the API server's
// limit on an object is 1 MiB; keep a little room for the rest).
const maxConfigMapBytes = 1000 * 1024

// healthImportOptions are the flags of health import.
type healthImportOptions struct {
	namespace string
	name      string
	output    string
}

func newHealthImportCmd() *cobra.Command {
	o := &healthImportOptions{}
	cmd := &cobra.Command{
		Use:   "import DIR [-n NS] [--name syncwave-health] [-o yaml|json]",
		Short: "Write the health ConfigMap of a tree of Argo CD-style health scripts",
		Long: `Read DIR as a script tree laid out as Argo CD's resource_customizations
(<group>/<Kind>/health.lua, <Kind>/health.lua for the core group, a _ in a
directory name being the wildcard *) and print the health ConfigMap that
holds the same scripts in Argo CD's keys:
resource.customizations.health.<group>_<Kind> (<Kind> for the core group)
with resource.customizations.useOpenLibs.<group>_<Kind>: "true" (tree scripts
run with the open libraries, as Argo CD's built-in scripts do), and the
wildcard directories as entries of the YAML key resource.customizations.

A script that does not compile is an error, and so is a tree too large for
one ConfigMap (mount it with the controller's --health-dir instead). Where
the ConfigMap cannot look up exactly as the tree does (two wildcards that
may match the same kind: a tree takes the first directory in byte order, a
ConfigMap the most specific pattern), a warning goes to stderr.`,
		Example: `  # server-side: a client-side apply would copy the scripts into an
  # annotation, which holds at most 256 kB
  kubectl syncwave health import resource_customizations | kubectl apply --server-side -f -
  kubectl syncwave health import ./health -n syncwave-system --name syncwave-health -o json`,
		Args: positional(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHealthImport(args[0], o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.namespace, "namespace", "n", "syncwave-system", "namespace of the ConfigMap (the controller's)")
	f.StringVar(&o.name, "name", "syncwave-health", "name of the ConfigMap (the controller's --health-configmap)")
	f.StringVarP(&o.output, "output", "o", "yaml", "output format: yaml or json")
	return cmd
}

// configMapDoc is the printed ConfigMap, in the usual field order.
type configMapDoc struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   configMapMeta     `json:"metadata"`
	Data       map[string]string `json:"data"`
}

type configMapMeta struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

func runHealthImport(dir string, o *healthImportOptions, stdout, stderr io.Writer) error {
	if o.output != "yaml" && o.output != "json" {
		return fmt.Errorf("unknown output format %q: use yaml or json", o.output)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	tree, errs := lua.LoadTree(os.DirFS(dir))
	if len(errs) > 0 {
		return fmt.Errorf("read the scripts under %s: %w", dir, errors.Join(errs...))
	}
	if tree.Len() == 0 {
		return fmt.Errorf("no <group>/<Kind>/%s under %s", lua.ScriptFile, dir)
	}
	data, warnings, err := tree.ConfigMapData()
	if err != nil {
		return fmt.Errorf("scripts under %s: %w", dir, err)
	}
	size := 0
	for k, v := range data {
		size += len(k) + len(v)
	}
	if size > maxConfigMapBytes {
		return fmt.Errorf("the scripts under %s take %d bytes, more than a ConfigMap holds (%d): split the tree, or mount it with the controller's --health-dir", dir, size, maxConfigMapBytes)
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	doc := configMapDoc{APIVersion: "v1", Kind: "ConfigMap", Metadata: configMapMeta{Name: o.name, Namespace: o.namespace}, Data: data}
	var out []byte
	if o.output == "json" {
		out, err = json.MarshalIndent(doc, "", "  ")
		out = append(out, '\n')
	} else {
		out, err = yaml.Marshal(doc)
	}
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}
