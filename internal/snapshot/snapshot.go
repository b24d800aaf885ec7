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

// MaxPlanSize bounds the decompressed plan read back, against corruption.
const MaxPlanSize = 256 << 20

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

// Encode compresses the encoded plan.
func Encode(p *plan.Plan) ([]byte, error) {
	raw, err := plan.Marshal(p)
	if err != nil {
		return nil, err
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

// Decode reverses Encode.
func Decode(b []byte) (*plan.Plan, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decompress plan: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, MaxPlanSize+1))
	if err != nil {
		return nil, fmt.Errorf("decompress plan: %w", err)
	}
	if len(raw) > MaxPlanSize {
		return nil, fmt.Errorf("decompress plan: larger than %d bytes", MaxPlanSize)
	}
	return plan.Unmarshal(raw)
}

// ErrTooLarge says a plan does not fit in a snapshot.
var ErrTooLarge = errors.New("plan too large to pin")

// Pin writes the snapshot of op's plan and returns its reference. kind is
// KindConfigMap or KindSecret.
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
	for i := range parts {
		chunk := data[i*PartSize : min(len(data), (i+1)*PartSize)]
		obj := newObject(op, ref, i, chunk)
		err := c.Create(ctx, obj, client.FieldOwner(syncv1alpha1.FieldManager))
		if apierrors.IsAlreadyExists(err) {
			existing, err := adopt(ctx, c, op, ref, i)
			if err != nil {
				return nil, err
			}
			if i == 0 && existing != nil {
				return existing, nil // pinned before: keep what was pinned first
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("create snapshot %s %s/%s: %w", kind, op.Namespace, partName(ref.Name, i), err)
		}
	}
	return ref, nil
}

// adopt checks that an existing part belongs to op; for the first part it
// returns the reference recorded on it.
func adopt(ctx context.Context, c client.Reader, op *syncv1alpha1.SyncOperation, ref *syncv1alpha1.SnapshotRef, i int) (*syncv1alpha1.SnapshotRef, error) {
	obj, err := get(ctx, c, op.Namespace, ref.Kind, partName(ref.Name, i))
	if err != nil {
		return nil, err
	}
	if !ownedBy(obj, op) {
		return nil, fmt.Errorf("snapshot %s %s/%s exists and is not owned by this operation", ref.Kind, op.Namespace, obj.GetName())
	}
	if i != 0 {
		return nil, nil
	}
	prev := *ref
	prev.Digest = obj.GetAnnotations()[AnnotationDigest]
	if n, err := fmt.Sscan(obj.GetAnnotations()[annotationParts], &prev.Parts); n != 1 || err != nil {
		return nil, fmt.Errorf("snapshot %s %s/%s has no part count", ref.Kind, op.Namespace, obj.GetName())
	}
	return &prev, nil
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

func ownedBy(obj client.Object, op *syncv1alpha1.SyncOperation) bool {
	for _, o := range obj.GetOwnerReferences() {
		if o.UID == op.UID {
			return true
		}
	}
	return false
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
			return nil, fmt.Errorf("snapshot %s %s/%s has digest %q, status names %q", ref.Kind, namespace, obj.GetName(), d, ref.Digest)
		}
		switch o := obj.(type) {
		case *corev1.ConfigMap:
			data = append(data, o.BinaryData[Key]...)
		case *corev1.Secret:
			data = append(data, o.Data[Key]...)
		}
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
