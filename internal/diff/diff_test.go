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

package diff_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/diff"
	"github.com/syncwave/syncwave/internal/plan"
)

func obj(t *testing.T, s string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(s), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

const liveConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
  uid: 0b7e-1
  resourceVersion: "42"
  generation: 3
  creationTimestamp: "2026-01-01T00:00:00Z"
  managedFields: [{manager: syncwave}]
  annotations: {syncwave.dev/operation: shop/release-1}
  labels: {syncwave.dev/managed: "true"}
data: {mode: blue, size: "1"}
status: {anything: here}
`

func TestNormalizeLeavesOutWhatEveryWriteChanges(t *testing.T) {
	g := NewWithT(t)
	u := obj(t, liveConfigMap)
	n := diff.Normalize(u)
	g.Expect(n.Object).To(Equal(obj(t, `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
  labels: {syncwave.dev/managed: "true"}
data: {mode: blue, size: "1"}
`).Object))
	g.Expect(u.GetUID()).To(BeEquivalentTo("0b7e-1"), "the input is not changed")
	g.Expect(diff.Normalize(nil)).To(BeNil())

	// Other annotations stay.
	u.SetAnnotations(map[string]string{"syncwave.dev/operation": "x", "team": "a"})
	g.Expect(diff.Normalize(u).GetAnnotations()).To(Equal(map[string]string{"team": "a"}))
}

func TestUnified(t *testing.T) {
	g := NewWithT(t)
	id := plan.ObjectID{Kind: "ConfigMap", Namespace: "shop", Name: "settings"}
	live := obj(t, liveConfigMap)
	merged := obj(t, strings.Replace(liveConfigMap, "mode: blue", "mode: green", 1))
	merged.SetResourceVersion("43")

	c := diff.Change{ID: id, Version: "v1", Live: live, Merged: merged}
	text, err := c.Unified()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(text).To(Equal(`--- live/ConfigMap/shop/settings
+++ merged/ConfigMap/shop/settings
@@ -1,6 +1,6 @@
 apiVersion: v1
 data:
-  mode: blue
+  mode: green
   size: "1"
 kind: ConfigMap
 metadata:
`))

	// Volatile fields alone are no change.
	same := obj(t, liveConfigMap)
	same.SetResourceVersion("99")
	c = diff.Change{ID: id, Version: "v1", Live: live, Merged: same}
	g.Expect(c.Changed()).To(BeFalse())
	g.Expect(c.Unified()).To(BeEmpty())

	// An object adopted from another tool: gaining syncwave's label alone
	// is no change, here as in the controller's preview.
	adopted := obj(t, strings.Replace(liveConfigMap, "  labels: {syncwave.dev/managed: \"true\"}\n", "", 1))
	g.Expect(adopted.GetLabels()).To(BeEmpty())
	c = diff.Change{ID: id, Version: "v1", Live: adopted, Merged: live}
	g.Expect(c.Changed()).To(BeFalse())
	ch, _ := diff.Preview(&c, 20)
	g.Expect(ch).To(Equal(syncv1alpha1.ChangeUnchanged))
	c = diff.Change{ID: id, Version: "v1", Live: adopted, Merged: merged}
	text, err = c.Unified()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(text).NotTo(ContainSubstring("managed"), "the label is left out of both sides")
	g.Expect(text).To(ContainSubstring("+  mode: green"))
	ch, fields := diff.Preview(&c, 20)
	g.Expect(ch).To(Equal(syncv1alpha1.ChangeUpdate))
	g.Expect(fields).To(Equal([]string{"data.mode"}))

	// A new object: everything added.
	c = diff.Change{ID: id, Version: "v1", Merged: merged}
	text, err = c.Unified()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(text).To(HavePrefix("--- live/ConfigMap/shop/settings\n+++ merged/ConfigMap/shop/settings\n@@ -0,0 +1,10 @@\n+apiVersion: v1\n"))
	g.Expect(strings.Count(text, "\n-")).To(Equal(0))
}

func TestMaskSecrets(t *testing.T) {
	g := NewWithT(t)
	live := obj(t, `apiVersion: v1
kind: Secret
metadata:
  name: creds
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"password":"aHVudGVyMg=="}}'
data: {password: aHVudGVyMg==, user: YWRtaW4=, old: eA==}
`)
	merged := obj(t, `apiVersion: v1
