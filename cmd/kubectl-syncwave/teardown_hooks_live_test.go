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
	"regexp"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// TestLiveDeleteRunsTheDeployedHooks: `delete APP` without -f runs the
// PreDelete and PostDelete hooks of the manifests the application was
// deployed with (they were left out: the backup before a teardown never
// ran); --no-hooks runs none.
func TestLiveDeleteRunsTheDeployedHooks(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)
	app := writeManifests(t, map[string]string{"app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n" +
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: before, annotations: {argocd.argoproj.io/hook: PreDelete}}\n" +
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: after, annotations: {helm.sh/hook: post-delete}}\n"})
	hooksOf := func(op *syncv1alpha1.SyncOperation) map[string]syncv1alpha1.HookPhase {
		out := map[string]syncv1alpha1.HookPhase{}
		for _, r := range op.Status.Resources {
			if r.HookType != "" {
				out[r.Name+"/"+string(r.HookType)] = r.HookPhase
			}
		}
		return out
	}
	for _, tc := range []struct {
		app   string
		flags []string
		want  map[string]syncv1alpha1.HookPhase
	}{
		{app: "shop", want: map[string]syncv1alpha1.HookPhase{"before/PreDelete": syncv1alpha1.HookSucceeded, "after/PostDelete": syncv1alpha1.HookSucceeded}},
		{app: "bare", flags: []string{"--no-hooks"}, want: map[string]syncv1alpha1.HookPhase{}},
	} {
		_, stderr, code := kubectlSyncwave(t, ns, "create", tc.app+"-1", "-f", app, "--application", tc.app, "--wait")
		g.Expect(code).To(Equal(0), stderr)
		stdout, stderr, code := kubectlSyncwave(t, ns, append([]string{"delete", tc.app, "--wait"}, tc.flags...)...)
		g.Expect(code).To(Equal(0), stderr)
		if len(tc.want) > 0 {
			g.Expect(stderr).To(Equal("running the teardown hooks that SyncOperation " + ns + "/" + tc.app + "-1 deployed: ConfigMap/" + ns + "/before (PreDelete), ConfigMap/" + ns + "/after (PostDelete); --no-hooks tears down without them\n"))
		} else {
			g.Expect(stderr).To(BeEmpty())
		}
		name := regexp.MustCompile(tc.app + `-delete-\S+`).FindString(stdout)
		g.Expect(name).NotTo(BeEmpty(), stdout)
		down := getOperation(g, ns, name)
		g.Expect(down.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), down.Status.Message)
		g.Expect(hooksOf(down)).To(Equal(tc.want))
	}

	_, stderr, code := kubectlSyncwave(t, ns, "delete", "shop", "--no-hooks", "-f", app)
	g.Expect(code).To(Equal(1))
	g.Expect(stderr).To(ContainSubstring("--no-hooks and -f/-k"))
}

// TestLiveDeleteDryRun: delete --dry-run previews the teardown, deleting
// nothing and running no hook, and history tells previews from real
// operations (they read alike: "Delete Succeeded").
func TestLiveDeleteDryRun(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)
	app := writeManifests(t, map[string]string{"app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n" +
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: before, annotations: {argocd.argoproj.io/hook: PreDelete}}\n"})
	_, stderr, code := kubectlSyncwave(t, ns, "create", "web-1", "-f", app, "--application", "web", "--wait")
	g.Expect(code).To(Equal(0), stderr)
	_, stderr, code = kubectlSyncwave(t, ns, "create", "web-2", "-f", app, "--application", "web", "--dry-run", "--wait")
	g.Expect(code).To(Equal(0), stderr)
	stdout, stderr, code := kubectlSyncwave(t, ns, "delete", "web", "--dry-run", "--timeout", "1m", "--wait")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stderr).To(HavePrefix("previewing the teardown hooks that SyncOperation " + ns + "/web-1 deployed: ConfigMap/" + ns + "/before (PreDelete)"))
	name := regexp.MustCompile(`web-delete-\S+`).FindString(stdout)
	g.Expect(name).NotTo(BeEmpty(), stdout)
	dry := getOperation(g, ns, name)
	g.Expect(dry.Spec.DryRun).To(BeTrue())
	g.Expect(dry.Spec.Timeout.Duration).To(Equal(time.Minute))
	g.Expect(dry.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), dry.Status.Message)
	g.Expect(dry.Status.Resources).To(ContainElement(And(HaveField("Name", "settings"), HaveField("Change", syncv1alpha1.ChangeDelete))))
	g.Expect(live.client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "settings"}, &corev1.ConfigMap{})).To(Succeed(), "a preview deletes nothing")
	g.Expect(live.client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "before"}, &corev1.ConfigMap{})).NotTo(Succeed(), "nor runs a hook")

	stdout, stderr, code = kubectlSyncwave(t, ns, "history", "web")
	g.Expect(code).To(Equal(0), stderr)
	g.Expect(stdout).To(MatchRegexp(`(?m)^web-delete-\S+\s+Delete,DryRun\s+Succeeded\s`))
	g.Expect(stdout).To(MatchRegexp(`(?m)^web-2\s+Sync,DryRun\s+Succeeded\s`))
	g.Expect(stdout).To(MatchRegexp(`(?m)^web-1\s+Sync\s+Succeeded\s`))
}

// TestLiveDeleteKeepsASecretHookInASecret: a teardown whose hooks hold a
// Secret packs them into a Secret, as create --secret does, whether they
// come from the deployed manifests or from -f.
func TestLiveDeleteKeepsASecretHookInASecret(t *testing.T) {
	ns := liveNamespace(t)
	g := NewWithT(t)
	app := writeManifests(t, map[string]string{"app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n" +
		"---\napiVersion: v1\nkind: Secret\nmetadata: {name: wipe-token, annotations: {argocd.argoproj.io/hook: PreDelete}}\nstringData: {token: s3cr3t}\n"})
	for _, tc := range []struct {
		app   string
		flags []string
	}{{app: "vault"}, {app: "given", flags: []string{"-f", app}}} {
		_, stderr, code := kubectlSyncwave(t, ns, "create", tc.app+"-1", "--secret", "-f", app, "--application", tc.app, "--wait")
		g.Expect(code).To(Equal(0), stderr)
		stdout, stderr, code := kubectlSyncwave(t, ns, append([]string{"delete", tc.app, "--wait"}, tc.flags...)...)
		g.Expect(code).To(Equal(0), stderr)
		name := regexp.MustCompile(tc.app + `-delete-\S+`).FindString(stdout)
		down := getOperation(g, ns, name)
		g.Expect(down.Status.Phase).To(Equal(syncv1alpha1.OperationSucceeded), down.Status.Message)
		g.Expect(down.Spec.Sources).To(HaveLen(1))
		g.Expect(down.Spec.Sources[0].SecretRef).NotTo(BeNil(), "%s: the hooks are in a Secret", tc.app)
		g.Expect(live.client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name + "-manifests-0"}, &corev1.ConfigMap{})).NotTo(Succeed())
	}
}
