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

package plan_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/syncwave/syncwave/internal/plan"
)

// gobj renders one manifest; deps is the depends-on annotation ("" for none).
func gobj(apiVersion, kind, name, wave, deps string, extra ...string) string {
	ann := []string{}
	if wave != "" {
		ann = append(ann, fmt.Sprintf("argocd.argoproj.io/sync-wave: %q", wave))
	}
	if deps != "" {
		ann = append(ann, fmt.Sprintf("syncwave.dev/depends-on: %q", deps))
	}
	ann = append(ann, extra...)
	return fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n  annotations: {%s}\n---\n",
		apiVersion, kind, name, strings.Join(ann, ", "))
}

func TestDependsOn(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		// deps are the expected DependsOn of each task, "ID <- dep,dep".
		deps []string
		// errs are substrings of the expected validation errors.
		errs     []string
		warnings []string
	}{{
		name: "kinds, groups and namespaces are resolved",
		yaml: gobj("apps/v1", "Deployment", "api", "", "apps/Deployment/database, ConfigMap/cfg, Secret/other/s, rbac.authorization.k8s.io/ClusterRole/r") +
			gobj("apps/v1", "Deployment", "database", "", "") + gobj("v1", "ConfigMap", "cfg", "", "") +
			"apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: other}\n---\n" +
			gobj("rbac.authorization.k8s.io/v1", "ClusterRole", "r", "", ""),
		deps: []string{"apps/Deployment/ns/api <- apps/Deployment/ns/database,ConfigMap/ns/cfg,Secret/other/s,rbac.authorization.k8s.io/ClusterRole/r"},
	}, {
		name: "a hook may depend on a resource and a resource on a hook",
		yaml: gobj("batch/v1", "Job", "migrate", "", "apps/Deployment/database", "argocd.argoproj.io/hook: Sync") +
			gobj("apps/v1", "Deployment", "database", "", "") + gobj("apps/v1", "Deployment", "api", "", "batch/Job/migrate"),
		deps:     []string{"batch/Job/ns/migrate <- apps/Deployment/ns/database", "apps/Deployment/ns/api <- batch/Job/ns/migrate"},
		warnings: []string{"SW003", "SW004"},
	}, {
		name: "a reference to another step names both objects and both steps",
		yaml: gobj("apps/v1", "Deployment", "api", "1", "apps/Deployment/database") + gobj("apps/v1", "Deployment", "database", "0", ""),
		errs: []string{"apps/Deployment/ns/api: metadata.annotations[syncwave.dev/depends-on]: depends on apps/Deployment/ns/database, which is in step Sync/0, not in this object's step Sync/1"},
	}, {
		name: "a reference to nothing",
		yaml: gobj("apps/v1", "Deployment", "api", "", "apps/Deployment/databse"),
		errs: []string{"apps/Deployment/ns/api: metadata.annotations[syncwave.dev/depends-on]: depends on apps/Deployment/ns/databse, which is not in the manifests"},
	}, {
		name: "a reference to a skipped object",
		yaml: gobj("apps/v1", "Deployment", "api", "", "batch/Job/j") + gobj("batch/v1", "Job", "j", "", "", "argocd.argoproj.io/hook: Skip"),
		errs: []string{"depends on batch/Job/ns/j, which is skipped"},
	}, {
		name: "a cycle names every object once",
		yaml: gobj("v1", "ConfigMap", "a", "", "ConfigMap/b") + gobj("v1", "ConfigMap", "b", "", "ConfigMap/c") +
			gobj("v1", "ConfigMap", "c", "", "ConfigMap/a") + gobj("v1", "ConfigMap", "d", "", "ConfigMap/a"),
		errs: []string{"ConfigMap/ns/a: metadata.annotations[syncwave.dev/depends-on]: dependency cycle in step Sync/0: ConfigMap/ns/a -> ConfigMap/ns/b -> ConfigMap/ns/c -> ConfigMap/ns/a"},
	}, {
		name: "a self-dependency",
		yaml: gobj("v1", "ConfigMap", "a", "", "ConfigMap/a"),
		errs: []string{"ConfigMap/ns/a: metadata.annotations[syncwave.dev/depends-on]: depends on itself"},
	}, {
		name: "malformed references",
		yaml: gobj("v1", "ConfigMap", "a", "", "configmap/x, ConfigMap, a/b/c/d/e, ConfigMap//x"),
		errs: []string{
			`"configmap/x" is not [group/]Kind/[namespace/]name: kind "configmap" must start with an upper-case letter`,
			`"ConfigMap" is not [group/]Kind/[namespace/]name: 1 parts`,
			`"a/b/c/d/e" is not [group/]Kind/[namespace/]name: 5 parts`,
			`"ConfigMap//x" is not [group/]Kind/[namespace/]name: an empty part`,
		},
	}, {
		name: "an empty annotation",
		yaml: gobj("v1", "ConfigMap", "a", "", " , "),
		errs: []string{"depends-on]: is empty"},
	}, {
		name:     "a dependency on a custom resource nobody can judge",
		yaml:     gobj("example.com/v1", "Database", "db", "", "") + gobj("apps/v1", "Deployment", "api", "", "example.com/Database/db"),
		deps:     []string{"apps/Deployment/ns/api <- example.com/Database/ns/db"},
		warnings: []string{"SW009 apps/Deployment/ns/api: depends on example.com/Database/ns/db, but no health check is known for Database.example.com", "SW006"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			p, err := plan.Build(parse(t, tc.yaml), plan.Options{DefaultNamespace: "ns"})
			if len(tc.errs) > 0 {
				var ve *plan.ValidationError
				g.Expect(errors.As(err, &ve)).To(BeTrue(), "error %v", err)
				g.Expect(ve.Errs).To(HaveLen(len(tc.errs)), err.Error())
				for i, want := range tc.errs {
					g.Expect(ve.Errs[i].Error()).To(ContainSubstring(want))
				}
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			var got []string
			for _, s := range p.Steps {
				for _, task := range s.Tasks {
					if len(task.DependsOn) == 0 {
						continue
					}
					ids := make([]string, len(task.DependsOn))
					for i, d := range task.DependsOn {
						ids[i] = d.String()
					}
					got = append(got, task.ID.String()+" <- "+strings.Join(ids, ","))
				}
			}
			g.Expect(got).To(ConsistOf(tc.deps))
			var warns []string
			for _, w := range p.Warnings {
				warns = append(warns, w.Code+" "+w.Resource.String()+": "+w.Message)
			}
			g.Expect(warns).To(HaveLen(len(tc.warnings)))
			for i, want := range tc.warnings {
				g.Expect(warns[i]).To(HavePrefix(want))
			}
		})
	}
}

func TestDependsOnSurvivesMarshal(t *testing.T) {
	g := NewWithT(t)
	p, err := plan.Build(parse(t, gobj("v1", "ConfigMap", "a", "", "ConfigMap/b")+gobj("v1", "ConfigMap", "b", "", "")), plan.Options{DefaultNamespace: "ns"})
	g.Expect(err).NotTo(HaveOccurred())
	data, err := plan.Marshal(p)
	g.Expect(err).NotTo(HaveOccurred())
	back, err := plan.Unmarshal(data)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(back.Steps[0].Tasks[0].DependsOn).To(Equal([]plan.ObjectID{{Kind: "ConfigMap", Namespace: "ns", Name: "b"}}))
	g.Expect(back.Steps[0].Dependencies()).To(Equal([][]int{{1}, nil}))
}
