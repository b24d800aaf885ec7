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
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/fields"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
)

func init() { subcommands = append(subcommands, newHistoryCmd, newDeleteCmd) }

func newHistoryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "history APPLICATION",
		Short: "List the operations of an application, newest first",
		Long: `History lists the SyncOperations of APPLICATION (spec.application) in the
namespace, newest first: NAME, ACTION, PHASE, REASON, STARTED, DURATION and
the DIGEST of the manifests; the ACTION of a dry run (a preview, which
changed nothing) is Sync,DryRun or Delete,DryRun. The controller keeps the
newest --history-limit finished ones of each application, and always the
last Succeeded one.`,
		Args: positional(1),
	}
	kube := addClusterFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, ns, err := kube.client()
		if err != nil {
			return err
		}
		ops, err := applicationOperations(cmd.Context(), c, ns, args[0])
		if err != nil {
			return err
		}
		if len(ops) == 0 {
			return fmt.Errorf("no SyncOperation of application %s in namespace %s", args[0], ns)
		}
		return printHistory(cmd.OutOrStdout(), ops, time.Now())
	}
	return cmd
}

// applicationOperations lists the operations of app, newest first, with
// the field selector on spec.application that the CRD declares.
func applicationOperations(ctx context.Context, c client.Client, ns, app string) ([]syncv1alpha1.SyncOperation, error) {
	list := &syncv1alpha1.SyncOperationList{}
	sel := fields.OneTermEqualSelector("spec.application", app)
	if err := c.List(ctx, list, client.InNamespace(ns), client.MatchingFieldsSelector{Selector: sel}); err != nil {
		return nil, fmt.Errorf("list the SyncOperations of application %s in namespace %s: %w", app, ns, err)
	}
	ops := list.Items
	slices.SortFunc(ops, func(a, b syncv1alpha1.SyncOperation) int { return operation.CompareCreation(&b, &a) })
	return ops, nil
}

func printHistory(w io.Writer, ops []syncv1alpha1.SyncOperation, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tACTION\tPHASE\tREASON\tSTARTED\tDURATION\tDIGEST")
	for _, op := range ops {
		st := op.Status
		action := cmp.Or(string(op.Spec.Action), string(syncv1alpha1.ActionSync))
		if op.Spec.DryRun {
			action += ",DryRun" // a preview: it changed nothing (as kubectl joins node conditions)
		}
		started, dur := "-", "-"
		if st.StartedAt != nil {
			started = st.StartedAt.UTC().Format(time.RFC3339)
			end := now
			if st.FinishedAt != nil {
				end = st.FinishedAt.Time
			}
			dur = end.Sub(st.StartedAt.Time).Round(time.Second).String()
		}
		digest := cmp.Or(strings.TrimPrefix(st.PlanDigest, "sha256:"), "-")
		if len(digest) > 12 {
			digest = digest[:12]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", op.Name, action, cmp.Or(string(st.Phase), "-"), cmp.Or(st.Reason, "-"), started, dur, digest)
	}
	return tw.Flush()
}

func newDeleteCmd() *cobra.Command {
	o := &createOptions{action: syncv1alpha1.ActionDelete}
	cmd := &cobra.Command{
		Use:   "delete APPLICATION [-f PATH... | --no-hooks] [--dry-run] [--wait]",
		Short: "Tear an application down with a Delete operation",
		Long: `Delete creates a SyncOperation with action Delete for APPLICATION: its
PreDelete hooks run first, then every object of the application's
inventory is deleted, highest wave first, Namespaces and CRDs last, each
wave waited for until gone, then its PostDelete hooks run. A failing
PreDelete hook deletes nothing. The hooks are those that the operation
holding the inventory deployed (its pinned manifests), as helm uninstall
runs a release's hooks; -f or -k gives other manifests instead (only
their hooks are used: nothing of them is applied), and --no-hooks runs
none. Hooks that hold a Secret are packed into a Secret. --dry-run lists
what the teardown would delete and keep, and changes nothing. The
teardown acts where the operation that holds the application's inventory
did (else its newest, a dry run aside): the same spec.kubeConfig (its
cluster), serviceAccountName and targetNamespace. The operation is named
APPLICATION-delete-<UTC time to the second>, with -2, -3, … appended when
a delete of the same second took that name. An application with no
SyncOperation in the namespace is an error: nothing is created.`,
		Example: `  kubectl syncwave delete shop --wait
  kubectl syncwave delete shop -f deploy/ --wait   # with the PreDelete/PostDelete hooks of deploy/
  kubectl syncwave delete shop --no-hooks          # without any hook`,
		Args: positional(1),
	}
	kube := addClusterFlags(cmd)
	o.manifests = addManifestFlags(cmd)
	cmd.Flags().BoolVar(&o.wait, "wait", false, "follow the operation like watch until it ends; exit 1 unless it succeeded")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "create a dry-run teardown (spec.dryRun): it lists what the teardown would delete and keep, and changes nothing")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 0, "bound for the whole teardown (default: the controller's)")
	noHooks := cmd.Flags().Bool("no-hooks", false, "run no PreDelete or PostDelete hook (by default: those the application was deployed with, or those of -f)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		o.application = args[0]
		given := len(o.manifests.paths) > 0 || len(o.manifests.kustomizations) > 0
		if given && *noHooks {
			return errors.New("--no-hooks and -f/-k: the manifests of a teardown only give its hooks")
		}
		var docs []document
		if given {
			set, err := o.manifests.parsed(cmd.InOrStdin(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if docs, err = documents(set.inputs); err != nil {
				return err
			}
			o.secret = len(secretNames(set.objs)) > 0 // a Secret hook's value stays in a Secret
		}
		c, ns, err := kube.client()
		if err != nil {
			return err
		}
		// A typo, or the wrong namespace, would otherwise create a
		// teardown of nothing that succeeds.
		ops, err := applicationOperations(cmd.Context(), c, ns, o.application)
		if err != nil {
			return err
		}
		if len(ops) == 0 {
			return fmt.Errorf("no SyncOperation of application %s in namespace %s: nothing to tear down (is the namespace right? -n)", o.application, ns)
		}
		if !given && !*noHooks {
			if docs, o.secret, err = deployedHooks(cmd.Context(), c, ops, o.dryRun, cmd.ErrOrStderr()); err != nil {
				return err
			}
		}
		op, err := createTeardown(cmd.Context(), c, ns, o.application, time.Now(), docs, o.like(ops))
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "syncoperation.syncwave.dev/%s created (Delete of application %s)\n", op.Name, o.application)
		if !o.wait {
			return nil
		}
		return followOperation(cmd.Context(), c, client.ObjectKeyFromObject(op), cmd.OutOrStdout())
	}
	return cmd
}

