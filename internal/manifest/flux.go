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

// Artifacts reads the artifact of a Flux source (internal/source/flux).
//
// Read returns the manifest files under ref.Path, sorted by path, of the
// artifact of the source that ref names in namespace (ref.Namespace, else
// the operation's). Its errors say what Load does:
//   - a *NotReadyError: the source exists but is not usable yet; the
//     operation waits;
//   - a NotFound API error: the source does not exist (yet); it waits too;
//   - an *InvalidSourceError: the source or its artifact is unusable; the
//     operation fails;
//   - any other error is returned as it is, to be retried.
type Artifacts interface {
	Read(ctx context.Context, namespace string, ref syncv1alpha1.FluxSourceReference) (*Artifact, error)
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

// readFlux reads the files of one Flux source, and its revision.
func readFlux(ctx context.Context, a Artifacts, namespace string, i int, ref *syncv1alpha1.FluxSourceReference) ([]document, *syncv1alpha1.SourceRevision, error) {
	field := fmt.Sprintf("spec.sources[%d]", i)
	if a == nil {
		return nil, nil, &Error{Source: field, Index: -1,
			Msg: "sourceRef: Flux sources are disabled in this controller (--flux-sources, the chart's fluxSources.enabled)"}
	}
	ns := ref.Namespace
	if ns == "" {
		ns = namespace
	}
	name := fmt.Sprintf("%s %s/%s", ref.Kind, ns, ref.Name)
	whole := fmt.Sprintf("%s (%s)", field, name)
	art, err := a.Read(ctx, namespace, *ref)
	missing := MissingSource{Group: FluxGroup, Kind: ref.Kind, Namespace: ns, Name: ref.Name, Field: field}
	var nr *NotReadyError
	var is *InvalidSourceError
	switch {
	case errors.As(err, &nr):
		missing.Waiting, missing.Retry = nr.Waiting, nr.Retry
		return nil, nil, &Error{Source: whole, Index: -1, Msg: "not ready", Err: &missingError{missing, err}}
	case apierrors.IsNotFound(err):
		return nil, nil, &Error{Source: whole, Index: -1, Msg: "not found", Err: &missingError{missing, err}}
	case errors.As(err, &is):
		return nil, nil, &Error{Source: whole, Index: -1, Msg: is.Error()}
	case err != nil:
		return nil, nil, fmt.Errorf("read %s: %w", whole, err)
	}
	docs := make([]document, 0, len(art.Files))
	for _, f := range art.Files {
		docs = append(docs, document{source: fmt.Sprintf("%s (%s, %s)", field, name, f.Path), data: f.Data})
	}
	rev := &syncv1alpha1.SourceRevision{Source: fmt.Sprintf("%s/%s/%s", ref.Kind, ns, ref.Name), Revision: art.Revision, Digest: art.Digest}
	return docs, rev, nil
}
