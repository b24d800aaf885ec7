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
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/diff"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/plan"
)

func init() { subcommands = append(subcommands, newDiffCmd) }

// diffOperationName is the name the dry-runs give the operation in the
// syncwave.dev/operation annotation, which the diff leaves out.
const diffOperationName = "kubectl-syncwave-diff"

// diffOptions are the flags of diff.
type diffOptions struct {
	manifests   *manifestFlags
	kube        *cluster
	application string
	// targetNamespace is create's --target-namespace: where namespaced
	// objects that name none go.
	targetNamespace string
}

func newDiffCmd() *cobra.Command {
	o := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff -f PATH... [-k DIR] [--application A]",
		Short: "Show what a sync of the manifests would change on the cluster",
		Long: `Diff shows what syncing the manifests would change: for every object, a
server-side apply dry-run (field manager syncwave, conflicts forced, as the
controller applies) against the live object, both sides without managed
fields, status and other fields the server sets on every write, as a
unified diff per changed object. Hooks are left out: each sync creates
them anew. Secret values are never shown: a changed key shows as
"*** (before)" / "*** (after)".

With --application, what a sync with prune would delete is listed as
"- would prune group/Kind namespace/name": the objects of the application's
inventory (what its last finished operation left to it) that the
manifests no longer contain, still labelled syncwave.dev/application=A and
not kept by Prune=false. For an application whose operations act on
another cluster (spec.kubeConfig of the operation that holds its
inventory), the whole diff is made there, as the controller would sync:
its kubeconfig is read from that Secret with your rights (inline
credentials only, as for the controller). The namespace of -n (else the
kubeconfig context's) is both the one of objects that name none and the
application's; --target-namespace, as for create, puts the objects that
name none in another.

KUBECTL_EXTERNAL_DIFF selects a diff program as for kubectl diff: both
sides of the changed objects are written to two directories, one file per
object, and the program is run with the two directories.

Exit status: 0 no differences, 1 differences, 2 (or the diff program's
status above 1) on error, as kubectl diff.`,
		Example: `  kubectl syncwave diff -f manifests/
  kubectl syncwave diff -k overlays/prod --application shop -n prod
  KUBECTL_EXTERNAL_DIFF="meld" kubectl syncwave diff -f app.yaml`,
		// An argument error is an error (2), not a difference (1).
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.NoArgs(cmd, args); err != nil {
				return &exitError{code: 2, err: err}
			}
			return nil
		},
	}
	o.kube = addClusterFlags(cmd)
	o.manifests = addManifestFlags(cmd)
	cmd.Flags().StringVar(&o.application, "application", "", "application the manifests belong to: list what its sync would prune")
	cmd.Flags().StringVar(&o.targetNamespace, "target-namespace", "", "namespace for namespaced objects that name none (default: -n's), as create's")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &exitError{code: 2, err: err} })
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		changed, err := o.run(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		if exit, ok := errors.AsType[*diff.ExitError](err); ok {
			return &exitError{code: exit.Code, err: err}
		}
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		if changed {
			return &exitError{code: 1}
		}
		return nil
	}
	return cmd
}

