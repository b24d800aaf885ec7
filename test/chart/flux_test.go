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
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// TestTemplateFluxSources: Flux sources are off by default (the flag says
// so, and no RBAC on Flux's kinds is granted); fluxSources.enabled turns the
// flag on and grants read access to the four source kinds, cluster-wide.
func TestTemplateFluxSources(t *testing.T) {
	h := newHelm(t)
	g := NewWithT(t)

	off := render(t, h)
	g.Expect(off.has("ClusterRole", "sw-syncwave-flux-sources")).To(BeFalse())
	g.Expect(off.clusterRolesBound()).NotTo(ContainElement("sw-syncwave-flux-sources"))
	args := get[*appsv1.Deployment](t, off, "Deployment", "sw-syncwave").Spec.Template.Spec.Containers[0].Args
	g.Expect(args).To(ContainElements("--flux-sources=false", "--max-artifact-size=50Mi"))

	on := render(t, h, "--set", "fluxSources.enabled=true", "--set", "fluxSources.maxArtifactSize=200Mi")
	args = get[*appsv1.Deployment](t, on, "Deployment", "sw-syncwave").Spec.Template.Spec.Containers[0].Args
	g.Expect(args).To(ContainElements("--flux-sources=true", "--max-artifact-size=200Mi"))
	cr := get[*rbacv1.ClusterRole](t, on, "ClusterRole", "sw-syncwave-flux-sources")
	g.Expect(cr.Rules).To(Equal([]rbacv1.PolicyRule{{
		APIGroups: []string{"source.toolkit.fluxcd.io"},
		Resources: []string{"gitrepositories", "ocirepositories", "buckets", "externalartifacts"},
		Verbs:     []string{"get", "list", "watch"},
	}}))
	g.Expect(on.clusterRolesBound()).To(ContainElement("sw-syncwave-flux-sources"))

	none := render(t, h, "--set", "fluxSources.enabled=true", "--set", "rbac.create=false")
	g.Expect(none.has("ClusterRole", "sw-syncwave-flux-sources")).To(BeFalse(), "rbac.create=false creates no RBAC")

	_, err := h.template(context.Background(), "--set", "fluxSources.maxArtifactSize=lots")
	g.Expect(err).To(MatchError(ContainSubstring("maxArtifactSize")))
}
