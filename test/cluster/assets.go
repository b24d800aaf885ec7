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

package cluster

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// K8sVersion is the Kubernetes version of the binaries this package expects.
// Keep it equal to K8S_VERSION in the Makefile.
const K8sVersion = "1.37.2"

// AssetsEnv names the environment variable that overrides AssetsDir.
const AssetsEnv = "SYNCWAVE_K8S_ASSETS"

// AssetsDir returns the directory of the Kubernetes binaries:
// $SYNCWAVE_K8S_ASSETS if set, else the cache directory that
// `make k8s-binaries` fills, ${XDG_CACHE_HOME:-$HOME/.cache}/syncwave/k8s/v<K8sVersion>.
func AssetsDir() (string, error) {
	if dir := os.Getenv(AssetsEnv); dir != "" {
		return filepath.Abs(dir)
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the Kubernetes binaries: set %s or HOME: %w", AssetsEnv, err)
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "syncwave", "k8s", "v"+K8sVersion), nil
}

// envtestBinaries and simulatedBinaries are what each level runs.
var (
	envtestBinaries   = []string{"kube-apiserver", "etcd"}
	simulatedBinaries = []string{"kube-apiserver", "etcd", "kube-controller-manager", "kube-scheduler", "kwok"}
)

// checkAssets fails with a hint when a binary is missing from dir.
func checkAssets(dir string, names []string) error {
	var missing []string
	for _, n := range names {
		fi, err := os.Stat(filepath.Join(dir, n))
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %v not found in %s: run `make k8s-binaries` to build them "+
		"(the first run takes ~7 min; set %s to use another directory)", ErrNoBinaries, missing, dir, AssetsEnv)
}

// ErrNoBinaries is returned by Start when the Kubernetes binaries are missing.
var ErrNoBinaries = errors.New("kubernetes test binaries missing")
