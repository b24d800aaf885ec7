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

package snapshot

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/hook"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

const (
	// Key is the data key that holds a part of the compressed plan.
	Key = "plan.json.gz"
	// AnnotationDigest records the manifests' digest on every part.
	AnnotationDigest = "syncwave.dev/digest"
	// LabelSnapshot marks the objects of snapshots.
	LabelSnapshot = "syncwave.dev/snapshot"

	// KindConfigMap and KindSecret are the kinds a snapshot is stored in.
	KindConfigMap = "ConfigMap"
	KindSecret    = "Secret"
)

// PartSize is the most compressed bytes one part holds, well below the
// 1 MiB limit of a ConfigMap or Secret.
var PartSize = 768 << 10

// MaxPlanSize bounds the encoded plan: Pin refuses a larger one, and
// Decode refuses to read more back (against corruption).
var MaxPlanSize = 256 << 20

// maxParts bounds how many objects one snapshot may use.
const maxParts = 64

// Name returns the name of the first part of op's snapshot: <name>-plan,
// shortened with a hash when the operation's name is long.
func Name(op *syncv1alpha1.SyncOperation) string {
	const suffix = "-plan"
	n := op.Name
	if len(n)+len(suffix)+4 > 253 { // room for "-NN" part suffixes
		sum := sha256.Sum256([]byte(n))
		n = n[:200] + "-" + hex.EncodeToString(sum[:])[:10]
	}
	return n + suffix
}

func partName(base string, i int) string {
	if i == 0 {
		return base
	}
	return fmt.Sprintf("%s-%d", base, i)
}