kind: Secret
metadata:
  name: creds
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"password":"c2VjcmV0"}}'
data: {password: c2VjcmV0, user: YWRtaW4=, token: dA==}
stringData: {extra: plain}
`)
	diff.MaskSecrets(live, merged)
	g.Expect(live.Object["data"]).To(Equal(map[string]any{"password": "*** (before)", "user": "***", "old": "***"}))
	g.Expect(merged.Object["data"]).To(Equal(map[string]any{"password": "*** (after)", "user": "***", "token": "***"}))
	g.Expect(merged.Object["stringData"]).To(Equal(map[string]any{"extra": "***"}))
	g.Expect(live.Object).NotTo(HaveKey("stringData"))
	g.Expect(live.GetAnnotations()).To(HaveKeyWithValue("kubectl.kubernetes.io/last-applied-configuration", "*** (before)"))
	g.Expect(merged.GetAnnotations()).To(HaveKeyWithValue("kubectl.kubernetes.io/last-applied-configuration", "*** (after)"))

	// One side only, and other kinds untouched.
	only := obj(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: dg==}\n")
	diff.MaskSecrets(nil, only)
	g.Expect(only.Object["data"]).To(Equal(map[string]any{"k": "***"}))
	cm := obj(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n")
	diff.MaskSecrets(cm, nil)
	g.Expect(cm.Object["data"]).To(Equal(map[string]any{"k": "v"}))
	crd := obj(t, "apiVersion: example.com/v1\nkind: Secret\nmetadata: {name: c}\ndata: {k: v}\n")
	diff.MaskSecrets(crd, nil)
	g.Expect(crd.Object["data"]).To(Equal(map[string]any{"k": "v"}), "only core Secrets")
}

func TestSecretValuesNeverInTheDiff(t *testing.T) {
	g := NewWithT(t)
	live := obj(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\ndata: {password: aHVudGVyMg==}\n")
	merged := obj(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\ndata: {password: c2VjcmV0}\n")
	c := diff.Change{ID: plan.ObjectID{Kind: "Secret", Namespace: "n", Name: "s"}, Version: "v1", Live: live, Merged: merged}
	text, err := c.Unified()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(text).To(ContainSubstring("-  password: '*** (before)'\n+  password: '*** (after)'\n"))
	g.Expect(text).NotTo(ContainSubstring("aHVudGVyMg"))
	g.Expect(text).NotTo(ContainSubstring("c2VjcmV0"))
	g.Expect(live.Object["data"]).To(HaveKeyWithValue("password", "aHVudGVyMg=="), "the change's objects are not changed")
}

func TestProgramFromEnv(t *testing.T) {
	tests := []struct {
		value string
		want  diff.Program
		ok    bool
	}{
		{"", diff.Program{}, false},
		{"   ", diff.Program{}, false},
		{"meld", diff.Program{Command: "meld"}, true},
		{"colordiff -N -u", diff.Program{Command: "colordiff", Args: []string{"-N", "-u"}}, true},
		// As kubectl: words with other characters are left out.
		{"diff -u --color=always $(rm) a;b", diff.Program{Command: "diff", Args: []string{"-u", "--color=always"}}, true},
	}
	for _, tt := range tests {
		g := NewWithT(t)
		p, ok := diff.ProgramFromEnv(tt.value)
		g.Expect(ok).To(Equal(tt.ok), tt.value)
		g.Expect(p).To(Equal(tt.want), tt.value)
	}
}

func TestFileName(t *testing.T) {
	tests := []struct {
		c    diff.Change
		want string
	}{
		{diff.Change{ID: plan.ObjectID{Group: "apps", Kind: "Deployment", Namespace: "prod", Name: "web"}, Version: "apps/v1"}, "apps.v1.Deployment.prod.web"},
		{diff.Change{ID: plan.ObjectID{Kind: "ConfigMap", Namespace: "prod", Name: "cfg"}, Version: "v1"}, "v1.ConfigMap.prod.cfg"},
		{diff.Change{ID: plan.ObjectID{Kind: "Namespace", Name: "prod"}, Version: "v1"}, "v1.Namespace..prod"},
	}
	for _, tt := range tests {
		g := NewWithT(t)
		g.Expect(diff.FileName(&tt.c)).To(Equal(tt.want))
	}
	g := NewWithT(t)
	_, err := diff.FileName(&diff.Change{ID: plan.ObjectID{Kind: "ConfigMap", Namespace: "a", Name: "x/../../y"}, Version: "v1"})
	g.Expect(err).To(MatchError(ContainSubstring("cannot be written to a file")))
	_, err = diff.FileName(&diff.Change{ID: plan.ObjectID{Kind: "ConfigMap", Name: "x"}, Version: "a/b/c"})
	g.Expect(err).To(MatchError(ContainSubstring(`apiVersion "a/b/c"`)))
}

// writeScript writes an executable shell script into a new directory.
func writeScript(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "differ.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestProgramRun(t *testing.T) {
	g := NewWithT(t)
	record := filepath.Join(t.TempDir(), "record")
	// The script records its arguments and the files of both directories.
	script := writeScript(t, `echo "$@" > `+record+`
