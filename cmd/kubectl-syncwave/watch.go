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
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

func init() { subcommands = append(subcommands, newWatchCmd) }

// maxBlockedShown bounds the blocking objects the progress view lists.
const maxBlockedShown = 5

func newWatchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "watch NAME",
		Short: "Follow a SyncOperation until it ends; exit 0 when it succeeded, 1 otherwise",
		Args:  positional(1),
	}
	kube := addClusterFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, ns, err := kube.client()
		if err != nil {
			return err
		}
		return followOperation(cmd.Context(), c, types.NamespacedName{Namespace: ns, Name: args[0]}, cmd.OutOrStdout())
	}
	return cmd
}

// followOperation watches one operation on the cluster and draws its
// progress on out until it is terminal.
func followOperation(ctx context.Context, c client.WithWatch, key types.NamespacedName, out io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	return follow(ctx, watchOperation(ctx, c, key), out, terminalWidth(out), time.Now)
}

// snapshot is one state of the followed operation, or the error that made
// the source give up.
type snapshot struct {
	op  *syncv1alpha1.SyncOperation
	err error
}

// errOperationFailed is returned (wrapped) when the followed operation
// ends in any phase but Succeeded, so that the command exits 1.
var errOperationFailed = errors.New("operation did not succeed")

// follow draws the progress of the operation from updates until it is
// terminal. With a terminal width (> 0) it redraws the view in place, its
// lines cut to the width, and refreshes the elapsed time every second;
// with width 0 it prints a line whenever the progress changes. It returns
// nil when the operation succeeded.
func follow(ctx context.Context, updates <-chan snapshot, out io.Writer, width int, now func() time.Time) error {
	var tick <-chan time.Time
	if width > 0 {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		tick = t.C
	}
	d := &drawer{out: out, width: width}
	var last *syncv1alpha1.SyncOperation
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick:
			if last != nil {
				d.draw(last, now())
			}
		case u, ok := <-updates:
			switch {
			case !ok:
				return errors.New("the watch ended before the operation finished")
			case u.err != nil:
				return u.err
			}
			last = u.op
			d.draw(last, now())
			if last.Status.Phase.Terminal() {
				return result(last)
			}
		}
	}
}

// result is nil for a succeeded operation and errOperationFailed otherwise.
func result(op *syncv1alpha1.SyncOperation) error {
	st := op.Status
	if st.Phase == syncv1alpha1.OperationSucceeded {
		return nil
	}
	return fmt.Errorf("SyncOperation %s/%s %s (%s): %w", op.Namespace, op.Name, st.Phase, st.Reason, errOperationFailed)
}

// drawer writes progress views: in place on a terminal, as changed lines
// otherwise.
type drawer struct {
	out   io.Writer
	width int    // terminal width; 0 prints plain lines
	lines int    // lines of the last view drawn in place
	last  string // the last line printed in plain mode, without the time
}

func (d *drawer) draw(op *syncv1alpha1.SyncOperation, now time.Time) {
	if d.width > 0 {
		if d.lines > 0 {
			// Move up to the first line of the last view and clear below.
			fmt.Fprintf(d.out, "\x1b[%dA\x1b[J", d.lines)
		}
		view := progressView(op, now)
		for i, line := range view {
			// A wrapped line would break the count of lines to move up.
			if r := []rune(line); len(r) >= d.width {
				view[i] = string(r[:d.width-1])
			}
		}
		fmt.Fprint(d.out, strings.Join(view, "\n")+"\n")
		d.lines = len(view)
		return
	}
	line := progressLine(op)
	if line == d.last {
		return
	}
	d.last = line
	fmt.Fprintf(d.out, "[%s] %s\n", elapsed(&op.Status, now), line)
}

// progressLine is the one-line summary of the plain output.
func progressLine(op *syncv1alpha1.SyncOperation) string {
	st := &op.Status
	parts := []string{string(orPending(st.Phase))}
	if st.Step != "" {
		parts = append(parts, "step "+st.Step)
	}
	if st.Progress != "" {
		parts = append(parts, st.Progress+" done")
	}
	line := strings.Join(parts, ", ")
	if st.Phase.Terminal() {
		return line + reasonAndMessage(st)
	}
	if st.RetryAt != nil && st.Message != "" {
		// A failure waits for its retry: the message says which and when.
		return line + ": " + st.Message
	}
	if len(st.BlockedBy) > 0 {
		var blocked []string
		for _, b := range st.BlockedBy {
			blocked = append(blocked, fmt.Sprintf("%s (%s)", refString(b.ResourceRef), blockedState(st, b)))
		}
		return line + "; waiting for " + strings.Join(blocked, ", ")
	}
	if st.Message != "" {
		return line + ": " + st.Message
	}
	return line
}

