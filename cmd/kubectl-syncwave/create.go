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
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/source/files"
)

func init() { subcommands = append(subcommands, newCreateCmd) }

// maxConfigMapData bounds the data (keys and values) of one manifests
// ConfigMap: the API server rejects objects over 1 MiB, and the rest of the
// object (metadata, owner reference) needs room too.
const maxConfigMapData = 900 << 10

// maxSources is the largest number of ConfigMaps one operation may
// reference (spec.sources MaxItems).
const maxSources = 100

// createOptions are the flags of create.
type createOptions struct {
	manifests           *manifestFlags
	wait                bool
	targetNamespace     string
	serviceAccountName  string
	timeout             time.Duration
	waveTimeout         time.Duration
	degradedGracePeriod time.Duration
	application         string
	prune               bool
	dryRun              bool
	// secret packs the manifests into Secrets (--secret).
	secret bool
	// action is Delete for kubectl syncwave delete.
	action syncv1alpha1.Action
	// kubeconfigSecret is --kubeconfig-secret, NAME or NAME:KEY.
	kubeconfigSecret string
	// kubeConfig is the remote cluster: --kubeconfig-secret's, or for a
	// teardown the application's.
	kubeConfig *syncv1alpha1.KubeConfigReference
}

// parseKubeconfigSecret sets kubeConfig from --kubeconfig-secret.
func (o *createOptions) parseKubeconfigSecret() error {
	if o.kubeconfigSecret == "" {
		return nil
	}
	name, key, _ := strings.Cut(o.kubeconfigSecret, ":")
	if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
		return fmt.Errorf("--kubeconfig-secret %q: the Secret's name %s", o.kubeconfigSecret, strings.Join(errs, "; "))
	}
	o.kubeConfig = &syncv1alpha1.KubeConfigReference{SecretRef: syncv1alpha1.SecretKeyReference{Name: name, Key: key}}
	return nil
}

func newCreateCmd() *cobra.Command {
	o := &createOptions{}
	cmd := &cobra.Command{
		Use:   "create NAME -f PATH... [-k DIR] [--wait]",
		Short: "Pack manifests into ConfigMaps and create a SyncOperation that syncs them",
		Long: `Create reads manifests from files, directories (recursively: *.yaml, *.yml,
*.json), standard input (-f -) and kustomizations (-k DIR), checks that
they parse, stores them in ConfigMaps NAME-manifests-0, NAME-manifests-1,
... (each under the 1 MiB object limit, owned by the operation so that they
are deleted with it), and creates the SyncOperation NAME that references
them in order. ConfigMaps of those names that a deleted SyncOperation NAME
left behind (not yet garbage-collected) are replaced; any other object of
those names is an error.`,
		Example: `  kubectl syncwave create release-42 -f manifests/ --wait
  helm template my-chart | kubectl syncwave create release-42 -f -
  kubectl syncwave create release-42 -k overlays/prod`,
		Args: positional(1),
	}
	kube := addClusterFlags(cmd)
	o.manifests = addManifestFlags(cmd)
	f := cmd.Flags()
	f.BoolVar(&o.wait, "wait", false, "follow the operation like watch until it ends; exit 1 unless it succeeded")
	f.StringVar(&o.targetNamespace, "target-namespace", "", "namespace for namespaced objects that name none (default: the operation's)")
	f.StringVar(&o.serviceAccountName, "service-account", "", "service account to impersonate for every write")
	f.StringVar(&o.kubeconfigSecret, "kubeconfig-secret", "", "deploy to another cluster: the Secret (NAME, or NAME:KEY) in the operation's namespace that holds its kubeconfig (spec.kubeConfig.secretRef)")
	f.DurationVar(&o.timeout, "timeout", 0, "bound for the whole operation (default: the controller's)")
	f.DurationVar(&o.waveTimeout, "wave-timeout", 0, "bound for each step")
	f.DurationVar(&o.degradedGracePeriod, "degraded-grace-period", 0, "how long a resource may stay Degraded before its step fails")
	f.StringVar(&o.application, "application", "", "the application the operation syncs: its objects get the label syncwave.dev/application, and operations of one application run one at a time")
	f.BoolVar(&o.dryRun, "dry-run", false, "create a dry-run operation (spec.dryRun): it lists what a sync would create, update or delete and changes nothing")
	f.BoolVar(&o.secret, "secret", false, "pack the manifests into Secrets NAME-manifests-N (spec.sources[].secretRef) instead of ConfigMaps: for manifests that hold Secrets, whose values only those who may read Secrets should read")
	f.BoolVar(&o.prune, "prune", false, "delete what the application's inventory holds (what its last successful operation applied, and what a failed one after it wrote) and these manifests no longer contain (needs --application)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if o.prune && o.application == "" {
			return errors.New("--prune needs --application: prune deletes what the application's previous operation applied")
		}
		if err := o.parseKubeconfigSecret(); err != nil {
			return err
		}
		set, err := o.manifests.parsed(cmd.InOrStdin(), cmd.ErrOrStderr())
		if err != nil {
			return err
		}
		docs, err := documents(set.inputs)
		if err != nil {
			return err
		}
		if !o.secret {
			warnSecrets(cmd.ErrOrStderr(), set.objs)
		}
		c, ns, err := kube.client()
		if err != nil {
			return err
		}
		op, err := createOperation(cmd.Context(), c, ns, args[0], docs, o)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "syncoperation.syncwave.dev/%s created (%s in %s)\n",
			op.Name, count(len(docs), "manifest"), count(len(op.Spec.Sources), holderKindOf(o)))
		if !o.wait {
			return nil
		}
		return followOperation(cmd.Context(), c, client.ObjectKeyFromObject(op), cmd.OutOrStdout())
	}
	return cmd
}

