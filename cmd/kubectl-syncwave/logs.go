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
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/types"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

func init() { subcommands = append(subcommands, newLogsCmd) }

func newLogsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "logs NAME [HOOK]",
		Short: "Show how the hooks of a SyncOperation ended: pod, exit code and the end of the log",
		Long: `logs prints, for every hook of a SyncOperation (or only HOOK: its name,
or KIND/NAME), its result and what the controller recorded when it ended:
the pod, the container's termination reason and exit code, and the last
lines of its log. The record is kept in the operation's status, so it is
there after a delete policy (HookFailed, HookSucceeded) removed the hook
and its pods.`,
		Args: positional(2),
	}
	kube := addClusterFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, ns, err := kube.client()
		if err != nil {
			return err
		}
		op := &syncv1alpha1.SyncOperation{}
		if err := c.Get(cmd.Context(), types.NamespacedName{Namespace: ns, Name: args[0]}, op); err != nil {
			return fmt.Errorf("get SyncOperation %s/%s: %w", ns, args[0], err)
		}
		hook := ""
		if len(args) == 2 {
			hook = args[1]
		}
		return renderHookLogs(cmd.OutOrStdout(), op, hook)
	}
	return cmd
}

// renderHookLogs prints the hooks of op that match hook ("" for all).
func renderHookLogs(w io.Writer, op *syncv1alpha1.SyncOperation, hook string) error {
	var hooks, names []string
	for _, r := range op.Status.Resources {
		if r.HookType == "" {
			continue
		}
		names = append(names, r.Kind+"/"+r.Name)
		if hook == "" || matchHook(r, hook) {
			hooks = append(hooks, hookLog(r))
		}
	}
	switch {
	case len(hooks) > 0:
		_, err := io.WriteString(w, strings.Join(hooks, "\n"))
		return err
	case hook != "" && len(names) > 0:
		return fmt.Errorf("SyncOperation %s/%s has no hook %q; its hooks: %s", op.Namespace, op.Name, hook, strings.Join(names, ", "))
	case hook != "":
		return fmt.Errorf("SyncOperation %s/%s has no hook %q: none has run", op.Namespace, op.Name, hook)
	}
	_, err := fmt.Fprintf(w, "SyncOperation %s/%s has no hook that ran\n", op.Namespace, op.Name)
	return err
}

// matchHook reports whether arg names r: NAME, KIND/NAME or
// KIND/NAMESPACE/NAME, the kind in any case.
func matchHook(r syncv1alpha1.ResourceStatus, arg string) bool {
	parts := strings.Split(arg, "/")
	switch len(parts) {
	case 1:
		return parts[0] == r.Name
	case 2:
		return strings.EqualFold(parts[0], r.Kind) && parts[1] == r.Name
	case 3:
		return strings.EqualFold(parts[0], r.Kind) && parts[1] == r.Namespace && parts[2] == r.Name
	}
	return false
}

// hookLog is the block of one hook: a header line, then the outcome.
func hookLog(r syncv1alpha1.ResourceStatus) string {
	var b strings.Builder
	phase := r.HookPhase
	if phase == "" {
		phase = syncv1alpha1.HookPending
	}
	fmt.Fprintf(&b, "%s %s (%s/%d): %s", r.Kind, objectName(r.ResourceRef), r.SyncPhase, r.Wave, phase)
	if r.FinishedAt != nil && (phase == syncv1alpha1.HookSucceeded || phase == syncv1alpha1.HookFailed) {
		fmt.Fprintf(&b, " at %s", r.FinishedAt.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if r.Message != "" {
		b.WriteString(": " + strings.Join(strings.Fields(r.Message), " "))
	}
	b.WriteString("\n")
	o := r.Outcome
	if o == nil {
		runsPod := (r.Group == "batch" && r.Kind == "Job") || (r.Group == "" && r.Kind == "Pod")
		if runsPod && (phase == syncv1alpha1.HookSucceeded || phase == syncv1alpha1.HookFailed) {
			b.WriteString("  no outcome recorded\n")
		}
		return b.String()
	}
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "  %-11s%s\n", name+":", value)
		}
	}
	field("Pod", o.Pod)
	field("Container", o.Container)
	field("Reason", o.Reason)
	if o.ExitCode != nil {
		field("Exit code", fmt.Sprint(*o.ExitCode))
	}
	field("Note", o.Message)
	if o.Log != "" {
		b.WriteString("  Log (last lines):\n")
		for line := range strings.Lines(o.Log) {
			b.WriteString("    " + strings.TrimRight(line, "\n") + "\n")
		}
	}
	return b.String()
}
