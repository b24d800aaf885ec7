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
	"fmt"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// RESTConfig parses a kubeconfig read from a Secret into the configuration
// of its current context. Only inline credentials are accepted.
func RESTConfig(kubeconfig []byte) (*rest.Config, error) {
	raw, err := clientcmd.Load(kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("not a kubeconfig: %w", err)
	}
	ctxName := raw.CurrentContext
	kctx, ok := raw.Contexts[ctxName]
	if !ok {
		return nil, fmt.Errorf("kubeconfig: current context %q is not defined", ctxName)
	}
	if cl, ok := raw.Clusters[kctx.Cluster]; ok && cl.CertificateAuthority != "" {
		return nil, fmt.Errorf("kubeconfig: cluster %q reads certificate-authority from a file; inline certificate-authority-data instead", kctx.Cluster)
	}
	if a, ok := raw.AuthInfos[kctx.AuthInfo]; ok {
		switch {
		case a.Exec != nil:
			return nil, fmt.Errorf("kubeconfig: user %q runs an exec plugin, which syncwave refuses; use a token or client certificate", kctx.AuthInfo)
		case a.AuthProvider != nil:
			return nil, fmt.Errorf("kubeconfig: user %q uses an auth provider, which syncwave refuses; use a token or client certificate", kctx.AuthInfo)
		case a.TokenFile != "" || a.ClientCertificate != "" || a.ClientKey != "":
			return nil, fmt.Errorf("kubeconfig: user %q reads credentials from files; inline token or client-certificate-data and client-key-data instead", kctx.AuthInfo)
		}
	}
	cfg, err := clientcmd.NewDefaultClientConfig(*raw, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	return cfg, nil
}

// Key is the key of the kubeconfig in its Secret's data: the one named,
// else value, else value.yaml (as Flux reads it).
func Key(data map[string][]byte, named string) (string, error) {
	if named != "" {
		if _, ok := data[named]; !ok {
			return "", fmt.Errorf("has no key %q", named)
		}
		return named, nil
	}
	for _, k := range []string{"value", "value.yaml"} {
		if _, ok := data[k]; ok {
			return k, nil
		}
	}
	return "", fmt.Errorf("has neither key value nor value.yaml")
}
