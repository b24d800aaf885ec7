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

package image_test

import (
	"archive/tar"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"debug/elf"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	. "github.com/onsi/gomega"

	"github.com/syncwave/syncwave/internal/image"
)

// fakeELF returns the headers of an ELF executable for machine; with
// interp it has a PT_INTERP program header, as a dynamically linked one.
func fakeELF(t *testing.T, machine elf.Machine, interp bool) []byte {
	t.Helper()
	h := elf.Header64{
		Type: uint16(elf.ET_EXEC), Machine: uint16(machine), Version: uint32(elf.EV_CURRENT),
		Ehsize: 64, Phentsize: 56, Shentsize: 64,
	}
	copy(h.Ident[:], elf.ELFMAG)
	h.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	h.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	h.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	var progs []elf.Prog64
	if interp {
		h.Phoff, h.Phnum = 64, 1
		progs = append(progs, elf.Prog64{Type: uint32(elf.PT_INTERP)})
	}
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, h); err != nil {
		t.Fatal(err)
	}
	for _, p := range progs {
		if err := binary.Write(&buf, binary.LittleEndian, p); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// caBundle returns a PEM bundle with one self-signed CA certificate.
func caBundle(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0), IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// writeFile writes data to a new file in a temporary directory.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func validOptions(t *testing.T) image.Options {
	t.Helper()
	return image.Options{
		Binary:  writeFile(t, "manager", fakeELF(t, elf.EM_X86_64, false)),
		CACerts: writeFile(t, "ca.crt", caBundle(t)),
		Arch:    "amd64",
		Version: "1.2.3",
		Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Labels:  map[string]string{"org.opencontainers.image.title": "custom"},
	}
}

func TestBuild(t *testing.T) {
	g := NewWithT(t)
	o := validOptions(t)
	img, err := image.Build(o)
	g.Expect(err).NotTo(HaveOccurred())

	mt, err := img.MediaType()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(mt).To(Equal(types.OCIManifestSchema1))
	cf, err := img.ConfigFile()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cf.OS).To(Equal("linux"))
	g.Expect(cf.Architecture).To(Equal("amd64"))
	g.Expect(cf.Created.Time).To(BeTemporally("==", o.Created))
	g.Expect(cf.Config.Entrypoint).To(Equal([]string{"/manager"}))
	g.Expect(cf.Config.User).To(Equal("65532:65532"))
	g.Expect(cf.Config.Labels).To(HaveKeyWithValue("org.opencontainers.image.version", "1.2.3"))
	g.Expect(cf.Config.Labels).To(HaveKeyWithValue("org.opencontainers.image.created", "2026-01-02T03:04:05Z"))
	g.Expect(cf.Config.Labels).To(HaveKeyWithValue("org.opencontainers.image.licenses", "Apache-2.0"))
	g.Expect(cf.Config.Labels).To(HaveKeyWithValue("org.opencontainers.image.title", "custom"))
	g.Expect(cf.Config.Labels).NotTo(HaveKey("org.opencontainers.image.revision"))
	layers, err := img.Layers()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(layers).To(HaveLen(2))

	files := filesOf(t, img)
	g.Expect(files).To(HaveKey("manager"))
	g.Expect(files["manager"].Mode).To(BeEquivalentTo(0o755))
	g.Expect(files["home/nonroot"].Uid).To(Equal(image.UID))
	g.Expect(files["tmp"].Mode).To(BeEquivalentTo(0o1777))
	for name, h := range files {
		g.Expect(h.ModTime).To(BeTemporally("==", o.Created), name)
		if name != "manager" && h.Typeflag == tar.TypeReg {
			g.Expect(h.Mode&0o111).To(BeZero(), "%s is executable", name)
		}
	}
}

func TestBuildIsReproducible(t *testing.T) {
	g := NewWithT(t)
	o := validOptions(t)
	digest := func(o image.Options) v1.Hash {
		img, err := image.Build(o)
		g.Expect(err).NotTo(HaveOccurred())
		d, err := img.Digest()
		g.Expect(err).NotTo(HaveOccurred())
		return d
	}
	first := digest(o)
	g.Expect(digest(o)).To(Equal(first))
	o.Created = o.Created.Add(time.Second)
	g.Expect(digest(o)).NotTo(Equal(first))
}

