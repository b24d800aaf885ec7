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

// Package image builds the OCI image of the syncwave controller without a
// container engine.
//
// The image is two layers on nothing (no distribution, no shell, no
// package manager):
//
//   - a static base of our own: /etc/passwd and /etc/group with root and
//     the non-root user nonroot (65532:65532), /etc/nsswitch.conf, the CA
//     certificates at /etc/ssl/certs/ca-certificates.crt, the home
//     directory of nonroot and a world-writable /tmp;
//   - the controller, /manager, a static executable (CGO_ENABLED=0): the
//     only executable of the image.
//
// The configuration runs /manager as 65532:65532 from / and carries the
// org.opencontainers.image.* labels. Every file time and the creation time
// are Options.Created, so the same inputs give the same digest.
//
// Build checks its inputs: the binary must be a static ELF executable of
// the image's architecture, the CA bundle must hold at least one PEM
// certificate. WriteLayout writes an OCI image layout directory;
// WriteTarball writes the tarball that `docker load -i`, `podman load -i`
// and `kind load image-archive` read. The library is
// go-containerregistry; hack/image is the command that `make image` runs.
package image