// run prints the changes and reports whether there are any. Objects that
// cannot be diffed are reported together at the end; the others are
// still shown.
func (o *diffOptions) run(ctx context.Context, stdin io.Reader, out, stderr io.Writer) (bool, error) {
	set, err := o.manifests.parsed(stdin, stderr)
	if err != nil {
		return false, err
	}
	c, ns, err := o.kube.client()
	if err != nil {
		return false, err
	}
	// target is where the objects are: c's cluster, or the application's.
	var target client.Client = c
	pruner := &diff.InventoryPruner{Client: c}
	if o.application != "" {
		if pruner.Target, err = o.applicationCluster(ctx, c, pruner, ns, stderr); err != nil {
			return false, err
		}
		if pruner.Target != nil {
			target = pruner.Target
		}
	}
	p, err := plan.Build(manifest.Unstructured(set.objs), plan.Options{
		DefaultNamespace: cmp.Or(o.targetNamespace, ns),
		IsNamespaced:     plan.NamespacedFrom(target.RESTMapper()),
		Origins:          manifest.Origins(set.objs),
	})
	if err != nil {
		return false, err
	}
	changes, errs := o.objectChanges(ctx, target, ns, p, stderr)
	var pruned []diff.Change
	if o.application != "" {
		pruned, err = o.pruneChanges(ctx, pruner, ns, p)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if err := o.print(ctx, append(changes, pruned...), pruned, out, stderr); err != nil {
		errs = append(errs, err)
	}
	return len(changes)+len(pruned) > 0, errors.Join(errs...)
}

// objectChanges diffs every task of the plan that is not a hook and
// returns the changed ones.
func (o *diffOptions) objectChanges(ctx context.Context, c client.Client, ns string, p *plan.Plan, stderr io.Writer) ([]diff.Change, []error) {
	d := &diff.Differ{
		Client:    c,
		Operation: &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: diffOperationName}},
		CRDKinds:  p.DefinedKinds(),
	}
	created := p.CreatedNamespaces()
	d.CreatesNamespace = func(n string) bool { return created[n] }
	if o.application != "" {
		d.Labels = map[string]string{syncv1alpha1.LabelApplication: o.application}
	}
	var changes []diff.Change
	var errs []error
	for _, t := range tasks(p) {
		if t.IsHook() {
			if o.manifests.verbose {
				fmt.Fprintf(stderr, "skipped hook %s: each sync creates it anew\n", t.ID)
			}
			continue
		}
		ch, why, err := d.Object(ctx, t)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if why != "" {
			fmt.Fprintf(stderr, "%s: shown as written: %s\n", t.ID, why)
		}
		changed, err := ch.Changed()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if changed {
			changes = append(changes, ch)
		}
	}
	return changes, errs
}

// pruneChanges lists the prune candidates of the application.
func (o *diffOptions) pruneChanges(ctx context.Context, pruner diff.Pruner, ns string, p *plan.Plan) ([]diff.Change, error) {
	q := diff.PruneQuery{Application: o.application, Namespace: ns, Plan: p}
	live, err := pruner.Candidates(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]diff.Change, len(live))
	for i, u := range live {
		out[i] = diff.PruneChange(u)
	}
	return out, nil
}

// print shows the changes with KUBECTL_EXTERNAL_DIFF's program, or as
// unified diffs, then the prune lines.
func (o *diffOptions) print(ctx context.Context, changes, pruned []diff.Change, out, stderr io.Writer) error {
	prog, external := diff.ProgramFromEnv(os.Getenv(diff.EnvExternalDiff))
	var err error
	switch {
	case len(changes) == 0:
	case external:
		err = prog.Run(ctx, changes, out, stderr)
	default:
		for i := range changes {
			if changes[i].Merged == nil {
				continue // a prune: one line below
			}
			var text string
			if text, err = changes[i].Unified(); err != nil {
				break
			}
			fmt.Fprint(out, text)
		}
	}
	for _, ch := range pruned {
		fmt.Fprintln(out, pruneLine(ch.ID))
	}
	return err
}

// pruneLine renders "- would prune group/Kind namespace/name".
func pruneLine(id plan.ObjectID) string {
	kind := id.Kind
	if id.Group != "" {
		kind = id.Group + "/" + kind
	}
	obj := id.Name
	if id.Namespace != "" {
		obj = id.Namespace + "/" + obj
	}
	return "- would prune " + kind + " " + obj
}

// tasks returns the tasks of every step of the plan, in order; the
// SyncFail steps hold hooks only and are left out.
func tasks(p *plan.Plan) []*plan.Task {
	var out []*plan.Task
	for i := range p.Steps {
		for j := range p.Steps[i].Tasks {
			out = append(out, &p.Steps[i].Tasks[j])
		}
	}
	return out
}
