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
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/operation"
	pinned "github.com/syncwave/syncwave/internal/snapshot"
)

// deployedHooks returns, as the documents of a teardown, the PreDelete and
// PostDelete hooks of the application's deployed manifests: those pinned
// by the operation that holds its inventory (ops, newest first). So
// `delete APP` runs the hooks the application was deployed with, as
// `helm uninstall` runs a release's pre-delete hooks and Argo CD an
// application's; -f gives other manifests, --no-hooks none. It says on
// stderr which hooks it takes. An application without an inventory has no
// hooks to run. A pinned plan that cannot be read is an error: tearing
// down without a PreDelete hook (a backup, say) that the application
// declares must be asked for. secret tells whether a hook is a Secret:
// the teardown's manifests then go into Secrets.
func deployedHooks(ctx context.Context, c client.Client, ops []syncv1alpha1.SyncOperation, dryRun bool, stderr io.Writer) (docs []document, secret bool, err error) {
	holder := operation.InventoryHolder(ops, nil)
	if holder == nil {
		return nil, false, nil
	}
	where := fmt.Sprintf("SyncOperation %s/%s", holder.Namespace, holder.Name)
	p, err := pinned.Load(ctx, c, holder.Namespace, holder.Status.Snapshot)
	if err != nil {
		return nil, false, fmt.Errorf("read the PreDelete and PostDelete hooks of application %s from the pinned plan of %s: %w; pass the manifests with -f, or tear down without hooks with --no-hooks",
			holder.Spec.Application, where, err)
	}
	var names []string
	for _, s := range p.OnDelete {
		for _, t := range s.Tasks {
			raw, err := json.Marshal(t.Object.Object)
			if err != nil {
				return nil, false, fmt.Errorf("hook %s of %s: %w", t.ID, where, err)
			}
			docs = append(docs, document{source: where + ": " + t.ID.String(), data: raw})
			names = append(names, fmt.Sprintf("%s (%s)", t.ID, s.Phase))
			secret = secret || (t.ID.Group == "" && t.ID.Kind == "Secret")
		}
	}
	verb := "running"
	if dryRun {
		verb = "previewing" // a dry run lists them, and runs none
	}
	if len(names) > 0 {
		fmt.Fprintf(stderr, "%s the teardown hooks that %s deployed: %s; --no-hooks tears down without them\n", verb, where, strings.Join(names, ", "))
	}
	return docs, secret, nil
}
