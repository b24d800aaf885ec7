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
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// ParseTag parses an image name with a tag, e.g. syncwave/controller:0.1.0.
// A name without a tag is an error: the tag is the controller's version.
func ParseTag(ref string) (name.Tag, error) {
	tag, err := name.NewTag(ref)
	if err != nil {
		return name.Tag{}, fmt.Errorf("image name %q: %w", ref, err)
	}
	if !strings.Contains(ref[strings.LastIndex(ref, "/")+1:], ":") {
		return name.Tag{}, fmt.Errorf("image name %q: no tag (want NAME:TAG)", ref)
	}
	return tag, nil
}

// WriteLayout writes img as the only image of an OCI image layout at dir,
// replacing an earlier layout there. The image's descriptor carries tag as
// org.opencontainers.image.ref.name (the tag, as skopeo's oci:DIR:TAG and
// crane read it) and as io.containerd.image.name (the full name, for ctr
// import).
func WriteLayout(dir string, img v1.Image, tag name.Tag) error {
	if err := clearLayout(dir); err != nil {
		return err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("write OCI layout %s: %w", dir, err)
	}
	registry := tag.RegistryStr()
	if registry == name.DefaultRegistry {
		registry = "docker.io" // the name as containerd spells it
	}
	anns := map[string]string{
		"org.opencontainers.image.ref.name": tag.TagStr(),
		"io.containerd.image.name":          registry + "/" + tag.RepositoryStr() + ":" + tag.TagStr(),
	}
	if err := p.AppendImage(img, layout.WithAnnotations(anns)); err != nil {
		return fmt.Errorf("write image to OCI layout %s: %w", dir, err)
	}
	return nil
}

// clearLayout removes dir when it is an OCI layout (or empty), so that
// the layout holds one image; it refuses to remove anything else.
func clearLayout(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("OCI layout %s: %w", dir, err)
	}
	if len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, "oci-layout")); err != nil {
			return fmt.Errorf("OCI layout %s: the directory is not empty and not an OCI layout; not replacing it", dir)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("replace OCI layout %s: %w", dir, err)
	}
	return nil
}

// WriteTarball writes img, named tag, as the tarball that docker load,
// podman load and kind load image-archive read.
func WriteTarball(path string, img v1.Image, tag name.Tag) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("image tarball %s: %w", path, err)
	}
	if err := tarball.WriteToFile(path, tag, img); err != nil {
		return fmt.Errorf("write image tarball %s: %w", path, err)
	}
	return nil
}
