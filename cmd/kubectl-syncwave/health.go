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
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	healthlib "github.com/syncwave/syncwave/config/health"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/health/lua"
)

func init() { subcommands = append(subcommands, newHealthCmd) }

// healthOptions are the flags of the health command.
type healthOptions struct {
	object      string
	luaFile     string
	celFile     string
	configMap   string
	useOpenLibs bool
	library     bool
	timeout     time.Duration
}

func newHealthCmd() *cobra.Command {
	o := &healthOptions{}
	cmd := &cobra.Command{
		Use:   "health --object FILE [--lua FILE | --configmap FILE] [--cel FILE]",
		Short: "Evaluate the health of one object offline, with the controller's engine",
		Long: `Print {"status","message"} for the object in FILE (YAML or JSON), offline.

With --lua, the script in FILE decides (with --use-open-libs it gets the
string and math libraries, like resource.customizations.useOpenLibs). With
--configmap, the health ConfigMap manifest in FILE (Argo CD's keys) comes
first, then syncwave's library of health scripts, then the built-in checks
and the generic conditions; with neither, the library and the built-in
checks. With --cel, the healthCheckExprs entries in FILE (YAML: one entry
or a list, Flux's format) come first, like spec.healthCheckExprs; the
--configmap file's health.cel.<group>_<Kind> keys are used too. A script
error prints the Unknown result and exits 1.`,
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
	f.BoolVar(&o.library, "library", true, "use syncwave's library of health scripts after the ConfigMap")
	f.DurationVar(&o.timeout, "timeout", time.Second, "deadline of one script evaluation")
	_ = cmd.MarkFlagRequired("object")
	cmd.MarkFlagsMutuallyExclusive("lua", "configmap")
	cmd.MarkFlagsMutuallyExclusive("lua", "cel")
	cmd.AddCommand(newHealthTestCmd())
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
		var layers []*lua.Overrides
		if o.configMap != "" {
			cm, err := readConfigMap(o.configMap, stderr)
			if err != nil {
				return err
			}
			layers = append(layers, cm)
		}
		if o.library {
			lib, err := lua.LoadLibrary(healthlib.FS)
			if err != nil {
				return fmt.Errorf("load the health script library: %w", err)
			}
			layers = append(layers, lib)
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

func readObjectFile(path string) (*unstructured.Unstructured, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	obj, err := lua.ParseObject(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return obj, nil
}

// readConfigMap parses the health scripts of a ConfigMap manifest; bad
// entries are reported on stderr and left out, as the controller does.
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

// healthTestOptions are the flags of health test.
type healthTestOptions struct {
	verbose     bool
	useOpenLibs bool
	timeout     time.Duration
}

func newHealthTestCmd() *cobra.Command {
	o := &healthTestOptions{}
	cmd := &cobra.Command{
		Use:   "test DIR",
		Short: "Run the Argo CD-style health script fixtures found under DIR",
		Long: `Walk DIR for health_test.yaml files (Argo CD's format:
tests: [{inputPath, healthStatus: {status, message}}]), evaluate the
health.lua beside each against each input (relative to the file), and compare
status and message exactly. A directory with a health.cel.yaml (CEL checks in
Flux's healthCheckExprs format) and no health.lua is judged by those checks;
there a case without a message compares the status only. Print a line per failing case (per case with -v)
and the line "N passed, M failed"; exit 1 on any failure.

Scripts run with the open libraries by default, as Argo CD runs and tests its
built-in scripts; --use-open-libs=false tests them as ConfigMap scripts
without resource.customizations.useOpenLibs.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHealthTest(cmd.Context(), args[0], o, cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVarP(&o.verbose, "verbose", "v", false, "print a line for every case")
	cmd.Flags().BoolVar(&o.useOpenLibs, "use-open-libs", true, "open the string and math libraries for the scripts")
	cmd.Flags().DurationVar(&o.timeout, "timeout", time.Second, "deadline of one script evaluation")
	return cmd
}

// runHealthTest runs the fixtures under dir and reports to stdout.
func runHealthTest(ctx context.Context, dir string, o *healthTestOptions, stdout io.Writer) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	engine := lua.NewEngine(lua.Options{Timeout: o.timeout, Print: stdout})
	cases, err := engine.RunFixtures(ctx, os.DirFS(dir), o.useOpenLibs)
	if err == nil {
		cases, err = withCELFixtures(ctx, os.DirFS(dir), cases, o)
	}
	if err != nil {
		return err
	}
	if len(cases) == 0 {
		return errors.New("no " + lua.FixtureFile + " found under " + dir)
	}
	passed, failed := 0, 0
	for _, c := range cases {
		name := filepath.Join(dir, filepath.FromSlash(c.Dir), filepath.FromSlash(c.InputPath))
		switch {
		case c.Err != nil:
			failed++
			fmt.Fprintf(stdout, "FAIL %s: %v\n", name, c.Err)
		case !c.Passed():
			failed++
			fmt.Fprintf(stdout, "FAIL %s: want %s %q, got %s %q\n", name, c.Want.Status, c.Want.Message, c.Got.Status, c.Got.Message)
		default:
			passed++
			if o.verbose {
				fmt.Fprintf(stdout, "ok   %s: %s %q\n", name, c.Got.Status, c.Got.Message)
			}
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return &exitError{code: 1}
	}
	return nil
}
