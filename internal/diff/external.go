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

package diff

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// EnvExternalDiff names the environment variable that selects a diff
// program, as in kubectl.
const EnvExternalDiff = "KUBECTL_EXTERNAL_DIFF"

// Program is a diff program run on two directories.
type Program struct {
	// Command is the program, looked up in PATH.
	Command string
	// Args come before the two directories.
	Args []string
}

// externalArg is what kubectl accepts as an argument of
// KUBECTL_EXTERNAL_DIFF; other words are left out, as kubectl does.
var externalArg = regexp.MustCompile(`^[a-zA-Z0-9-=]+$`)

// ProgramFromEnv parses the value of KUBECTL_EXTERNAL_DIFF the way kubectl
// does: the first word is the program, the following words that consist
// of letters, digits, "-" and "=" its arguments. ok is false for an empty
// value (use the built-in diff).
func ProgramFromEnv(value string) (p Program, ok bool) {
	words := strings.Fields(value)
	if len(words) == 0 {
		return Program{}, false
	}
	p.Command = words[0]
	for _, w := range words[1:] {
		if externalArg.MatchString(w) {
			p.Args = append(p.Args, w)
		}
	}
	return p, true
}

// ExitError is the program's own failure: it ran and exited with Code > 1.
type ExitError struct {
	Command string
	Code    int
}

func (e *ExitError) Error() string {
	return fmt.Sprintf("diff program %s exited with status %d", e.Command, e.Code)
}

// Run writes the live and merged sides of changes into two new temporary
// directories, LIVE-* and MERGED-*, one file per object named
// "group.version.kind.namespace.name" ("version.kind.namespace.name" for
// the core group) as kubectl names them, leaving out an absent side, and
// runs the program with the two directories as its last arguments, its
// output going to stdout and stderr. The directories are removed
// afterwards. Exit status 0 and 1 mean "no differences" and "differences"
// to diff programs and are no error; a higher one is an *ExitError.
func (p Program) Run(ctx context.Context, changes []Change, stdout, stderr io.Writer) error {
	liveDir, err := os.MkdirTemp("", "LIVE-")
	if err != nil {
		return fmt.Errorf("create a directory for the live objects: %w", err)
	}
	defer func() { _ = os.RemoveAll(liveDir) }()
	mergedDir, err := os.MkdirTemp("", "MERGED-")
	if err != nil {
		return fmt.Errorf("create a directory for the merged objects: %w", err)
	}
	defer func() { _ = os.RemoveAll(mergedDir) }()
	for i := range changes {
		if err := writeSides(&changes[i], liveDir, mergedDir); err != nil {
			return err
		}
	}
	cmd := exec.CommandContext(ctx, p.Command, append(p.Args, liveDir, mergedDir)...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err = cmd.Run()
	if exit, ok := errors.AsType[*exec.ExitError](err); ok {
		if code := exit.ExitCode(); code > 1 || code < 0 {
			return &ExitError{Command: p.Command, Code: code}
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("run diff program %s: %w", p.Command, err)
	}
	return nil
}

// writeSides writes the sides of one change into the two directories.
func writeSides(c *Change, liveDir, mergedDir string) error {
	name, err := FileName(c)
	if err != nil {
		return err
	}
	live, merged, err := c.Sides()
	if err != nil {
		return err
	}
	if c.Live != nil {
		if err := os.WriteFile(filepath.Join(liveDir, name), []byte(live), 0o600); err != nil {
			return fmt.Errorf("write live %s: %w", c.ID, err)
		}
	}
	if c.Merged != nil {
		if err := os.WriteFile(filepath.Join(mergedDir, name), []byte(merged), 0o600); err != nil {
			return fmt.Errorf("write merged %s: %w", c.ID, err)
		}
	}
	return nil
}

// FileName is the name of the files of a change in the directories of
// Run: "apps.v1.Deployment.prod.web", "v1.Namespace..prod".
func FileName(c *Change) (string, error) {
	gv, err := schema.ParseGroupVersion(c.Version)
	if err != nil {
		return "", fmt.Errorf("%s: apiVersion %q: %w", c.ID, c.Version, err)
	}
	name := fmt.Sprintf("%s.%s.%s.%s", gv.Version, c.ID.Kind, c.ID.Namespace, c.ID.Name)
	if c.ID.Group != "" {
		name = c.ID.Group + "." + name
	}
	if !filepath.IsLocal(name) || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("%s: cannot be written to a file named %q", c.ID, name)
	}
	return name, nil
}
