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

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/health/cel"
	"github.com/syncwave/syncwave/internal/health/lua"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/plan"
)

func init() { subcommands = append(subcommands, newPlanCmd) }

// planOptions are the flags of the plan command.
type planOptions struct {
	manifests *manifestFlags
	output    string
	strict    bool
	namespace string
	health    healthSources
}

func newPlanCmd() *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan -f PATH... [-k DIR] [-o table|json] [--strict]",
		Short: "Print and lint the ordered plan of manifests, offline",
		Long: `Print the plan a SyncOperation would run for the manifests: its steps
(phase and wave) in order, the objects of each step in apply order, the
SyncFail steps, the PreDelete and PostDelete steps that only a teardown
(kubectl syncwave delete) runs, skipped objects, and lint warnings (codes
SW001...).

No cluster is needed: kinds are known to be cluster-scoped from a built-in
table and from the CRDs among the manifests. A custom resource draws SW006
unless a health check is known for its kind where the controller would look:
syncwave's library of scripts (unless --health-library=false), the health
ConfigMap manifest of --health-configmap (its Lua keys and its health.cel.*
keys) and the script tree of --health-dir. The command exits 1 when the
manifests are invalid, and with --strict also when there are warnings.

In -o json, "hook" is the hook type of the step's task ("" for a plain
resource) and "hookTypes" every type the object declares.`,
		Example: `  kubectl syncwave plan -f manifests/
  helm template my-chart | kubectl syncwave plan -f - --strict
  kubectl syncwave plan -f app.yaml -f crds/ -o json
  kubectl syncwave plan -k overlays/prod`,
		Args: cobra.NoArgs,
	}
	o.manifests = addManifestFlags(cmd)
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "table", "output format: table or json")
	f.BoolVar(&o.strict, "strict", false, "treat lint warnings as errors (exit 1)")
	f.StringVarP(&o.namespace, "namespace", "n", "default", "namespace of namespaced objects that do not name one")
	f.StringVar(&o.health.configMap, "health-configmap", "", "file with the controller's health ConfigMap manifest: the kinds of its Lua and health.cel.* keys have a health check (SW006)")
	f.StringVar(&o.health.dir, "health-dir", "", "directory with the controller's --health-dir tree of health scripts: its kinds have a health check (SW006)")
	f.BoolVar(&o.health.library, "health-library", true, "syncwave's library of health scripts is in use, as with the controller's default --health-library")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		return o.run(cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr())
	}
	return cmd
}

func (o *planOptions) run(stdin io.Reader, out, stderr io.Writer) error {
	if o.output != "table" && o.output != "json" {
		return fmt.Errorf("unknown output format %q: use table or json", o.output)
	}
	layers, err := healthLayers(o.health, stderr)
	if err != nil {
		return err
	}
	var celChecks *cel.Checks
	if o.health.configMap != "" {
		if celChecks, _, err = readCELConfigMap(o.health.configMap, cel.NewEngine(cel.DefaultOptions()), stderr); err != nil {
			return err
		}
	}
	set, err := o.manifests.read(stdin, stderr)
	if err != nil {
		return err
	}
	p, err := buildPlan(set, o.namespace, func(gk schema.GroupKind) bool {
		return health.IsBuiltinKind(gk) || lua.HasScript(gk, layers...) || cel.HasCheck(gk, celChecks)
	})
	if o.output == "json" {
		if werr := writePlanJSON(out, p, err); werr != nil {
			return werr
		}
	} else {
		if err != nil {
			return err
		}
		if werr := writePlanTable(out, p); werr != nil {
			return werr
		}
	}
	if err != nil || (o.strict && len(p.Warnings) > 0) {
		return &exitError{code: 1}
	}
	return nil
}

// buildPlan plans offline. The error is the parse errors, or a
// *plan.ValidationError.
func buildPlan(set *manifestInput, namespace string, hasHealthCheck func(schema.GroupKind) bool) (*plan.Plan, error) {
	if err := set.parseError(); err != nil {
		return nil, err
	}
	return plan.Build(manifest.Unstructured(set.objs), plan.Options{
		DefaultNamespace: namespace,
		Origins:          manifest.Origins(set.objs),
		HasHealthCheck:   hasHealthCheck,
	})
}
