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
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// Every command that reads manifests reads them with the same reader and
// refuses the same input with the same message; diff exits 2 on errors,
// as kubectl diff, the others 1. The manifests are read before any
// connection is made, so no cluster is needed here.
func TestManifestErrorsAreTheSameForEveryCommand(t *testing.T) {
	var tooMany, half strings.Builder
	for i := range syncv1alpha1.MaxObjects + 1 {
		fmt.Fprintf(&tooMany, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d}\n---\n", i)
		if i <= syncv1alpha1.MaxObjects/2 {
			fmt.Fprintf(&half, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: h%d}\n---\n", i)
		}
	}
	halfFile := filepath.Join(t.TempDir(), "half.yaml")
	if err := os.WriteFile(halfFile, []byte(half.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	inputs := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"nothing named", "", nil, "Error: no manifests: give -f PATH (a file, a directory or - for standard input) or -k DIR\n"},
		{"empty stdin", "# only a comment\n---\n", []string{"-f", "-"}, "Error: no manifests in <stdin>\n"},
		{"too many objects in one file", tooMany.String(), []string{"-f", "-"},
			"Error: invalid manifests: <stdin>: more than 10000 objects: an operation holds at most 10000; split the manifests into several operations\n"},
		{"too many objects in all", half.String(), []string{"-f", "-", "-f", halfFile}, fmt.Sprintf("Error: %d objects: a SyncOperation holds at most %d; split the manifests\n", syncv1alpha1.MaxObjects+2, syncv1alpha1.MaxObjects)},
		{"bad YAML", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nmetadata: {name: [unclosed\n", []string{"-f", "-"},
			"Error: invalid manifests: <stdin>:5, document 1: invalid YAML: did not find expected ',' or ']'\n"},
	}
	commands := []struct {
		args []string
		code int
	}{
		{[]string{"plan"}, 1},
		{[]string{"create", "x", "--kubeconfig", "/nonexistent"}, 1},
		{[]string{"diff", "--kubeconfig", "/nonexistent"}, 2},
	}
	for _, in := range inputs {
		for _, c := range commands {
			t.Run(c.args[0]+" "+in.name, func(t *testing.T) {
				g := NewWithT(t)
				code, out, errOut := runPlan(t, in.stdin, append(c.args, in.args...)...)
				g.Expect(errOut).To(Equal(in.want))
				g.Expect(code).To(Equal(c.code))
				g.Expect(out).To(BeEmpty())
			})
		}
	}
}

// TestDiffUsageErrorsExit2: for diff, 1 means "differences"; a wrong
// argument or flag is an error, 2, as kubectl diff.
func TestDiffUsageErrorsExit2(t *testing.T) {
	for _, tc := range []struct{ args []string }{{[]string{"diff", "stray"}}, {[]string{"diff", "--no-such-flag"}}} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			g := NewWithT(t)
			code, out, errOut := runPlan(t, "", tc.args...)
			g.Expect(code).To(Equal(2))
			g.Expect(out).To(BeEmpty())
			g.Expect(errOut).To(BeElementOf("Error: unknown command \"stray\" for \"kubectl syncwave diff\"\n", "Error: unknown flag: --no-such-flag\n"))
		})
	}
}
