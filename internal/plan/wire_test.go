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
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/equality"

	"github.com/syncwave/syncwave/internal/plan"
)

func TestMarshalRoundTrip(t *testing.T) {
	g := NewWithT(t)
	objs := parse(t, `
apiVersion: batch/v1
kind: Job
metadata:
  generateName: migrate-
  annotations:
    argocd.argoproj.io/hook: PreSync,PostSync
    argocd.argoproj.io/hook-delete-policy: HookSucceeded
spec: {template: {spec: {containers: [{name: m, image: busybox}], restartPolicy: Never}}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  annotations: {argocd.argoproj.io/sync-wave: "-3", argocd.argoproj.io/sync-options: "Replace=true"}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: skipped
  annotations: {argocd.argoproj.io/hook: Skip}
`)
	p, err := plan.Build(objs, plan.Options{DefaultNamespace: "prod"})
	g.Expect(err).NotTo(HaveOccurred())
	b, err := plan.Marshal(p)
	g.Expect(err).NotTo(HaveOccurred())
	back, err := plan.Unmarshal(b)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(equality.Semantic.DeepEqual(p, back)).To(BeTrue(), "the decoded plan differs")
	g.Expect(back.Steps).To(HaveLen(3))
	g.Expect(back.Steps[0].Tasks[0].Hook.GenerateName).To(BeTrue())

	_, err = plan.Unmarshal([]byte(`{"version":99,"plan":{}}`))
	g.Expect(err).To(MatchError(ContainSubstring("encoding version 99")))
	_, err = plan.Unmarshal([]byte(`not json`))
	g.Expect(err).To(HaveOccurred())
}
