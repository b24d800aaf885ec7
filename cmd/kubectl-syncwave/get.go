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
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	pinned "github.com/syncwave/syncwave/internal/snapshot"
)

func init() { subcommands = append(subcommands, newGetCmd) }

// maxMessage bounds the MESSAGE cells of the tables; -o json has the rest.
const maxMessage = 100

func newGetCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "get NAME [-o table|json]",
		Short: "Show a SyncOperation: its resources, what blocks it and its conditions",
		Long: `Show a SyncOperation: a row per resource, what blocks it and its
conditions. For a running operation, what the pod that blocks each waiting
Deployment, StatefulSet, DaemonSet, ReplicaSet or Job reports (not
scheduled, an image pull, a crash loop) is read live, unless the operation
acts on another cluster (spec.kubeConfig). Every task of the operation has its row, read from its pinned
plan: status.resources itself lists only those worth a look. With -o json
the operation is printed with every row in status.resources.`,
		Args: positional(1),
	}
	kube := addClusterFlags(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if output != "table" && output != "json" {
			return fmt.Errorf("unknown output format %q: want table or json", output)
		}
		c, ns, err := kube.client()
		if err != nil {
			return err
		}
		op := &syncv1alpha1.SyncOperation{}
		if err := c.Get(cmd.Context(), types.NamespacedName{Namespace: ns, Name: args[0]}, op); err != nil {
			return fmt.Errorf("get SyncOperation %s/%s: %w", ns, args[0], err)
		}
		// status.resources lists only the tasks worth a look; the table
		// and the JSON show every task, from the operation's pinned plan.
		if rows, err := pinned.Resources(cmd.Context(), c, op); err == nil {
			op.Status.Resources = rows
		} else {
			fmt.Fprintf(cmd.ErrOrStderr(), "warning: showing only the tasks status lists: %v\n", err)
		}
		if output == "json" {
			return renderJSON(cmd.OutOrStdout(), op)
		}
		var pods []string
		if core, err := kube.core(); err == nil {
			pods = blockingPods(cmd.Context(), c, core.CoreV1(), op, cmd.ErrOrStderr())
		} else {
			fmt.Fprintf(cmd.ErrOrStderr(), "warning: not reading the blocking pods: %v\n", err)
		}
		return renderOperation(cmd.OutOrStdout(), op, pods, time.Now())
	}
	return cmd
}

