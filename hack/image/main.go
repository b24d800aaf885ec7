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

// Command image builds the controller's OCI image without a container
// engine (make image): an OCI image layout directory and a tarball for
// docker load -i, from a static manager binary and the build machine's CA
// certificates. See internal/image for what the image holds.
//
//	go run ./hack/image --binary bin/image/manager --image syncwave/controller:0.1.0 \
//	    --version 0.1.0 --layout bin/image/oci --tarball bin/image/image.tar
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/syncwave/syncwave/internal/image"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("image", flag.ContinueOnError)
	var o image.Options
	var ref, created, layoutDir, tarballPath string
	fs.StringVar(&o.Binary, "binary", "", "the controller's static executable (CGO_ENABLED=0 GOOS=linux)")
	fs.StringVar(&o.CACerts, "ca-certs", "/etc/ssl/certs/ca-certificates.crt", "PEM bundle of CA certificates to put in the image")
	fs.StringVar(&o.OS, "os", "linux", "OS of the image and the binary")
	fs.StringVar(&o.Arch, "arch", runtime.GOARCH, "architecture of the image and the binary (GOARCH)")
	fs.StringVar(&o.Version, "version", "", "the controller's version (org.opencontainers.image.version)")
	fs.StringVar(&o.Revision, "revision", "", "source revision (org.opencontainers.image.revision); empty leaves it out")
	fs.StringVar(&ref, "image", "", "image name with its tag, e.g. syncwave/controller:0.1.0")
	fs.StringVar(&created, "created", "", "creation time, RFC 3339 (default: SOURCE_DATE_EPOCH, else the zero Unix time, for reproducible digests)")
	fs.StringVar(&layoutDir, "layout", "", "write an OCI image layout to this directory (replacing one there)")
	fs.StringVar(&tarballPath, "tarball", "", "write a tarball for docker load -i to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if ref == "" || (layoutDir == "" && tarballPath == "") {
		return fmt.Errorf("--image and at least one of --layout and --tarball are required")
	}
	tag, err := image.ParseTag(ref)
	if err != nil {
		return err
	}
	if o.Created, err = creationTime(created, os.Getenv("SOURCE_DATE_EPOCH")); err != nil {
		return err
	}
	img, err := image.Build(o)
	if err != nil {
		return err
	}
	if layoutDir != "" {
		if err := image.WriteLayout(layoutDir, img, tag); err != nil {
			return err
		}
	}
	if tarballPath != "" {
		if err := image.WriteTarball(tarballPath, img, tag); err != nil {
			return err
		}
	}
	digest, err := img.Digest()
	if err != nil {
		return fmt.Errorf("digest of %s: %w", tag, err)
	}
	fmt.Printf("%s@%s\n", tag, digest)
	return nil
}

// creationTime is --created, else SOURCE_DATE_EPOCH, else the zero Unix
// time.
func creationTime(flagValue, epoch string) (time.Time, error) {
	switch {
	case flagValue != "":
		t, err := time.Parse(time.RFC3339, flagValue)
		if err != nil {
			return time.Time{}, fmt.Errorf("--created: %w", err)
		}
		return t, nil
	case epoch != "":
		s, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: not a number of seconds: %w", epoch, err)
		}
		return time.Unix(s, 0), nil
	default:
		return time.Unix(0, 0), nil
	}
}
