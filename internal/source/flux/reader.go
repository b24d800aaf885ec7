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

package flux

import (
	"context"
	"errors"
	"fmt"

	fluxmeta "github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/source/artifact"
)

// maxReadyMessage bounds the source's Ready message quoted in status.
const maxReadyMessage = 256

// Source is what every Flux source kind has.
type Source interface {
	client.Object
	GetArtifact() *fluxmeta.Artifact
	GetConditions() []metav1.Condition
}

// New returns an empty object of a Flux source kind, or nil for another
// kind.
func New(kind string) Source {
	switch kind {
	case sourcev1.GitRepositoryKind:
		return &sourcev1.GitRepository{}
	case sourcev1.OCIRepositoryKind:
		return &sourcev1.OCIRepository{}
	case sourcev1.BucketKind:
		return &sourcev1.Bucket{}
	case sourcev1.ExternalArtifactKind:
		return &sourcev1.ExternalArtifact{}
	}
	return nil
}

// Reader reads the artifacts of Flux sources; see the package doc.
type Reader struct {
	// Client reads the sources on the controller's own cluster, as the
	// controller; its scheme knows source.toolkit.fluxcd.io/v1.
	Client client.Reader
	// Fetcher downloads, verifies and unpacks the artifacts.
	Fetcher *artifact.Fetcher
}

var _ manifest.Artifacts = (*Reader)(nil)

// Locate implements manifest.Artifacts: it reads the source (ref.Namespace
// is set) and checks that its artifact is usable.
func (r *Reader) Locate(ctx context.Context, ref syncv1alpha1.FluxSourceReference) (*manifest.Location, error) {
	name := fmt.Sprintf("%s %s/%s", ref.Kind, ref.Namespace, ref.Name)
	src := New(ref.Kind)
	if src == nil {
		return nil, &manifest.InvalidSourceError{Msg: fmt.Sprintf("kind %q is not a Flux source kind (GitRepository, OCIRepository, Bucket, ExternalArtifact)", ref.Kind)}
	}
	err := r.Client.Get(ctx, client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}, src)
	switch {
	case apimeta.IsNoMatchError(err):
		return nil, &manifest.InvalidSourceError{Msg: fmt.Sprintf("%s %s is not served by this cluster: install Flux's source-controller (or at least its CRDs)", sourcev1.GroupVersion, ref.Kind)}
	case apierrors.IsForbidden(err):
		return nil, &manifest.InvalidSourceError{Msg: fmt.Sprintf("the controller may not read %s: grant it get, list and watch on %s (the chart's fluxSources.enabled)", name, sourcev1.GroupVersion.Group), Err: err}
	case err != nil:
		return nil, err // NotFound: the operation waits; others are retried
	}
	if msg, ready := isReady(src); !ready {
		return nil, &manifest.NotReadyError{Waiting: fmt.Sprintf("%s to be Ready: %s", name, msg)}
	}
	art := src.GetArtifact()
	if art == nil {
		return nil, &manifest.NotReadyError{Waiting: fmt.Sprintf("%s to be Ready: it has no artifact yet", name)}
	}
	loc := &manifest.Location{Source: name, URL: art.URL, Revision: art.Revision, Digest: art.Digest, Size: -1, Path: ref.Path}
	if art.Size != nil {
		loc.Size = *art.Size
	}
	return loc, nil
}

// Read implements manifest.Artifacts: it downloads, verifies and unpacks
// the artifact, and selects the files under the location's path.
func (r *Reader) Read(ctx context.Context, loc *manifest.Location) (*manifest.Artifact, error) {
	files, err := r.Fetcher.Fetch(ctx, loc.URL, loc.Digest, loc.Size)
	var fe *artifact.FetchError
	var ae *artifact.Error
	switch {
	case errors.As(err, &fe):
		return nil, &manifest.NotReadyError{Retry: true,
			Waiting: fmt.Sprintf("the artifact of %s (revision %s) to be served: %s", loc.Source, loc.Revision, operation.Truncate(fe.Error(), maxReadyMessage))}
	case errors.As(err, &ae):
		return nil, &manifest.InvalidSourceError{Msg: "artifact of revision " + loc.Revision, Err: err}
	case err != nil:
		return nil, err
	}
	sel, err := artifact.Select(files, loc.Path)
	if err != nil {
		return nil, &manifest.InvalidSourceError{Msg: "artifact of revision " + loc.Revision, Err: err}
	}
	return &manifest.Artifact{Revision: loc.Revision, Digest: loc.Digest, Files: sel}, nil
}

// isReady tells whether src is Ready for its current generation; if not,
// it returns why, from the source's Ready condition.
func isReady(src Source) (string, bool) {
	c := apimeta.FindStatusCondition(src.GetConditions(), fluxmeta.ReadyCondition)
	switch {
	case c == nil:
		return "it has no Ready condition yet", false
	case c.ObservedGeneration != 0 && c.ObservedGeneration < src.GetGeneration():
		return fmt.Sprintf("its Ready condition is of generation %d, not %d", c.ObservedGeneration, src.GetGeneration()), false
	case c.Status != metav1.ConditionTrue:
		msg := c.Message
		if msg == "" {
			msg = c.Reason
		}
		return operation.Truncate(fmt.Sprintf("%s (%s)", msg, c.Status), maxReadyMessage), false
	}
	return "", true
}
