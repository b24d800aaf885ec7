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
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/yaml"
)

// repoRoot is the root of the repository, where the Makefile is.
const repoRoot = "../.."

// chartImage returns the image the chart runs by default:
// image.repository, and image.tag or else the chart's appVersion, which
// is also the controller's version.
func chartImage(t *testing.T) (ref, version string) {
	t.Helper()
	g := NewWithT(t)
	var chart struct {
		AppVersion string `json:"appVersion"`
	}
	var values struct {
		Image struct {
			Repository string `json:"repository"`
			Tag        string `json:"tag"`
		} `json:"image"`
	}
	for file, into := range map[string]any{"Chart.yaml": &chart, "values.yaml": &values} {
		data, err := os.ReadFile(filepath.Join(chartDir, file))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(yaml.Unmarshal(data, into)).To(Succeed(), file)
	}
	g.Expect(chart.AppVersion).NotTo(BeEmpty())
	tag := values.Image.Tag
	if tag == "" {
		tag = chart.AppVersion
	}
	return values.Image.Repository + ":" + tag, chart.AppVersion
}

// makeTarget runs make in the repository root with vars, without the
// make variables of an enclosing make (make test runs this test), and
// returns its stdout.
func makeTarget(t *testing.T, target string, vars ...string) string {
	t.Helper()
	cmd := exec.Command("make", append([]string{"-s", "--no-print-directory", target}, vars...)...)
	cmd.Dir = repoRoot
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "IMG", "APP_VERSION", "IMAGE_DIR", "IMAGE_ARCH", "GOFLAGS":
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("make %s: %v\n%s%s", target, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// TestImage runs make image into a temporary directory and inspects what
// it wrote: the name and tag are the chart's default image, the image runs
// /manager as 65532 without a shell, and the /manager in the layer prints
// the chart's appVersion. The first run on a machine compiles the
// dependencies once for CGO_ENABLED=0 (minutes); later runs take seconds.
func TestImage(t *testing.T) {
	g := NewWithT(t)
	want, version := chartImage(t)
	g.Expect(strings.TrimSpace(makeTarget(t, "image-name"))).To(Equal(want),
		"make image names the image differently from the chart's default (values.yaml image.repository and tag, Chart.yaml appVersion)")

	dir := t.TempDir()
	makeTarget(t, "image", "IMAGE_DIR="+dir)

	img := layoutImage(t, filepath.Join(dir, "oci"), want)
	cf, err := img.ConfigFile()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cf.OS).To(Equal("linux"))
	g.Expect(cf.Config.Entrypoint).To(Equal([]string{"/manager"}))
	g.Expect(cf.Config.Cmd).To(BeEmpty())
	g.Expect(cf.Config.User).To(Equal("65532:65532"))
	g.Expect(cf.Config.Labels).To(HaveKeyWithValue("org.opencontainers.image.version", version))
	g.Expect(cf.Config.Labels).To(HaveKeyWithValue("org.opencontainers.image.title", "syncwave"))
	g.Expect(cf.Config.Labels).To(HaveKey("org.opencontainers.image.source"))
	g.Expect(cf.Config.Labels).To(HaveKey("org.opencontainers.image.licenses"))

	files := extract(t, img)
	g.Expect(files).NotTo(HaveKey("bin/sh"), "the image has a shell")
	var executables []string
	for name, f := range files {
		if f.Typeflag == tar.TypeReg && f.Mode&0o111 != 0 {
			executables = append(executables, name)
		}
	}
	g.Expect(executables).To(ConsistOf("manager"), "the only executable is /manager")
	g.Expect(string(files["etc/passwd"].data)).To(ContainSubstring(":65532:65532:"))
	g.Expect(string(files["etc/group"].data)).To(ContainSubstring(":65532:"))
	g.Expect(files).To(HaveKey("etc/ssl/certs/ca-certificates.crt"))
	g.Expect(files["etc/ssl/certs/ca-certificates.crt"].data).To(ContainSubstring("BEGIN CERTIFICATE"))

	bin := filepath.Join(t.TempDir(), "manager")
	g.Expect(os.WriteFile(bin, files["manager"].data, 0o755)).To(Succeed())
	out, err := exec.Command(bin, "--version").CombinedOutput()
	g.Expect(err).NotTo(HaveOccurred(), string(out))
	g.Expect(strings.TrimSpace(string(out))).To(Equal(version))

	// The tarball for docker load holds the same image under the same name.
	tag, err := name.NewTag(want)
	g.Expect(err).NotTo(HaveOccurred())
	fromTar, err := tarball.ImageFromPath(filepath.Join(dir, "image.tar"), &tag)
	g.Expect(err).NotTo(HaveOccurred())
	tarConfig, err := fromTar.ConfigName()
	g.Expect(err).NotTo(HaveOccurred())
	layoutConfig, err := img.ConfigName()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(tarConfig).To(Equal(layoutConfig))
}

// layoutImage reads the one image of the OCI layout at dir and checks that
// its ref.name annotation is the tag of ref.
func layoutImage(t *testing.T, dir, ref string) v1.Image {
	t.Helper()
	g := NewWithT(t)
	idx, err := layout.ImageIndexFromPath(dir)
	g.Expect(err).NotTo(HaveOccurred())
	m, err := idx.IndexManifest()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(m.Manifests).To(HaveLen(1))
	_, tag, _ := strings.Cut(path.Base(ref), ":")
	g.Expect(m.Manifests[0].Annotations).To(HaveKeyWithValue("org.opencontainers.image.ref.name", tag))
	img, err := idx.Image(m.Manifests[0].Digest)
	g.Expect(err).NotTo(HaveOccurred())
	return img
}

// entry is one file of the image's flattened file system.
type entry struct {
	*tar.Header
	data []byte
}

// extract flattens the layers of img into its files, by path without the
// leading slash.
func extract(t *testing.T, img v1.Image) map[string]entry {
	t.Helper()
	rc := mutate.Extract(img)
	defer func() { _ = rc.Close() }()
	tr := tar.NewReader(rc)
	files := map[string]entry{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		if err != nil {
			t.Fatalf("read the image's files: %v", err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("read %s from the image: %v", h.Name, err)
		}
		files[strings.TrimSuffix(strings.TrimPrefix(h.Name, "/"), "/")] = entry{h, data}
	}
}
