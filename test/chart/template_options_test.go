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

package chart

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

func TestTemplateTargetAccessNone(t *testing.T) {
	g := NewWithT(t)
	r := render(t, newHelm(t), "--set", "targetAccess=none", "--set", "metrics.secure=false")

	g.Expect(r.clusterRolesBound()).To(Equal([]string{"sw-syncwave-controller"}),
		"only the controller's own needs: no target access, no cluster-wide Secrets")
	g.Expect(r.has("ClusterRole", "sw-syncwave-sources")).To(BeFalse())
	g.Expect(r.has("ClusterRole", "sw-syncwave-metrics-reader")).To(BeFalse(), "plain HTTP metrics need no reader role")
	expectControllerRole(g, get[*rbacv1.ClusterRole](t, r, "ClusterRole", "sw-syncwave-controller"), false)
	svc := get[*corev1.Service](t, r, "Service", "sw-syncwave-metrics")
	g.Expect(svc.Spec.Ports[0].Name).To(Equal("http-metrics"))
	dep := get[*appsv1.Deployment](t, r, "Deployment", "sw-syncwave")
	g.Expect(dep.Spec.Template.Spec.Containers[0].Args).To(ContainElement("--metrics-secure=false"))
}

func TestTemplateLeaderElection(t *testing.T) {
	h := newHelm(t)
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"--set", "replicaCount=1"}, false},
		{[]string{"--set", "replicaCount=1", "--set", "controller.leaderElect=true"}, true},
		{[]string{"--set", "replicaCount=2"}, true},
		{[]string{"--set", "replicaCount=3", "--set", "controller.leaderElect=false"}, true},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := render(t, h, tc.args...)
			args := get[*appsv1.Deployment](t, r, "Deployment", "sw-syncwave").Spec.Template.Spec.Containers[0].Args
			NewWithT(t).Expect(slices.Contains(args, "--leader-elect")).To(Equal(tc.want), "args: %v", args)
		})
	}
}

// TestValuesRejected checks that the schema and the templates refuse bad values.
func TestValuesRejected(t *testing.T) {
	h := newHelm(t)
	for name, tc := range map[string]struct {
		args []string
		msg  string
	}{
		"unknown key":              {[]string{"--set", "replicas=2"}, "replicas"},
		"unknown nested key":       {[]string{"--set", "metrics.serviceMonitor.enable=true"}, "enable"},
		"bad targetAccess":         {[]string{"--set", "targetAccess=admin"}, "targetAccess"},
		"rules without targetRule": {[]string{"--set", "targetAccess=rules"}, "targetRules"},
		"negative replicas":        {[]string{"--set", "replicaCount=-1"}, "replicaCount"},
		"bad pull policy":          {[]string{"--set", "image.pullPolicy=Sometimes"}, "pullPolicy"},
		"bad duration":             {[]string{"--set", "controller.defaultTimeout=soon"}, "defaultTimeout"},
		"bad health key":           {[]string{"--set", "health.customizations.foo=bar"}, "customizations"},
		"bad port":                 {[]string{"--set", "metrics.port=70000"}, "port"},
		"no ServiceAccount name":   {[]string{"--set", "serviceAccount.create=false"}, "serviceAccount"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := h.template(context.Background(), tc.args...)
			g := NewWithT(t)
			g.Expect(err).To(HaveOccurred())
			g.Expect(err.Error()).To(ContainSubstring(tc.msg))
		})
	}
}

// TestCopiesInSync checks the files that `make manifests` copies into the
// chart: the CRD and the alert rules.
func TestCopiesInSync(t *testing.T) {
	for chartFile, source := range map[string]string{
		"crds/syncwave.dev_syncoperations.yaml": "config/crd/bases/syncwave.dev_syncoperations.yaml",
		"files/prometheus-rules.yaml":           "config/prometheus/rules.yaml",
	} {
		got, err := os.ReadFile(filepath.Join(chartDir, chartFile))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", source))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("charts/syncwave/%s differs from %s: run make manifests", chartFile, source)
		}
	}
	crds, err := filepath.Glob(filepath.Join("..", "..", "config", "crd", "bases", "*.yaml"))
	if err != nil || len(crds) == 0 {
		t.Fatalf("no CRDs in config/crd/bases: %v", err)
	}
	inChart, _ := filepath.Glob(filepath.Join(chartDir, "crds", "*.yaml"))
	if len(inChart) != len(crds) {
		t.Errorf("config/crd/bases has %d CRDs, the chart %d: run make manifests", len(crds), len(inChart))
	}
}
