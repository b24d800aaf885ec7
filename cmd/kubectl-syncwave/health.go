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
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	healthlib "github.com/syncwave/syncwave/config/health"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/health/lua"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/plan"
)

func init() { subcommands = append(subcommands, newHealthCmd) }

// healthOptions are the flags of the health command.
type healthOptions struct {
	object      string
	luaFile     string
	celFile     string
	configMap   string
	dir         string
	useOpenLibs bool
	library     bool
	timeout     time.Duration
}

func newHealthCmd() *cobra.Command {
	o := &healthOptions{}
	cmd := &cobra.Command{
		Use:   "health --object FILE [--lua FILE | --configmap FILE] [--health-dir DIR] [--cel FILE]",
		Short: "Evaluate the health of one object offline, with the controller's engine",
		Long: `Print {"status","message"} for the object in FILE (YAML or JSON), offline.
FILE holds one object: empty documents are skipped, and a file of several
objects or a List is refused.

With --lua, the script in FILE decides (with --use-open-libs it gets the
string and math libraries, like resource.customizations.useOpenLibs). Otherwise
the layers of the controller judge, in its order: the health ConfigMap
manifest of --configmap (Argo CD's keys), the script tree of --health-dir
(Argo CD's resource_customizations layout), syncwave's library of health
scripts, then the built-in checks and the generic conditions. With --cel, the
healthCheckExprs entries in FILE (YAML: one entry or a list, Flux's format)
come first, like spec.healthCheckExprs; the --configmap file's
health.cel.<group>_<Kind> keys are used too, at the ConfigMap's level (its
Lua script for a kind wins). A script error prints the Unknown result and
exits 1.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runHealth(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.object, "object", "", "file with the object (YAML or JSON)")
	f.StringVar(&o.luaFile, "lua", "", "file with a Lua health script")
	f.StringVar(&o.celFile, "cel", "", "file with CEL health checks: one healthCheckExprs entry or a list (Flux's format)")
	f.StringVar(&o.configMap, "configmap", "", "file with a health ConfigMap manifest (Argo CD's resource.customizations keys)")
	f.BoolVar(&o.useOpenLibs, "use-open-libs", false, "with --lua: open the string and math libraries")
	f.StringVar(&o.dir, "health-dir", "", "directory with a tree of health scripts in Argo CD's layout, asked after the ConfigMap (as the controller's --health-dir)")
	f.BoolVar(&o.library, "library", true, "use syncwave's library of health scripts after the ConfigMap and the tree")
	f.DurationVar(&o.timeout, "timeout", time.Second, "deadline of one script evaluation")
	_ = cmd.MarkFlagRequired("object")
	cmd.MarkFlagsMutuallyExclusive("lua", "configmap")
	cmd.MarkFlagsMutuallyExclusive("lua", "health-dir")
	cmd.MarkFlagsMutuallyExclusive("lua", "cel")
	cmd.AddCommand(newHealthTestCmd(), newHealthImportCmd())
	return cmd
}

// healthJSON is what health prints.
type healthJSON struct {
	Status  health.Status `json:"status"`
	Message string        `json:"message"`
}

// runHealth evaluates the health of o.object and prints it to stdout.
func runHealth(ctx context.Context, o *healthOptions, stdout, stderr io.Writer) error {
	obj, err := readObjectFile(o.object)
	if err != nil {
		return err
	}
	engine := lua.NewEngine(lua.Options{Timeout: o.timeout, Print: stderr})
	var res health.Result
	var evalErr error
	if o.luaFile != "" {
		src, err := os.ReadFile(o.luaFile)
		if err != nil {
			return err
		}
		res, evalErr = engine.Eval(ctx, string(src), o.useOpenLibs, obj)
	} else {
		layers, err := healthLayers(healthSources{configMap: o.configMap, dir: o.dir, library: o.library}, stderr)
		if err != nil {
			return err
		}
		celLayers, err := celAssessors(o, stderr)
		if err != nil {
			return err
		}
		chain := health.Chain(append(celLayers, engine.Assessor(layers...), health.Default())...)
		recorder := health.AssessorFunc(func(obj *unstructured.Unstructured) (health.Result, bool, error) {
			r, ok, err := chain.Assess(obj)
			evalErr = err
			return r, ok, err
		})
		res = health.Assess(recorder, obj)
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(healthJSON{Status: res.Status, Message: res.Message}); err != nil {
		return err
	}
	if evalErr != nil {
		fmt.Fprintf(stderr, "Error: %v\n", evalErr)
		return &exitError{code: 1}
	}
	return nil
}

// readObjectFile reads the one object of a YAML or JSON file. Empty and
// comment-only documents are skipped, as plan -f skips them (both use
// manifest.Parse); a file of several objects, or a List, is refused:
// judging only its first object would hide the health of the others.
func readObjectFile(path string) (*unstructured.Unstructured, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	objs, err := manifest.Parse(path, raw)
	if err != nil {
		return nil, err
	}
	switch {
	case len(objs) == 0:
		return nil, fmt.Errorf("%s: parse object: the document is empty", path)
	case objs[0].Item != "":
		return nil, fmt.Errorf("%s: a List: --object takes a file with one object", path)
	case len(objs) > 1:
		var ids []string
		for _, o := range objs[:min(len(objs), 3)] {
			ids = append(ids, describeObject(o.Object))
		}
		if len(objs) > 3 {
			ids = append(ids, "...")
		}
		return nil, fmt.Errorf("%s: %d objects (%s): --object takes a file with one object", path, len(objs), strings.Join(ids, ", "))
	}
	return objs[0].Object, nil
}

// describeObject names an object as plan's messages do:
// [group/]Kind/[namespace/]name.
func describeObject(o *unstructured.Unstructured) string {
	id := plan.ObjectID{Group: o.GroupVersionKind().Group, Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName()}
	return id.String()
}

// readConfigMap parses the health scripts of a ConfigMap manifest; bad
// entries are reported on stderr and, as in the controller, judge their
// kinds Unknown.
func readConfigMap(path string, stderr io.Writer) (*lua.Overrides, error) {
	obj, err := readObjectFile(path)
	if err != nil {
		return nil, err
	}
	if obj.GetKind() != "ConfigMap" {
		return nil, fmt.Errorf("%s: want a ConfigMap, got kind %q", path, obj.GetKind())
	}
	data, _, err := unstructured.NestedStringMap(obj.Object, "data")
	if err != nil {
		return nil, fmt.Errorf("%s: data: %w", path, err)
	}
	o, errs := lua.ParseConfigMap(data)
	for _, e := range errs {
		fmt.Fprintf(stderr, "warning: %s: %v\n", path, e)
	}
	return o, nil
}

// healthSources are the Lua layers the controller would ask, as files.
type healthSources struct {
	configMap string // a health ConfigMap manifest
	dir       string // a script tree (the controller's --health-dir)
	library   bool   // syncwave's library
}

// healthLayers reads the layers of s in the controller's order; bad entries
// are reported on stderr and, as in the controller, judge their kinds
// Unknown.
func healthLayers(s healthSources, stderr io.Writer) ([]*lua.Overrides, error) {
	var layers []*lua.Overrides
	if s.configMap != "" {
		cm, err := readConfigMap(s.configMap, stderr)
		if err != nil {
			return nil, err
		}
		layers = append(layers, cm)
	}
	if s.dir != "" {
		fi, err := os.Stat(s.dir)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("%s is not a directory", s.dir)
		}
		tree, errs := lua.LoadTree(os.DirFS(s.dir))
		for _, e := range errs {
			fmt.Fprintf(stderr, "warning: %s: %v\n", s.dir, e)
		}
		layers = append(layers, tree)
	}
	if s.library {
		lib, err := lua.LoadLibrary(healthlib.FS)
		if err != nil {
			return nil, fmt.Errorf("load the health script library: %w", err)
		}
		layers = append(layers, lib)
	}
	return layers, nil
}