// renderJSON prints the operation as indented JSON, without managed fields.
func renderJSON(w io.Writer, op *syncv1alpha1.SyncOperation) error {
	op = op.DeepCopy()
	op.ManagedFields = nil
	if op.APIVersion == "" {
		op.APIVersion = syncv1alpha1.GroupVersion.String()
		op.Kind = "SyncOperation"
	}
	b, err := json.MarshalIndent(op, "", "  ")
	if err != nil {
		return fmt.Errorf("encode SyncOperation %s: %w", op.Name, err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// renderOperation prints the header, the resource table, the blocking
// objects, what the pods (or events) of blocking workloads say (one line
// each, under "Why:")
// and the conditions. now computes the elapsed time of a running
// operation.
func renderOperation(out io.Writer, op *syncv1alpha1.SyncOperation, pods []string, now time.Time) error {
	var buf bytes.Buffer
	if err := renderTables(&buf, op, pods, now); err != nil {
		return err
	}
	// tabwriter pads empty last cells; drop the trailing blanks.
	for line := range strings.Lines(buf.String()) {
		if _, err := io.WriteString(out, strings.TrimRight(line, " \n")+"\n"); err != nil {
			return err
		}
	}
	return nil
}

func renderTables(w io.Writer, op *syncv1alpha1.SyncOperation, pods []string, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	st := &op.Status
	if err := renderHeader(tw, op, now); err != nil {
		return err
	}

	if len(st.Resources) > 0 {
		fmt.Fprintln(w)
		row(tw, "NAME", "KIND", "PHASE/WAVE", "STATUS", "HEALTH", "HOOK", "MESSAGE")
		for _, r := range st.Resources {
			row(tw, objectName(r.ResourceRef), r.Kind, fmt.Sprintf("%s/%d", r.SyncPhase, r.Wave),
				string(r.Status), string(r.Health), hookCell(r), truncate(messageCell(r)))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	if len(st.BlockedBy) > 0 {
		heading := "Blocked by:"
		if st.Phase.Terminal() {
			// What its last step waited for, or failed on.
			heading = "Blocked by, when it ended:"
		}
		fmt.Fprintln(w, "\n"+heading)
		row(tw, "  OBJECT", "HEALTH", "HOOK", "SINCE", "MESSAGE")
		for _, b := range st.BlockedBy {
			row(tw, "  "+refString(b.ResourceRef), string(b.Health), string(b.HookPhase), since(b.Since, now), truncate(b.Message))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	if len(pods) > 0 {
		fmt.Fprintln(w, "\nWhy:")
		for _, p := range pods {
			fmt.Fprintln(w, "  "+p)
		}
	}

	if len(st.Conditions) > 0 {
		fmt.Fprintln(w, "\nConditions:")
		row(tw, "  TYPE", "STATUS", "REASON", "AGE", "MESSAGE")
		for _, c := range st.Conditions {
			row(tw, "  "+c.Type, string(c.Status), c.Reason, since(&c.LastTransitionTime, now), truncate(c.Message))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// renderHeader writes the operation's header rows.
func renderHeader(tw *tabwriter.Writer, op *syncv1alpha1.SyncOperation, now time.Time) error {
	st := &op.Status
	row(tw, "Name:", op.Name)
	row(tw, "Namespace:", op.Namespace)
	row(tw, "Phase:", string(orPending(st.Phase)))
	if st.Controller != "" { // the replica that drives it (--sharding=dynamic)
		row(tw, "Controller:", st.Controller)
	}
	if st.Step != "" {
		row(tw, "Step:", st.Step)
	}
	if st.Progress != "" {
		row(tw, "Progress:", st.Progress)
	}
	if st.StartedAt != nil {
		row(tw, "Started:", st.StartedAt.UTC().Format(time.RFC3339))
		row(tw, "Elapsed:", elapsed(st, now).String())
	}
	if st.Reason != "" {
		row(tw, "Reason:", st.Reason)
	}
	if f := st.FailedStep; f != nil {
		failed := fmt.Sprintf("%s/%d", f.Phase, f.Wave)
		if f.Message != "" {
			failed += ": " + f.Message
		}
		row(tw, "Failed step:", failed)
	}
	if st.Message != "" {
		row(tw, "Message:", st.Message)
	}
	if st.Summary != nil {
		s := st.Summary
		line := fmt.Sprintf("%d total, %d synced, %d healthy", s.Total, s.Synced, s.Healthy)
		if s.Pruned > 0 {
			line += fmt.Sprintf(", %d pruned", s.Pruned)
		}
		row(tw, "Summary:", fmt.Sprintf("%s; hooks: %d succeeded, %d failed", line, s.HooksSucceeded, s.HooksFailed))
	}
	return tw.Flush()
}

// row writes tab-separated cells and a newline.
func row(w io.Writer, cells ...string) {
	fmt.Fprintln(w, strings.Join(cells, "\t"))
}

func orPending(p syncv1alpha1.OperationPhase) syncv1alpha1.OperationPhase {
	if p == "" {
		return syncv1alpha1.OperationPending
	}
	return p
}

// objectName is namespace/name for namespaced objects, name otherwise.
func objectName(r syncv1alpha1.ResourceRef) string {
	if r.Namespace == "" {
		return r.Name
	}
	return r.Namespace + "/" + r.Name
}

// refString is Kind/namespace/name, as controller messages name objects.
func refString(r syncv1alpha1.ResourceRef) string {
	kind := r.Kind
	if r.Group != "" {
		kind += "." + r.Group
	}
	return kind + "/" + objectName(r)
}

// hookCell is the hook column: the hook's progress, or empty for a plain
// resource and for a hook that is Skipped and never ran (the SyncFail hooks
// of an operation that did not fail: "Pending" read as if they still
// could).
func hookCell(r syncv1alpha1.ResourceStatus) string {
	if r.HookType == "" {
		return ""
	}
	if r.HookPhase == "" {
		if r.Status == syncv1alpha1.ResultSkipped {
			return ""
		}
		return string(syncv1alpha1.HookPending)
	}
	return string(r.HookPhase)
}

func truncate(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxMessage {
		return string(r[:maxMessage-1]) + "…"
	}
	return s
}

// elapsed is the run time of the operation: until finishedAt when it
// finished, else until now.
func elapsed(st *syncv1alpha1.SyncOperationStatus, now time.Time) time.Duration {
	if st.StartedAt == nil {
		return 0
	}
	end := now
	if st.FinishedAt != nil {
		end = st.FinishedAt.Time
	}
	return max(0, end.Sub(st.StartedAt.Time).Round(time.Second))
}

// since is the age of t, or empty. Clock skew between this machine and the
// controller must not show negative ages.
func since(t *metav1.Time, now time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return max(0, now.Sub(t.Time).Round(time.Second)).String()
}

// messageCell is the message of a row; for a dry run, what a sync would do.
func messageCell(r syncv1alpha1.ResourceStatus) string {
	if r.Change == "" || r.Message != "" {
		return r.Message
	}
	msg := "would " + strings.ToLower(string(r.Change))
	if r.Change == syncv1alpha1.ChangeUnchanged {
		msg = "unchanged"
	}
	if len(r.ChangedFields) > 0 {
		msg += ": " + strings.Join(r.ChangedFields, ", ")
	}
	return msg
}
