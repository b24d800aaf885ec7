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

package image

import (
	"bytes"
	"crypto/x509"
	"debug/elf"
	"errors"
	"fmt"
	"maps"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The user the image runs as, and where its files go.
const (
	// UID and GID of the non-root user nonroot (distroless's convention,
	// which the chart's securityContext expects).
	UID = 65532
	GID = 65532
	// Entrypoint is the path of the controller in the image.
	Entrypoint = "/manager"
	// CACertsPath is where the CA bundle goes; Go's crypto/x509 reads it
	// there on Linux.
	CACertsPath = "/etc/ssl/certs/ca-certificates.crt"
)

// Options are the inputs of an image.
type Options struct {
	// Binary is the path of the controller's static executable; it
	// becomes /manager.
	Binary string
	// CACerts is the path of a PEM bundle of CA certificates, e.g. the
	// build machine's /etc/ssl/certs/ca-certificates.crt. The controller
	// needs them to reach API servers and sources with public
	// certificates.
	CACerts string
	// OS and Arch are the platform of the image and of Binary (GOOS and
	// GOARCH); default linux and amd64.
	OS, Arch string
	// Version is the controller's version: the
	// org.opencontainers.image.version label.
	Version string
	// Revision is the source revision (a commit), the
	// org.opencontainers.image.revision label; empty leaves it out.
	Revision string
	// Created is the creation time of the image and the time of every
	// file in it. Keep it fixed (SOURCE_DATE_EPOCH, or the zero Unix
	// time) for reproducible digests.
	Created time.Time
	// Labels are added to the default labels, and win over them.
	Labels map[string]string
}

// DefaultLabels are the org.opencontainers.image.* labels of every image.
var DefaultLabels = map[string]string{
	"org.opencontainers.image.title":       "syncwave",
	"org.opencontainers.image.description": "Ordered, health-gated syncs of Kubernetes manifests",
	"org.opencontainers.image.source":      "https://github.com/syncwave/syncwave",
	"org.opencontainers.image.licenses":    "Apache-2.0",
}

// Build assembles the image from o.
func Build(o Options) (v1.Image, error) {
	if o.OS == "" {
		o.OS = "linux"
	}
	if o.Arch == "" {
		o.Arch = "amd64"
	}
	if o.Created.IsZero() {
		o.Created = time.Unix(0, 0)
	}
	o.Created = o.Created.UTC()
	binary, err := readBinary(o.Binary, o.Arch)
	if err != nil {
		return nil, err
	}
	certs, err := readCACerts(o.CACerts)
	if err != nil {
		return nil, err
	}
	base, err := layer(baseFiles(certs), o.Created)
	if err != nil {
		return nil, fmt.Errorf("base layer: %w", err)
	}
	app, err := layer([]file{{name: Entrypoint[1:], mode: 0o755, data: binary}}, o.Created)
	if err != nil {
		return nil, fmt.Errorf("layer of %s: %w", o.Binary, err)
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	created := v1.Time{Time: o.Created}
	img, err = mutate.Append(img,
		mutate.Addendum{Layer: base, MediaType: types.OCILayer,
			History: v1.History{Created: created, CreatedBy: "syncwave: static base (passwd, group, CA certificates)"}},
		mutate.Addendum{Layer: app, MediaType: types.OCILayer,
			History: v1.History{Created: created, CreatedBy: "syncwave: " + Entrypoint}},
	)
	if err != nil {
		return nil, fmt.Errorf("append layers: %w", err)
	}
	return configure(img, o)
}

// configure sets the platform, the user, the entrypoint and the labels.
func configure(img v1.Image, o Options) (v1.Image, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = o.OS, o.Arch
	cf.Created = v1.Time{Time: o.Created}
	labels := maps.Clone(DefaultLabels)
	labels["org.opencontainers.image.created"] = o.Created.Format(time.RFC3339)
	if o.Version != "" {
		labels["org.opencontainers.image.version"] = o.Version
	}
	if o.Revision != "" {
		labels["org.opencontainers.image.revision"] = o.Revision
	}
	maps.Copy(labels, o.Labels)
	cf.Config = v1.Config{
		Entrypoint: []string{Entrypoint},
		User:       fmt.Sprintf("%d:%d", UID, GID),
		WorkingDir: "/",
		Env:        []string{"SSL_CERT_FILE=" + CACertsPath},
		Labels:     labels,
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("write config: %w", err)
	}
	return img, nil
}

// elfMachines maps GOARCH to the ELF machine of its executables.
var elfMachines = map[string]elf.Machine{
	"amd64":   elf.EM_X86_64,
	"arm64":   elf.EM_AARCH64,
	"arm":     elf.EM_ARM,
	"ppc64le": elf.EM_PPC64,
	"s390x":   elf.EM_S390,
	"riscv64": elf.EM_RISCV,
	"386":     elf.EM_386,
}

// readBinary reads path and checks that it is a static ELF executable for
// arch: the image has no dynamic linker and no C library.
func readBinary(path, arch string) ([]byte, error) {
	if path == "" {
		return nil, errors.New("binary: no path given")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("binary: %w", err)
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("binary %s: not an ELF executable: %w", path, err)
	}
	defer func() { _ = f.Close() }()
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return nil, fmt.Errorf("binary %s: ELF type %s, not an executable", path, f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return nil, fmt.Errorf("binary %s: dynamically linked (it needs an ELF interpreter); build it with CGO_ENABLED=0", path)
		}
	}
	if want, ok := elfMachines[arch]; ok && f.Machine != want {
		return nil, fmt.Errorf("binary %s: built for %s, not for the image's architecture %s", path, f.Machine, arch)
	}
	return data, nil
}

// readCACerts reads a PEM bundle and checks that it holds a certificate.
func readCACerts(path string) ([]byte, error) {
	if path == "" {
		return nil, errors.New("CA certificates: no path given")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("CA certificates: %w", err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("CA certificates %s: no PEM certificate in the file", path)
	}
	return data, nil
}
