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
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/syncwave/syncwave/internal/health/lua"
)

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
		Long: `DIR is the root of a script tree laid out as Argo CD's resource_customizations
(<group>/<Kind>/health.lua, <Kind>/health.lua for the core group, a _ in a
directory name being the wildcard *). Walk DIR for health_test.yaml files
(Argo CD's format: tests: [{inputPath, healthStatus: {status, message}}]) and
judge each input (relative to the file) with the script the tree has for the
object's group and kind, as Argo CD's own test driver does: the exact
directory first, then the wildcard directories in byte order of their paths.
That is usually the health.lua beside the file; when it is another, the line
of the case names it. Compare status and message exactly. A directory with
a health.cel.yaml (CEL checks in Flux's healthCheckExprs format) and no
health.lua is judged by those checks; there a case without a message
compares the status only. Print a line per failing case (per case with -v)
and the line "N passed, M failed"; exit 1 on any failure.

Scripts run with the open libraries by default, as Argo CD runs and tests its
built-in scripts; --use-open-libs=false tests them as ConfigMap scripts
without resource.customizations.useOpenLibs.`,
		Args: positional(1),
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
		if c.Script != "" && path.Dir(c.Script) != c.Dir {
			name += " (script " + filepath.Join(dir, filepath.FromSlash(c.Script)) + ")"
		}
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
