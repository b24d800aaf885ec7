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

package manifest

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/source/artifact"
)

// FluxGroup is the API group of Flux sources.
const FluxGroup = "source.toolkit.fluxcd.io"

// Options are the optional readers of Load.
type Options struct {
	// Artifacts reads the artifacts of Flux sources (spec.sources[].sourceRef);
	// nil refuses them as disabled.
	Artifacts Artifacts
}

// Artifacts reads the artifact of a Flux source (internal/source/flux), in
// two steps, so that nothing is downloaded while another source of the
// operation is still missing:
//
// Locate checks the source that ref names (ref.Namespace is set) and
// returns where its artifact is, without downloading it. Its errors say
// what Load does:
//   - a *NotReadyError: the source exists but is not usable yet; the
//     operation waits;
//   - a NotFound API error: the source does not exist (yet); it waits too;
//   - an *InvalidSourceError: the source is unusable; the operation fails;
//   - any other error is returned as it is, to be retried.
//
// Read downloads a located artifact and returns its manifest files under
// the location's Path, sorted by path; its errors are those of Locate
// (a download that fails is a *NotReadyError to retry).
type Artifacts interface {
	Locate(ctx context.Context, ref syncv1alpha1.FluxSourceReference) (*Location, error)
	Read(ctx context.Context, loc *Location) (*Artifact, error)
}

// Location is the artifact of a usable Flux source, not yet downloaded.
type Location struct {
	// Source names the source, "OCIRepository ns/app", for messages.
	Source string
	// URL, Revision and Digest are the artifact's, as the source's status
	// says; Size is its announced size, or -1.
	URL, Revision, Digest string
	Size                  int64
	// Path is the sourceRef's path: the files under it are read.
	Path string
}

// Artifact is what Artifacts.Read read of one source.
type Artifact struct {
	// Revision and Digest are the artifact's, as the source's status says.
	Revision, Digest string
	// Files are the manifest files, sorted by path.
	Files []artifact.File
}

// NotReadyError says that a Flux source is not usable yet.
type NotReadyError struct {
	// Waiting says what for, after "waiting for ": "OCIRepository ns/app to
	// be Ready: <its Ready message>".
	Waiting string
	// Retry is true when no change of the source will tell that it is
	// usable (its artifact could not be downloaded): look again later.
	Retry bool
}

func (e *NotReadyError) Error() string { return "waiting for " + e.Waiting }

// InvalidSourceError says that a Flux source or its artifact is unusable:
// its kind is not served, its artifact fails verification.
type InvalidSourceError struct {
	// Msg says what is wrong.
	Msg string
	// Err is the cause, if any.
	Err error
}

func (e *InvalidSourceError) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

// Unwrap returns the cause.
func (e *InvalidSourceError) Unwrap() error { return e.Err }

// fluxSource is one Flux source of an operation while it is read: its
// field, its reference with the namespace resolved, and where its artifact
// is once located.
type fluxSource struct {
	field, name string
	ref         syncv1alpha1.FluxSourceReference
	loc         *Location
}

// newFluxSource resolves the namespace of ref (the operation's when it
// names none), once for every later message and read.
func newFluxSource(i int, namespace string, ref syncv1alpha1.FluxSourceReference) *fluxSource {
	if ref.Namespace == "" {
		ref.Namespace = namespace
	}
	return &fluxSource{field: fmt.Sprintf("spec.sources[%d]", i), name: fmt.Sprintf("%s %s/%s", ref.Kind, ref.Namespace, ref.Name), ref: ref}
}

func (f *fluxSource) whole() string { return fmt.Sprintf("%s (%s)", f.field, f.name) }

// locate checks the source without downloading anything.
func (f *fluxSource) locate(ctx context.Context, a Artifacts) error {
	if a == nil {
		return &Error{Source: f.field, Index: -1,
			Msg: "sourceRef: Flux sources are disabled in this controller (--flux-sources, the chart's fluxSources.enabled)"}
	}
	loc, err := a.Locate(ctx, f.ref)
	if err != nil {
		return f.error(err)
	}
	f.loc = loc
	return nil
}

// read downloads the located artifact: its files, and its revision.
func (f *fluxSource) read(ctx context.Context, a Artifacts) ([]document, *syncv1alpha1.SourceRevision, error) {
	art, err := a.Read(ctx, f.loc)
	if err != nil {
		return nil, nil, f.error(err)
	}
	docs := make([]document, 0, len(art.Files))
	for _, file := range art.Files {
		docs = append(docs, document{source: fmt.Sprintf("%s (%s, %s)", f.field, f.name, file.Path), data: file.Data})
	}
	rev := &syncv1alpha1.SourceRevision{Source: fmt.Sprintf("%s/%s/%s", f.ref.Kind, f.ref.Namespace, f.ref.Name), Revision: art.Revision, Digest: art.Digest}
	return docs, rev, nil
}

// error says what an error of Artifacts means for the operation: wait
// (missing), fail (an *Error), or retry (wrapped).
func (f *fluxSource) error(err error) error {
	missing := MissingSource{Group: FluxGroup, Kind: f.ref.Kind, Namespace: f.ref.Namespace, Name: f.ref.Name, Field: f.field}
	var nr *NotReadyError
	var is *InvalidSourceError
	switch {
	case errors.As(err, &nr):
		missing.Waiting, missing.Retry = nr.Waiting, nr.Retry
		return &Error{Source: f.whole(), Index: -1, Msg: "not ready", Err: &missingError{missing, err}}
	case apierrors.IsNotFound(err):
		return &Error{Source: f.whole(), Index: -1, Msg: "not found", Err: &missingError{missing, err}}
	case errors.As(err, &is):
		return &Error{Source: f.whole(), Index: -1, Msg: is.Error()}
	}
	return fmt.Errorf("read %s: %w", f.whole(), err)
}
