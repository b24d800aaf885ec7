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
	"slices"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// TestTemplateShardingStatic renders a Deployment per shard key, each
// running the operations of its key, and one for those without the label;
// the Deployments' selectors do not overlap and each has its own leader
// election Lease.
func TestTemplateShardingStatic(t *testing.T) {
	g := NewWithT(t)
	r := render(t, newHelm(t), "--set", "sharding.mode=static", "--set", "sharding.keys={blue,green}", "--set", "replicaCount=2")
	g.Expect(r.has("Deployment", "sw-syncwave")).To(BeFalse(), "the unsharded Deployment is replaced")
	want := map[string]string{
		"sw-syncwave-unsharded":   "--watch-label-selector=!sharding.syncwave.dev/key",
		"sw-syncwave-shard-blue":  "--watch-label-selector=sharding.syncwave.dev/key=blue",
		"sw-syncwave-shard-green": "--watch-label-selector=sharding.syncwave.dev/key=green",
	}
	ids := map[string]bool{}
	selectors := map[string]bool{}
	for name, sel := range want {
		d := get[*appsv1.Deployment](t, r, "Deployment", name)
		args := d.Spec.Template.Spec.Containers[0].Args
		g.Expect(args).To(ContainElement(sel), name)
		g.Expect(args).To(ContainElement("--leader-elect"), name)
		for _, a := range args {
			if strings.HasPrefix(a, "--leader-election-id=") {
				ids[a] = true
			}
		}
		shard := d.Spec.Selector.MatchLabels["syncwave.dev/shard"]
		g.Expect(shard).NotTo(BeEmpty(), name)
		g.Expect(d.Spec.Template.Labels["syncwave.dev/shard"]).To(Equal(shard), name)
		selectors[shard] = true
	}
	g.Expect(ids).To(HaveLen(3), "a leader election Lease per shard")
	g.Expect(selectors).To(HaveLen(3), "selectors that do not overlap")
}

// TestTemplateShardingDynamic renders one Deployment whose replicas all act
// (no leader election) and divide the operations by Leases.
func TestTemplateShardingDynamic(t *testing.T) {
	g := NewWithT(t)
	r := render(t, newHelm(t), "--set", "sharding.mode=dynamic", "--set", "replicaCount=3", "--set", "sharding.leaseDuration=20s")
	d := get[*appsv1.Deployment](t, r, "Deployment", "sw-syncwave")
	g.Expect(*d.Spec.Replicas).To(Equal(int32(3)))
	c := d.Spec.Template.Spec.Containers[0]
	g.Expect(c.Args).To(ContainElements("--sharding=dynamic", "--shard-group=sw-syncwave", "--shard-lease-duration=20s",
		"--shard-renew-deadline=10s", "--shard-retry-period=2s"))
	g.Expect(slices.Contains(c.Args, "--leader-elect")).To(BeFalse(), "every replica acts")
	g.Expect(slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "POD_NAME" && e.ValueFrom != nil })).To(BeTrue(),
		"the identity comes from the pod's name")
}