// like makes a teardown act where the operation that holds the
// application's inventory acted (operation.InventoryHolder), else its
// newest real (not dry-run) operation of ops (newest first): on the same
// cluster, as the same ServiceAccount, with the same default namespace for
// the hooks. The controller refuses a teardown on another cluster than its
// inventory's, so an operation it refused for that is not followed.
func (o *createOptions) like(ops []syncv1alpha1.SyncOperation) *createOptions {
	from := operation.InventoryHolder(ops, nil)
	if from == nil {
		i := slices.IndexFunc(ops, func(op syncv1alpha1.SyncOperation) bool { return !op.Spec.DryRun })
		if i < 0 {
			return o
		}
		from = &ops[i]
	}
	spec, like := from.Spec, *o
	like.kubeConfig, like.serviceAccountName, like.targetNamespace = spec.KubeConfig, spec.ServiceAccountName, spec.TargetNamespace
	return &like
}

// deleteName names the Delete operation of app created at now.
func deleteName(app string, now time.Time) string {
	return fmt.Sprintf("%s-delete-%s", app, now.UTC().Format("20060102-150405"))
}

// maxTeardownNames bounds the names createTeardown tries.
const maxTeardownNames = 10

// createTeardown creates the Delete operation of app under deleteName, or,
// when that name is taken (a second delete within the same second: a CI
// job run again, two people at once), under the same name with -2, -3, …
// appended: an operation runs once, so each delete is its own.
func createTeardown(ctx context.Context, c client.Client, ns, app string, now time.Time, docs []document, o *createOptions) (*syncv1alpha1.SyncOperation, error) {
	base := deleteName(app, now)
	name := base
	for i := 2; ; i++ {
		op, err := createOperation(ctx, c, ns, name, docs, o)
		if !apierrors.IsAlreadyExists(err) || i > maxTeardownNames {
			return op, err
		}
		name = fmt.Sprintf("%s-%d", base, i)
	}
}