for d in "$2" "$3"; do (cd "$d" && for f in *; do echo "$(basename "$d" | cut -d- -f1) $f: $(grep -c . "$f")"; done) >> `+record+`; done
echo out; echo err >&2; exit 1
`)
	id := plan.ObjectID{Kind: "ConfigMap", Namespace: "shop", Name: "settings"}
	live := obj(t, liveConfigMap)
	changes := []diff.Change{
		{ID: id, Version: "v1", Live: live, Merged: obj(t, strings.Replace(liveConfigMap, "blue", "green", 1))},
		{ID: plan.ObjectID{Kind: "ConfigMap", Namespace: "shop", Name: "old"}, Version: "v1", Live: live},
	}
	var out, errOut bytes.Buffer
	err := diff.Program{Command: script, Args: []string{"-x"}}.Run(context.Background(), changes, &out, &errOut)
	g.Expect(err).NotTo(HaveOccurred(), "exit 1 means differences")
	g.Expect(out.String()).To(Equal("out\n"))
	g.Expect(errOut.String()).To(Equal("err\n"))
	b, err := os.ReadFile(record)
	g.Expect(err).NotTo(HaveOccurred())
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	g.Expect(lines).To(HaveLen(4))
	args := strings.Fields(lines[0])
	g.Expect(args).To(HaveLen(3))
	g.Expect(args[0]).To(Equal("-x"))
	g.Expect(filepath.Base(args[1])).To(HavePrefix("LIVE-"))
	g.Expect(filepath.Base(args[2])).To(HavePrefix("MERGED-"))
	g.Expect(lines[1:]).To(Equal([]string{
		"LIVE v1.ConfigMap.shop.old: 10",
		"LIVE v1.ConfigMap.shop.settings: 10",
		"MERGED v1.ConfigMap.shop.settings: 10",
	}))
	g.Expect(args[1]).NotTo(BeADirectory(), "removed afterwards")
	g.Expect(args[2]).NotTo(BeADirectory())

	// A status above 1 is the program's failure.
	err = diff.Program{Command: writeScript(t, "exit 3\n")}.Run(context.Background(), changes, &out, &errOut)
	var exit *diff.ExitError
	g.Expect(err).To(BeAssignableToTypeOf(exit))
	g.Expect(err).To(MatchError(ContainSubstring("exited with status 3")))

	err = diff.Program{Command: filepath.Join(t.TempDir(), "missing")}.Run(context.Background(), changes, &out, &errOut)
	g.Expect(err).To(MatchError(ContainSubstring("run diff program")))
}
