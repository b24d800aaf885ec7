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

package manager

import (
	"flag"
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/source/artifact"
	"github.com/syncwave/syncwave/internal/source/flux"
)

// bindFluxFlags registers the flags of Flux sources.
func (o *Options) bindFluxFlags(fs *flag.FlagSet) {
	fs.BoolVar(&o.FluxSources, "flux-sources", o.FluxSources, "read spec.sources[].sourceRef (Flux GitRepository, OCIRepository, Bucket, ExternalArtifact); false refuses them as disabled")
	fs.Var((*byteSize)(&o.MaxArtifactSize), "max-artifact-size", "largest Flux artifact that is downloaded, largest unpacked content of one, and most bytes of verified artifacts kept in memory for reuse (a quantity: 50Mi, 1Gi, or bytes)")
}

// artifacts returns the reader of Flux sources, or nil when they are
// disabled. Sources are read with c: the controller's own client. Verified
// artifacts are held, at most MaxArtifactSize bytes of them, for
// artifact.DefaultCacheTTL after their last use.
func (o *Options) artifacts(c client.Reader) manifest.Artifacts {
	if !o.FluxSources {
		return nil
	}
	return &flux.Reader{Client: c, Fetcher: &artifact.Fetcher{
		Limits: artifact.DefaultLimits(o.MaxArtifactSize),
		Cache:  artifact.NewCache(o.MaxArtifactSize, artifact.DefaultCacheTTL, nil),
	}}
}

// byteSize is a flag of a size in bytes, given as a Kubernetes quantity.
type byteSize int64

func (b *byteSize) String() string {
	return resource.NewQuantity(int64(*b), resource.BinarySI).String()
}

func (b *byteSize) Set(s string) error {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return err
	}
	v, ok := q.AsInt64()
	if !ok || v <= 0 {
		return fmt.Errorf("%q: want a positive number of bytes", s)
	}
	*b = byteSize(v)
	return nil
}