// progressView is the multi-line view drawn on a terminal.
func progressView(op *syncv1alpha1.SyncOperation, now time.Time) []string {
	st := &op.Status
	head := fmt.Sprintf("SyncOperation %s/%s: %s", op.Namespace, op.Name, orPending(st.Phase))
	if st.Step != "" {
		head += "  step " + st.Step
	}
	if st.Progress != "" {
		head += "  " + st.Progress + " done"
	}
	head += "  elapsed " + elapsed(st, now).String()
	view := []string{head}
	if s := st.Summary; s != nil {
		view = append(view, fmt.Sprintf("  %d synced, %d healthy of %d; hooks: %d succeeded, %d failed",
			s.Synced, s.Healthy, s.Total, s.HooksSucceeded, s.HooksFailed))
	}
	if st.Phase.Terminal() {
		if rm := reasonAndMessage(st); rm != "" {
			view = append(view, "  "+strings.TrimPrefix(rm, ": "))
		}
		return view
	}
	if st.Message != "" {
		view = append(view, "  "+truncate(st.Message))
	}
	for i, b := range st.BlockedBy {
		if i == maxBlockedShown {
			view = append(view, fmt.Sprintf("  ... and %d more", len(st.BlockedBy)-maxBlockedShown))
			break
		}
		line := fmt.Sprintf("  waiting for %s: %s", refString(b.ResourceRef), blockedState(st, b))
		if b.Since != nil {
			line += " for " + since(b.Since, now)
		}
		if b.Message != "" {
			line += " - " + truncate(b.Message)
		}
		view = append(view, line)
	}
	return view
}

// blockedState is what b waits for: a hook's phase, the object's health,
// or, in a prune step (Prune, PruneLast), its deletion.
func blockedState(st *syncv1alpha1.SyncOperationStatus, b syncv1alpha1.BlockedResource) string {
	if st.Current != nil && st.Current.Phase.Deletes() && b.HookPhase == "" && b.Health == syncv1alpha1.HealthProgressing {
		return "being deleted"
	}
	if b.HookPhase != "" {
		return "hook " + string(b.HookPhase)
	}
	if b.Health != "" {
		return string(b.Health)
	}
	return "not applied"
}

func reasonAndMessage(st *syncv1alpha1.SyncOperationStatus) string {
	var s string
	if st.Reason != "" && st.Reason != string(st.Phase) { // "Succeeded: Succeeded: …" says it twice
		s += ": " + st.Reason
	}
	if st.Message != "" {
		s += ": " + st.Message
	}
	return s
}

// terminalWidth is the width of w when it is a terminal, where the view is
// redrawn in place, and 0 otherwise.
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width <= 0 {
		return 80
	}
	return width
}

// watchOperation sends a snapshot of the operation at the start and on
// every change, until it is terminal or ctx ends. When the API server ends
// the watch (timeouts), it watches on from the last version it saw, so
// that an operation that finished and was deleted in between is seen to
// finish; after a watch error (an expired version) it reads the operation
// again. It gives up on errors reading it, and when it is deleted.
func watchOperation(ctx context.Context, c client.WithWatch, key types.NamespacedName) <-chan snapshot {
	ch := make(chan snapshot)
	send := func(u snapshot) bool {
		select {
		case ch <- u:
			return true
		case <-ctx.Done():
			return false
		}
	}
	go func() {
		defer close(ch)
		rv := ""
		for {
			if rv == "" {
				op := &syncv1alpha1.SyncOperation{}
				if err := c.Get(ctx, key, op); err != nil {
					send(snapshot{err: fmt.Errorf("get SyncOperation %s: %w", key, err)})
					return
				}
				if !send(snapshot{op: op}) || op.Status.Phase.Terminal() {
					return
				}
				rv = op.ResourceVersion
			}
			w, err := c.Watch(ctx, &syncv1alpha1.SyncOperationList{}, client.InNamespace(key.Namespace),
				client.MatchingFields{"metadata.name": key.Name},
				&client.ListOptions{Raw: &metav1.ListOptions{ResourceVersion: rv}})
			if err != nil {
				send(snapshot{err: fmt.Errorf("watch SyncOperation %s: %w", key, err)})
				return
			}
			done, last := relay(w, key, rv, send)
			w.Stop()
			if done {
				return
			}
			rv = last
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}()
	return ch
}

// relay forwards the events of one watch, which started at version rv.
// It returns true when following is over (terminal, deleted, or nobody
// listens) and, when the watch ended and should be started again, the
// version to start from: the last one seen, "" after a watch error.
func relay(w watch.Interface, key types.NamespacedName, rv string, send func(snapshot) bool) (bool, string) {
	for ev := range w.ResultChan() {
		switch ev.Type {
		case watch.Added, watch.Modified:
			op, ok := ev.Object.(*syncv1alpha1.SyncOperation)
			if !ok {
				continue
			}
			if !send(snapshot{op: op}) || op.Status.Phase.Terminal() {
				return true, ""
			}
			rv = op.ResourceVersion
		case watch.Deleted:
			send(snapshot{err: fmt.Errorf("SyncOperation %s was deleted", key)})
			return true, ""
		case watch.Error:
			return false, ""
		}
	}
	return false, rv
}
