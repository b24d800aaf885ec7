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
	"os/signal"
	"strings"

	"github.com/spf13/cobra"
)

// subcommands are the constructors of the subcommands. Each command lives
// in its own file and registers itself from an init function:
//
//	func init() { subcommands = append(subcommands, newPlanCmd) }
//
// so that adding a command never touches this file. Commands write to
// cmd.OutOrStdout() and cmd.ErrOrStderr() and read cmd.InOrStdin().
var subcommands []func() *cobra.Command

// exitError ends the program with its code. Without err, the command has
// already said why (plan prints its errors in its output); with err, it is
// printed like any other error (diff exits 2 on errors, as kubectl diff).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return fmt.Sprintf("exit status %d", e.code)
}

func (e *exitError) Unwrap() error { return e.err }

// newRootCmd builds the command tree with every registered subcommand.
func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "kubectl-syncwave",
		Short: "Plan, run and follow syncwave SyncOperations",
		Long: `kubectl-syncwave is the syncwave kubectl plugin (also usable on its own).

It prints and lints the plan of a set of manifests offline, shows what a
sync would change on the cluster, evaluates health checks, and creates,
follows and terminates SyncOperations.`,
		Annotations: map[string]string{
			cobra.CommandDisplayNameAnnotation: "kubectl syncwave",
		},
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.CompletionOptions.HiddenDefaultCmd = true
	for _, newCmd := range subcommands {
		root.AddCommand(newCmd())
	}
	return root
}

// run executes the command line args and returns the exit code: 0 on
// success, 1 on any error (the error is printed to stderr unless the
// command reported it already), or the code a command chose.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return runContext(ctx, args, stdin, stdout, stderr)
}

// runContext is run until ctx ends (Ctrl-C): a command that waits, even
// on a read of its standard input, ends then.
func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(&interruptible{ctx: ctx, r: stdin}, stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var exit *exitError
	if errors.As(err, &exit) {
		if exit.err != nil {
			fmt.Fprintf(stderr, "Error: %v\n", exit.err)
		}
		return exit.code
	}
	fmt.Fprintf(stderr, "Error: %v\n", err)
	return 1
}

// interruptible is a reader whose reads end with ctx: a read of a terminal
// or a pipe that nothing writes to does not outlast Ctrl-C.
type interruptible struct {
	ctx context.Context
	r   io.Reader
}

func (i *interruptible) Read(p []byte) (int, error) {
	if err := i.ctx.Err(); err != nil {
		return 0, err
	}
	type read struct {
		n   int
		err error
	}
	buf := make([]byte, len(p))
	done := make(chan read, 1)
	go func() {
		n, err := i.r.Read(buf)
		done <- read{n, err}
	}()
	select {
	case r := <-done:
		return copy(p, buf[:r.n]), r.err
	case <-i.ctx.Done():
		// The read goes on in the background; the program is ending.
		return 0, fmt.Errorf("interrupted: %w", i.ctx.Err())
	}
}

// positional is cobra.RangeArgs(1, most) with an error that names the
// arguments of the command's usage line, as kubectl says "exactly one NAME
// is required": "create needs NAME, got no argument (usage: …)".
func positional(most int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) >= 1 && len(args) <= most {
			return nil
		}
		var names []string
		for _, w := range strings.Fields(cmd.Use)[1:] {
			if strings.HasPrefix(w, "-") || strings.HasPrefix(w, "[-") {
				break // the flags follow
			}
			names = append(names, w)
		}
		got := "no argument"
		if len(args) > 0 {
			got = fmt.Sprintf("%d arguments (%s)", len(args), strings.Join(args, " "))
		}
		return fmt.Errorf("%s needs %s, got %s (usage: %s)", cmd.Name(), strings.Join(names, " "), got, cmd.UseLine())
	}
}
