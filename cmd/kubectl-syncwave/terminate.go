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
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

func init() { subcommands = append(subcommands, newTerminateCmd) }

func newTerminateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "terminate NAME",
		Short: "Abort a running SyncOperation (sets spec.terminate)",
		Long: `Terminate sets spec.terminate on the SyncOperation: running hooks are
deleted, no new step starts, no SyncFail hook runs, and the operation ends
Failed with reason Terminated. Objects already applied stay.`,
		Args: positional(1),
	}
	kube := addClusterFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, ns, err := kube.client()
		if err != nil {
			return err
		}
		msg, err := terminate(cmd.Context(), c, types.NamespacedName{Namespace: ns, Name: args[0]})
		if err != nil {
			return err
		}
		fmt.Fprintln(cmd.OutOrStdout(), msg)
		return nil
	}
	return cmd
}

// terminate sets spec.terminate, unless the operation already ended, and
// returns what it did.
func terminate(ctx context.Context, c client.Client, key types.NamespacedName) (string, error) {
	op := &syncv1alpha1.SyncOperation{}
	if err := c.Get(ctx, key, op); err != nil {
		return "", fmt.Errorf("get SyncOperation %s: %w", key, err)
	}
	if op.Status.Phase.Terminal() {
		return fmt.Sprintf("syncoperation.syncwave.dev/%s already %s", key.Name, op.Status.Phase), nil
	}
	patch := client.RawPatch(types.MergePatchType, []byte(`{"spec":{"terminate":true}}`))
	if err := c.Patch(ctx, op, patch); err != nil {
		return "", fmt.Errorf("terminate SyncOperation %s: %w", key, err)
	}
	return fmt.Sprintf("syncoperation.syncwave.dev/%s terminating", key.Name), nil
}