// Encode compresses the encoded plan. A plan that Decode would refuse to
// read back (over MaxPlanSize) is ErrTooLarge.
func Encode(p *plan.Plan) ([]byte, error) {
	raw, err := plan.Marshal(p)
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxPlanSize {
		return nil, fmt.Errorf("%w: %d MiB encoded, more than %d MiB", ErrTooLarge, len(raw)>>20, MaxPlanSize>>20)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Decode reverses Encode. Whatever it cannot read is ErrCorrupt.
func Decode(b []byte) (*plan.Plan, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: decompress plan: %w", ErrCorrupt, err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, int64(MaxPlanSize)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: decompress plan: %w", ErrCorrupt, err)
	}
	if len(raw) > MaxPlanSize {
		return nil, fmt.Errorf("%w: decompress plan: larger than %d bytes", ErrCorrupt, MaxPlanSize)
	}
	p, err := plan.Unmarshal(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return p, nil
}

var (
	// ErrTooLarge says a plan does not fit in a snapshot.
	ErrTooLarge = errors.New("plan too large to pin")
	// ErrCorrupt says a snapshot's objects do not hold a plan that can be
	// read: edited, or not what status.snapshot names. Reading it again
	// gives the same answer.
	ErrCorrupt = errors.New("the pinned plan cannot be read")
)

// Pin writes the snapshot of op's plan and returns its reference. kind is
// KindConfigMap or KindSecret.
//
// The parts are created last to first, so the first part, which
// status.snapshot names and which records the number of parts, exists
// only once every other part does. When the first part exists already (an
// earlier Pin whose status write was lost), that snapshot is kept and its
// reference returned. A later part left by an earlier Pin that failed
// before its first part was written is replaced.
func Pin(ctx context.Context, c client.Client, op *syncv1alpha1.SyncOperation, p *plan.Plan, digest, kind string) (*syncv1alpha1.SnapshotRef, error) {
	data, err := Encode(p)
	if err != nil {
		return nil, err
	}
	parts := (len(data) + PartSize - 1) / PartSize
	if parts == 0 {
		parts = 1
	}
	if parts > maxParts {
		return nil, fmt.Errorf("%w: %d MiB compressed, more than %d parts of %d KiB", ErrTooLarge, len(data)>>20, maxParts, PartSize>>10)
	}
	ref := &syncv1alpha1.SnapshotRef{Kind: kind, Name: Name(op), Parts: int32(parts), Digest: digest}
	got, err := pin(ctx, c, op, ref, data)
	var inc *incomplete
	if errors.As(err, &inc) {
		// A first part without all of its parts was never a snapshot
		// anything ran from (an older release wrote the first part
		// first): it is replaced.
		if err := c.Delete(ctx, inc.first, client.Preconditions{UID: ptr.To(inc.first.GetUID())}); client.IgnoreNotFound(err) != nil {
			return nil, fmt.Errorf("replace snapshot %s %s/%s: %w", kind, op.Namespace, ref.Name, err)
		}
		got, err = pin(ctx, c, op, ref, data)
	}
	return got, err
}

func pin(ctx context.Context, c client.Client, op *syncv1alpha1.SyncOperation, ref *syncv1alpha1.SnapshotRef, data []byte) (*syncv1alpha1.SnapshotRef, error) {
	kind, parts := ref.Kind, int(ref.Parts)
	for i := parts - 1; i >= 0; i-- {
		chunk := data[i*PartSize : min(len(data), (i+1)*PartSize)]
		obj := newObject(op, ref, i, chunk)
		err := c.Create(ctx, obj, client.FieldOwner(syncv1alpha1.FieldManager))
		if apierrors.IsAlreadyExists(err) {
			var prev *syncv1alpha1.SnapshotRef
			prev, err = existing(ctx, c, op, ref, i, chunk)
			var st *stale
			if errors.As(err, &st) && st.obj.GetName() == obj.GetName() {
				err = replaceStale(ctx, c, st.obj, newObject(op, ref, i, chunk))
			}
			if prev != nil || err != nil {
				return prev, err
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("create snapshot %s %s/%s: %w", kind, op.Namespace, partName(ref.Name, i), err)
		}
	}
	return ref, nil
}

// existing decides about part i of ref that exists already: the reference
// of an earlier complete snapshot to keep, or nil to go on (the part holds
// chunk, or it was left by an earlier Pin that failed and is created again).
func existing(ctx context.Context, c client.Client, op *syncv1alpha1.SyncOperation, ref *syncv1alpha1.SnapshotRef, i int, chunk []byte) (*syncv1alpha1.SnapshotRef, error) {
	if i == 0 {
		return adopt(ctx, c, op, ref)
	}
	obj, err := owned(ctx, c, op, ref.Kind, partName(ref.Name, i))
	if err != nil {
		return nil, err
	}
	if bytes.Equal(chunkOf(obj), chunk) {
		return nil, nil
	}
	if _, err := owned(ctx, c, op, ref.Kind, ref.Name); err == nil {
		return adopt(ctx, c, op, ref) // an earlier snapshot of other parts
	} else if !apierrors.IsNotFound(err) && !errors.As(err, new(*stale)) {
		return nil, err // a stale first part is replaced when its turn comes
	}
	// Left by a Pin that failed before it wrote the first part: nothing
	// names it, so it is replaced.
	if err := c.Delete(ctx, obj, client.Preconditions{UID: ptr.To(obj.GetUID())}); client.IgnoreNotFound(err) != nil {
		return nil, fmt.Errorf("replace snapshot %s %s/%s: %w", ref.Kind, op.Namespace, obj.GetName(), err)
	}
	if err := c.Create(ctx, newObject(op, ref, i, chunk), client.FieldOwner(syncv1alpha1.FieldManager)); err != nil {
		return nil, fmt.Errorf("create snapshot %s %s/%s: %w", ref.Kind, op.Namespace, obj.GetName(), err)
	}
	return nil, nil
}

// adopt returns the reference recorded on the existing first part of op's
// snapshot, once every part it counts exists with its digest.
func adopt(ctx context.Context, c client.Reader, op *syncv1alpha1.SyncOperation, ref *syncv1alpha1.SnapshotRef) (*syncv1alpha1.SnapshotRef, error) {
	obj, err := owned(ctx, c, op, ref.Kind, ref.Name)
	if err != nil {
		return nil, err
	}
	return adoptFirst(ctx, c, op, ref, obj)
}

// adoptFirst is adopt with the first part obj already read.
func adoptFirst(ctx context.Context, c client.Reader, op *syncv1alpha1.SyncOperation, ref *syncv1alpha1.SnapshotRef, obj client.Object) (*syncv1alpha1.SnapshotRef, error) {
	prev := *ref
	prev.Digest = obj.GetAnnotations()[AnnotationDigest]
	if n, err := fmt.Sscan(obj.GetAnnotations()[annotationParts], &prev.Parts); n != 1 || err != nil || prev.Parts < 1 {
		return nil, fmt.Errorf("%w: snapshot %s %s/%s has no part count", ErrCorrupt, ref.Kind, op.Namespace, obj.GetName())
	}
	for i := 1; i < int(prev.Parts); i++ {
		part, err := owned(ctx, c, op, ref.Kind, partName(ref.Name, i))
		if apierrors.IsNotFound(err) {
			return nil, &incomplete{first: obj, err: err}
		}
		if err != nil {
			return nil, err
		}
		if d := part.GetAnnotations()[AnnotationDigest]; d != prev.Digest {
			return nil, fmt.Errorf("%w: snapshot %s %s/%s has digest %q, its first part %q", ErrCorrupt, ref.Kind, op.Namespace, part.GetName(), d, prev.Digest)
		}
	}
	return &prev, nil
}

// Find returns the reference of the complete snapshot that op pinned,
// whichever kind holds it, or nil when op pinned none: the way to tell,
// when status.snapshot is not recorded, whether a start whose status
// write was lost got as far as pinning (and so perhaps as writing).
func Find(ctx context.Context, r client.Reader, op *syncv1alpha1.SyncOperation) (*syncv1alpha1.SnapshotRef, error) {
	for _, kind := range []string{KindConfigMap, KindSecret} {
		first, err := get(ctx, r, op.Namespace, kind, Name(op))
		if apierrors.IsNotFound(err) || (err == nil && !ownedBy(first, op)) {
			continue // not pinned in this kind, or an earlier operation's of the same name
		}
		if err != nil {
			return nil, err
		}
		ref, err := adoptFirst(ctx, r, op, &syncv1alpha1.SnapshotRef{Kind: kind, Name: Name(op)}, first)
		var inc *incomplete
		switch {
		case errors.As(err, &inc):
			continue // never a snapshot anything ran from
		case err != nil:
			return nil, err
		}
		return ref, nil
	}
	return nil, nil
}

// incomplete is a first part whose other parts are not all there.
type incomplete struct {
	first client.Object
	err   error
}

func (e *incomplete) Error() string {
	return fmt.Sprintf("snapshot %s is incomplete: %v", e.first.GetName(), e.err)
}

func (e *incomplete) Unwrap() error { return e.err }

func chunkOf(obj client.Object) []byte {
	switch o := obj.(type) {
	case *corev1.ConfigMap:
		return o.BinaryData[Key]
	case *corev1.Secret:
		return o.Data[Key]
	}
	return nil
}

const annotationParts = "syncwave.dev/parts"

func newObject(op *syncv1alpha1.SyncOperation, ref *syncv1alpha1.SnapshotRef, i int, chunk []byte) client.Object {
	meta := metav1.ObjectMeta{
		Name: partName(ref.Name, i), Namespace: op.Namespace,
		Labels:      map[string]string{LabelSnapshot: "true", syncv1alpha1.LabelOperationUID: string(op.UID)},
		Annotations: map[string]string{AnnotationDigest: ref.Digest, annotationParts: fmt.Sprint(ref.Parts)},
		OwnerReferences: []metav1.OwnerReference{{
			APIVersion: syncv1alpha1.GroupVersion.String(), Kind: "SyncOperation",
			Name: op.Name, UID: op.UID, Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(false),
		}},
	}
	if ref.Kind == KindSecret {
		return &corev1.Secret{ObjectMeta: meta, Immutable: ptr.To(true), Type: "syncwave.dev/plan",
			Data: map[string][]byte{Key: chunk}}
	}
	return &corev1.ConfigMap{ObjectMeta: meta, Immutable: ptr.To(true), BinaryData: map[string][]byte{Key: chunk}}
}

func get(ctx context.Context, r client.Reader, ns, kind, name string) (client.Object, error) {
	var obj client.Object = &corev1.ConfigMap{}
	if kind == KindSecret {
		obj = &corev1.Secret{}
	}
	if err := r.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, obj); err != nil {
		return nil, fmt.Errorf("read snapshot %s %s/%s: %w", kind, ns, name, err)
	}
	return obj, nil
}

// Load reads the snapshot ref of op's namespace and decodes its plan.
func Load(ctx context.Context, r client.Reader, namespace string, ref *syncv1alpha1.SnapshotRef) (*plan.Plan, error) {
	var data []byte
	parts := max(int(ref.Parts), 1)
	for i := range parts {
		obj, err := get(ctx, r, namespace, ref.Kind, partName(ref.Name, i))
		if err != nil {
			return nil, err
		}
		if d := obj.GetAnnotations()[AnnotationDigest]; d != ref.Digest {
			return nil, fmt.Errorf("%w: snapshot %s %s/%s has digest %q, status names %q", ErrCorrupt, ref.Kind, namespace, obj.GetName(), d, ref.Digest)
		}
		data = append(data, chunkOf(obj)...)
	}
	p, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s %s/%s: %w", ref.Kind, namespace, ref.Name, err)
	}
	return p, nil
}

// Resources returns the full per-task record of op, one entry per task of
// its pinned plan in plan order: the entries status.resources lists, and
// every other task derived from its step's result (status.steps). Without a
// snapshot (the operation has not started) it returns status.resources.
func Resources(ctx context.Context, r client.Reader, op *syncv1alpha1.SyncOperation) ([]syncv1alpha1.ResourceStatus, error) {
	if op.Status.Snapshot == nil {
		return op.Status.Resources, nil
	}
	p, err := Load(ctx, r, op.Namespace, op.Status.Snapshot)
	if err != nil {
		return nil, err
	}
	l := operation.NewLayout(p)
	return l.Expand(&op.Status, func(t *plan.Task) string { return hook.Name(op, t) }), nil
}
