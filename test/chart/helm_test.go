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
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/syncwave/syncwave/test/cluster"
)

// chartDir is the chart under test.
const chartDir = "../../charts/syncwave"

// helmVersion is the Helm CLI the Makefile builds (`make helm`).
const helmVersion = "v3.22.0"

// helmBinary returns the Helm CLI, or fails the test with how to get it.
func helmBinary(t *testing.T) string {
	t.Helper()
	path := os.Getenv("SYNCWAVE_HELM")
	if path == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				t.Fatalf("find the Helm binary: %v", err)
			}
			cache = filepath.Join(home, ".cache")
		}
		path = filepath.Join(cache, "syncwave", "tools", "helm-"+helmVersion)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no Helm binary at %s (run make helm, or set SYNCWAVE_HELM): %v", path, err)
	}
	return path
}

// helm runs the Helm CLI with its own config, cache and data directories,
// so that the user's repositories and plugins play no part.
type helm struct {
	bin  string
	home string
	// kubeconfig is passed to every command when set.
	kubeconfig string
}

func newHelm(t *testing.T) *helm {
	t.Helper()
	return &helm{bin: helmBinary(t), home: t.TempDir()}
}

// run runs helm with args and returns its stdout, or its stderr as the error.
func (h *helm) run(ctx context.Context, args ...string) (string, error) {
	if h.kubeconfig != "" {
		args = append(args, "--kubeconfig", h.kubeconfig)
	}
	cmd := exec.CommandContext(ctx, h.bin, args...)
	cmd.Env = append(os.Environ(),
		"HELM_CONFIG_HOME="+filepath.Join(h.home, "config"),
		"HELM_CACHE_HOME="+filepath.Join(h.home, "cache"),
		"HELM_DATA_HOME="+filepath.Join(h.home, "data"),
		"KUBECONFIG=/dev/null", // only --kubeconfig counts
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), errors.New(strings.TrimSpace(stderr.String() + "\n" + err.Error()))
	}
	return stdout.String(), nil
}

// runT is run for tests: an error fails the test.
func (h *helm) runT(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := h.run(ctx, args...)
	if err != nil {
		t.Fatalf("helm %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// template renders the chart as release "sw" in namespace "syncwave-system"
// with the CRDs, for the Kubernetes version of the test binaries.
func (h *helm) template(ctx context.Context, args ...string) (string, error) {
	all := append([]string{"template", "sw", chartDir, "--namespace", "syncwave-system",
		"--include-crds", "--kube-version", cluster.K8sVersion}, args...)
	return h.run(ctx, all...)
}

// templateT is template for tests: an error fails the test.
func (h *helm) templateT(t *testing.T, args ...string) []*unstructured.Unstructured {
	t.Helper()
	out, err := h.template(context.Background(), args...)
	if err != nil {
		t.Fatalf("helm template %s: %v", strings.Join(args, " "), err)
	}
	return splitYAML(t, out)
}

// splitYAML decodes every non-empty document of a multi-document stream.
func splitYAML(t *testing.T, stream string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	r := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(stream)))
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("read document %d: %v", i, err)
		}
		m := map[string]any{}
		if err := yaml.Unmarshal(doc, &m); err != nil {
			t.Fatalf("document %d is not YAML: %v\n%s", i, err, doc)
		}
		if len(m) == 0 {
			continue
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
}
