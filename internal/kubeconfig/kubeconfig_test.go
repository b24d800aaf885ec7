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

package kubeconfig

import (
	"testing"

	"github.com/syncwave/syncwave/internal/kubeconfig/kubeconfigtest"

	. "github.com/onsi/gomega"
)

func TestRESTConfigAcceptsOnlyInlineCredentials(t *testing.T) {
	for _, tc := range []struct {
		name, user, want string
	}{
		{"token", "    token: abc\n", ""},
		{"exec plugin", "    exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh}\n", "runs an exec plugin"},
		{"token file", "    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n", "reads credentials from files"},
		{"client certificate file", "    client-certificate: /etc/tls.crt\n    client-key: /etc/tls.key\n", "reads credentials from files"},
		{"auth provider", "    auth-provider: {name: oidc}\n", "uses an auth provider"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			cfg, err := RESTConfig(kubeconfigtest.New("https://10.0.0.1:6443", tc.user))
			if tc.want == "" {
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(cfg.Host).To(Equal("https://10.0.0.1:6443"))
				g.Expect(cfg.BearerToken).To(Equal("abc"))
				return
			}
			g.Expect(err).To(MatchError(ContainSubstring(tc.want)))
		})
	}
	g := NewWithT(t)
	_, err := RESTConfig([]byte("not: [yaml"))
	g.Expect(err).To(MatchError(ContainSubstring("not a kubeconfig")))
	_, err = RESTConfig([]byte("apiVersion: v1\nkind: Config\ncurrent-context: nowhere\n"))
	g.Expect(err).To(MatchError(ContainSubstring(`current context "nowhere" is not defined`)))
}

func TestKey(t *testing.T) {
	g := NewWithT(t)
	data := map[string][]byte{"value.yaml": nil, "other": nil}
	k, err := Key(data, "")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(k).To(Equal("value.yaml"))
	data["value"] = nil
	k, _ = Key(data, "")
	g.Expect(k).To(Equal("value"), "value wins over value.yaml, as Flux reads it")
	k, _ = Key(data, "other")
	g.Expect(k).To(Equal("other"))
	_, err = Key(data, "missing")
	g.Expect(err).To(MatchError(`has no key "missing"`))
	_, err = Key(map[string][]byte{}, "")
	g.Expect(err).To(MatchError(ContainSubstring("neither key value nor value.yaml")))
}