// warnSecrets says that Secret manifests go into ConfigMaps (SPEC §11):
// their values become readable by whoever may read ConfigMaps there.
func warnSecrets(stderr io.Writer, objs []manifest.Object) {
	names := secretNames(objs)
	if len(names) == 0 {
		return
	}
	shown := names[:min(len(names), 5)]
	more := ""
	if len(names) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(names)-len(shown))
	}
	fmt.Fprintf(stderr, "warning: %d Secret manifest(s) (%s%s) are packed into ConfigMaps: whoever may read ConfigMaps in the operation's namespace reads their values; pack them into Secrets with --secret\n",
		len(names), strings.Join(shown, ", "), more)
}

// secretNames are the names of the core Secrets among objs.
func secretNames(objs []manifest.Object) []string {
	var names []string
	for _, o := range objs {
		if gvk := o.Object.GroupVersionKind(); gvk.Group == "" && gvk.Kind == "Secret" {
			names = append(names, o.Object.GetName())
		}
	}
	return names
}

// document is one manifest document and where it came from.
type document struct {
	source string
	data   []byte
}

// documents splits the inputs into their YAML or JSON documents, in
// order. Documents are kept as written; the controller parses them again.
func documents(inputs []files.Input) ([]document, error) {
	var docs []document
	for _, in := range inputs {
		d, err := splitDocuments(in.Source, in.Data)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d...)
	}
	return docs, nil
}

// splitDocuments splits a multi-document YAML (or a JSON) file and drops
// documents that hold only comments and blank lines.
func splitDocuments(source string, b []byte) ([]document, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	var docs []document
	for i := 0; ; i++ {
		d, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, i, err)
		}
		if isBlank(d) {
			continue
		}
		docs = append(docs, document{source: fmt.Sprintf("%s#%d", source, i), data: d})
	}
}

func isBlank(d []byte) bool {
	for line := range strings.Lines(string(d)) {
		t := strings.TrimSpace(line)
		if t != "" && !strings.HasPrefix(t, "#") && t != "---" {
			return false
		}
	}
	return true
}

// holderKindOf is the kind create packs into.
func holderKindOf(o *createOptions) string {
	if o.secret {
		return "Secret"
	}
	return "ConfigMap"
}

// newOperation returns the SyncOperation that reads the ConfigMaps or
// Secrets hs in order.
func newOperation(name, namespace string, hs []client.Object, o *createOptions) *syncv1alpha1.SyncOperation {
	op := &syncv1alpha1.SyncOperation{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: syncv1alpha1.SyncOperationSpec{
			TargetNamespace:    o.targetNamespace,
			ServiceAccountName: o.serviceAccountName,
			Application:        o.application,
			Prune:              o.prune,
			DryRun:             o.dryRun,
			Action:             o.action,
			KubeConfig:         o.kubeConfig,
		},
	}
	for _, h := range hs {
		ref := &syncv1alpha1.KeyReference{Name: h.GetName()}
		if holderKind(h) == "Secret" {
			op.Spec.Sources = append(op.Spec.Sources, syncv1alpha1.ManifestSource{SecretRef: ref})
		} else {
			op.Spec.Sources = append(op.Spec.Sources, syncv1alpha1.ManifestSource{ConfigMapRef: ref})
		}
	}
	durations := []struct {
		d   time.Duration
		dst **metav1.Duration
	}{
		{o.timeout, &op.Spec.Timeout},
		{o.waveTimeout, &op.Spec.WaveTimeout},
		{o.degradedGracePeriod, &op.Spec.DegradedGracePeriod},
	}
	for _, x := range durations {
		if x.d > 0 {
			*x.dst = &metav1.Duration{Duration: x.d}
		}
	}
	return op
}