func TestBuildRejects(t *testing.T) {
	dir := t.TempDir()
	text := writeFile(t, "script", []byte("#!/bin/sh\necho hi\n"))
	dynamic := writeFile(t, "dynamic", fakeELF(t, elf.EM_X86_64, true))
	arm := writeFile(t, "arm", fakeELF(t, elf.EM_AARCH64, false))
	noCerts := writeFile(t, "empty.crt", []byte("no certificates here\n"))
	for name, tc := range map[string]struct {
		mutate func(*image.Options)
		want   string
	}{
		"no binary":          {func(o *image.Options) { o.Binary = "" }, "binary: no path given"},
		"missing binary":     {func(o *image.Options) { o.Binary = filepath.Join(dir, "nope") }, "nope"},
		"not ELF":            {func(o *image.Options) { o.Binary = text }, "script: not an ELF executable"},
		"dynamically linked": {func(o *image.Options) { o.Binary = dynamic }, "dynamic: dynamically linked"},
		"other architecture": {func(o *image.Options) { o.Binary = arm }, "arm: built for EM_AARCH64, not for the image's architecture amd64"},
		"no CA bundle":       {func(o *image.Options) { o.CACerts = "" }, "CA certificates: no path given"},
		"no certificate":     {func(o *image.Options) { o.CACerts = noCerts }, "empty.crt: no PEM certificate"},
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			o := validOptions(t)
			tc.mutate(&o)
			_, err := image.Build(o)
			g.Expect(err).To(MatchError(ContainSubstring(tc.want)))
		})
	}
}

func TestParseTag(t *testing.T) {
	g := NewWithT(t)
	tag, err := image.ParseTag("syncwave/controller:0.1.0")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(tag.TagStr()).To(Equal("0.1.0"))
	for _, bad := range []string{"syncwave/controller", "localhost:5000/controller", "a/b@sha256:" + string(bytes.Repeat([]byte("0"), 64)), "UPPER:1"} {
		_, err := image.ParseTag(bad)
		g.Expect(err).To(MatchError(ContainSubstring(bad)), bad)
	}
}

func TestWriteLayout(t *testing.T) {
	g := NewWithT(t)
	img, err := image.Build(validOptions(t))
	g.Expect(err).NotTo(HaveOccurred())
	tag, err := image.ParseTag("example.com/syncwave/controller:1.2.3")
	g.Expect(err).NotTo(HaveOccurred())
	dir := filepath.Join(t.TempDir(), "oci")
	for range 2 { // the second write replaces the first
		g.Expect(image.WriteLayout(dir, img, tag)).To(Succeed())
	}
	idx, err := layout.ImageIndexFromPath(dir)
	g.Expect(err).NotTo(HaveOccurred())
	m, err := idx.IndexManifest()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(m.Manifests).To(HaveLen(1))
	g.Expect(m.Manifests[0].Annotations).To(Equal(map[string]string{
		"org.opencontainers.image.ref.name": "1.2.3",
		"io.containerd.image.name":          "example.com/syncwave/controller:1.2.3",
	}))

	other := t.TempDir()
	keep := writeFile(t, "keep", nil)
	g.Expect(os.Rename(keep, filepath.Join(other, "keep"))).To(Succeed())
	g.Expect(image.WriteLayout(other, img, tag)).To(MatchError(ContainSubstring("not an OCI layout; not replacing it")))
	g.Expect(filepath.Join(other, "keep")).To(BeAnExistingFile())
}

// filesOf returns the tar headers of the image's files by name.
func filesOf(t *testing.T, img v1.Image) map[string]*tar.Header {
	t.Helper()
	rc := mutate.Extract(img)
	defer func() { _ = rc.Close() }()
	tr := tar.NewReader(rc)
	files := map[string]*tar.Header{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		files[strings.TrimSuffix(h.Name, "/")] = h
	}
}
