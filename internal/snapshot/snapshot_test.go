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

package snapshot_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
	"github.com/syncwave/syncwave/internal/snapshot"
)

func bigPlan(t *testing.T, n int) *plan.Plan {
	t.Helper()
	var objs []*unstructured.Unstructured
	for i := range n {
		objs = append(objs, &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": fmt.Sprintf("cm-%05d", i),
				"annotations": map[string]any{syncv1alpha1.AnnotationSyncWave: fmt.Sprint(i % 20)}},
			"data": map[string]any{"k": fmt.Sprintf("value-%d-%x", i, i*7919)}}})
	}
	p, err := plan.Build(objs, plan.Options{DefaultNamespace: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPinAndLoad(t *testing.T) {
	for _, kind := range []string{snapshot.KindConfigMap, snapshot.KindSecret} {
		t.Run(kind, func(t *testing.T) {
			g := NewWithT(t)
			old := snapshot.PartSize
			snapshot.PartSize = 16 << 10 // force several parts
			t.Cleanup(func() { snapshot.PartSize = old })
			c := fake.NewClientBuilder().Build()
			op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "u1"}}
			p := bigPlan(t, 2000)

			ref, err := snapshot.Pin(context.Background(), c, op, p, "sha256:one", kind)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(ref.Parts).To(BeNumerically(">", 1))
			g.Expect(ref.Name).To(Equal("op-plan"))
			back, err := snapshot.Load(context.Background(), c, "prod", ref)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(equality.Semantic.DeepEqual(p, back)).To(BeTrue())

			// Pinning again (a lost status write) keeps what was pinned first.
			again, err := snapshot.Pin(context.Background(), c, op, bigPlan(t, 3), "sha256:two", kind)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(again).To(Equal(ref))

			// An operation created again under the name (the first one was
			// deleted, its snapshot not yet collected) replaces it rather
			// than adopt it or stall.
			other := op.DeepCopy()
			other.UID = "u2"
			small := bigPlan(t, 3)
			mine, err := snapshot.Pin(context.Background(), c, other, small, "sha256:three", kind)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(mine.Digest).To(Equal("sha256:three"))
			back, err = snapshot.Load(context.Background(), c, "prod", mine)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(equality.Semantic.DeepEqual(small, back)).To(BeTrue())

			// A digest that does not match is refused.
			bad := *mine
			bad.Digest = "sha256:else"
			_, err = snapshot.Load(context.Background(), c, "prod", &bad)
			g.Expect(err).To(MatchError(ContainSubstring("has digest")))
		})
	}
}

func TestPinnedObjectsAreImmutableAndOwned(t *testing.T) {
	g := NewWithT(t)
	c := fake.NewClientBuilder().Build()
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "u1"}}
	ref, err := snapshot.Pin(context.Background(), c, op, bigPlan(t, 10), "sha256:x", snapshot.KindConfigMap)
	g.Expect(err).NotTo(HaveOccurred())
	cm := &corev1.ConfigMap{}
	g.Expect(c.Get(context.Background(), client.ObjectKey{Namespace: "prod", Name: ref.Name}, cm)).To(Succeed())
	g.Expect(*cm.Immutable).To(BeTrue())
	g.Expect(cm.OwnerReferences).To(HaveLen(1))
	g.Expect(cm.OwnerReferences[0].UID).To(BeEquivalentTo("u1"))
	g.Expect(cm.BinaryData).To(HaveKey(snapshot.Key))
}

func TestDecodeRefusesGarbage(t *testing.T) {
	g := NewWithT(t)
	_, err := snapshot.Decode([]byte("not gzip"))
	g.Expect(err).To(MatchError(ContainSubstring("decompress plan")))
}

// failingOnce fails the first create of the named object.
func failingOnce(name string) interceptor.Funcs {
	failed := false
	return interceptor.Funcs{Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
		if obj.GetName() == name && !failed {
			failed = true
			return apierrors.NewInternalError(errors.New("etcd timeout"))
		}
		return c.Create(ctx, obj, opts...)
	}}
}

// TestPinAfterAFailedPin: a Pin that failed half-way (a part's create
// refused, a crash) leaves parts but no first part; the next Pin, of the
// same or of other manifests, writes a snapshot that reads back whole.
func TestPinAfterAFailedPin(t *testing.T) {
	old := snapshot.PartSize
	snapshot.PartSize = 16 << 10
	t.Cleanup(func() { snapshot.PartSize = old })
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "u1"}}
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		again *plan.Plan
	}{
		{"the same plan", bigPlan(t, 2000)},
		{"other manifests", bigPlan(t, 2500)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			c := fake.NewClientBuilder().WithInterceptorFuncs(failingOnce("op-plan-1")).Build()
			_, err := snapshot.Pin(ctx, c, op, bigPlan(t, 2000), "sha256:one", snapshot.KindConfigMap)
			g.Expect(err).To(MatchError(ContainSubstring("etcd timeout")))
			g.Expect(c.Get(ctx, client.ObjectKey{Namespace: "prod", Name: "op-plan"}, &corev1.ConfigMap{})).
				NotTo(Succeed(), "the first part is written last")

			ref, err := snapshot.Pin(ctx, c, op, tc.again, "sha256:two", snapshot.KindConfigMap)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(ref.Digest).To(Equal("sha256:two"))
			back, err := snapshot.Load(ctx, c, "prod", ref)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(equality.Semantic.DeepEqual(tc.again, back)).To(BeTrue())
		})
	}

	t.Run("a first part without its other parts", func(t *testing.T) {
		g := NewWithT(t)
		c := fake.NewClientBuilder().Build()
		ref, err := snapshot.Pin(ctx, c, op, bigPlan(t, 2000), "sha256:one", snapshot.KindConfigMap)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(c.Delete(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "prod", Name: ref.Name + "-1"}})).To(Succeed())
		small := bigPlan(t, 3)
		ref, err = snapshot.Pin(ctx, c, op, small, "sha256:two", snapshot.KindConfigMap)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(ref.Digest).To(Equal("sha256:two"), "an incomplete snapshot is not adopted")
		back, err := snapshot.Load(ctx, c, "prod", ref)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(equality.Semantic.DeepEqual(small, back)).To(BeTrue())
	})

	t.Run("an earlier snapshot of fewer parts is kept", func(t *testing.T) {
		g := NewWithT(t)
		c := fake.NewClientBuilder().Build()
		first, err := snapshot.Pin(ctx, c, op, bigPlan(t, 3), "sha256:one", snapshot.KindConfigMap)
		g.Expect(err).NotTo(HaveOccurred())
		again, err := snapshot.Pin(ctx, c, op, bigPlan(t, 2000), "sha256:two", snapshot.KindConfigMap)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(again).To(Equal(first))
		_, err = snapshot.Load(ctx, c, "prod", again)
		g.Expect(err).NotTo(HaveOccurred())
	})
}

// TestCorruptSnapshots: what cannot be read back is ErrCorrupt (the
// controller fails the operation with it instead of retrying forever), and
// a plan that could not be read back is not pinned.
func TestCorruptSnapshots(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	c := fake.NewClientBuilder().Build()
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "u1"}}
	ref, err := snapshot.Pin(ctx, c, op, bigPlan(t, 10), "sha256:x", snapshot.KindConfigMap)
	g.Expect(err).NotTo(HaveOccurred())

	edited := *ref
	edited.Digest = "sha256:y"
	_, err = snapshot.Load(ctx, c, "prod", &edited)
	g.Expect(err).To(MatchError(snapshot.ErrCorrupt))
	_, err = snapshot.Decode([]byte("not gzip"))
	g.Expect(err).To(MatchError(snapshot.ErrCorrupt))
	_, err = snapshot.Load(ctx, c, "prod", &syncv1alpha1.SnapshotRef{Kind: ref.Kind, Name: "gone", Parts: 1, Digest: "sha256:x"})
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "a deleted snapshot is NotFound, not corrupt: %v", err)

	old := snapshot.MaxPlanSize
	snapshot.MaxPlanSize = 1 << 10
	t.Cleanup(func() { snapshot.MaxPlanSize = old })
	_, err = snapshot.Pin(ctx, c, &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "big", Namespace: "prod", UID: "u2"}},
		bigPlan(t, 100), "sha256:z", snapshot.KindConfigMap)
	g.Expect(err).To(MatchError(snapshot.ErrTooLarge))
}

// TestFind tells an operation that pinned a plan, in either kind, from one
// that did not, or whose name another operation's snapshot has.
func TestFind(t *testing.T) {
	for _, kind := range []string{snapshot.KindConfigMap, snapshot.KindSecret} {
		t.Run(kind, func(t *testing.T) {
			g := NewWithT(t)
			c := fake.NewClientBuilder().Build()
			op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "u1"}}
			ref, err := snapshot.Find(context.Background(), c, op)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(ref).To(BeNil(), "nothing pinned")

			pinned, err := snapshot.Pin(context.Background(), c, op, bigPlan(t, 10), "sha256:x", kind)
			g.Expect(err).NotTo(HaveOccurred())
			ref, err = snapshot.Find(context.Background(), c, op)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(ref).To(Equal(pinned))

			other := op.DeepCopy()
			other.UID = "u2"
			ref, err = snapshot.Find(context.Background(), c, other)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(ref).To(BeNil(), "an earlier operation's of the same name")
		})
	}
}

// TestPinRefusesSomeoneElsesObject: an object of the snapshot's name that
// no SyncOperation of that name owns is a *snapshot.ForeignError naming
// it, and is left as it is.
func TestPinRefusesSomeoneElsesObject(t *testing.T) {
	g := NewWithT(t)
	theirs := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "web-plan", Namespace: "prod"}, Data: map[string]string{"k": "v"}}
	c := fake.NewClientBuilder().WithObjects(theirs).Build()
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "prod", UID: "u1"}}
	_, err := snapshot.Pin(context.Background(), c, op, bigPlan(t, 3), "sha256:x", snapshot.KindConfigMap)
	var foreign *snapshot.ForeignError
	g.Expect(errors.As(err, &foreign)).To(BeTrue(), "%v", err)
	g.Expect(err.Error()).To(Equal("ConfigMap prod/web-plan exists and is not this operation's: the operation pins its plan under that name; " +
		"rename or delete that ConfigMap, or create the operation under another name"))
	left := &corev1.ConfigMap{}
	g.Expect(c.Get(context.Background(), client.ObjectKeyFromObject(theirs), left)).To(Succeed())
	g.Expect(left.Data).To(Equal(map[string]string{"k": "v"}))
}

// TestPinReplacesAnEarlierOperationsPlan: the several parts of an earlier
// operation of the same name are replaced, also after a Pin of the new one
// failed half-way among them.
func TestPinReplacesAnEarlierOperationsPlan(t *testing.T) {
	g := NewWithT(t)
	old := snapshot.PartSize
	snapshot.PartSize = 16 << 10
	t.Cleanup(func() { snapshot.PartSize = old })
	ctx := context.Background()
	c := fake.NewClientBuilder().Build()
	first := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: "prod", UID: "u0"}}
	ref, err := snapshot.Pin(ctx, c, first, bigPlan(t, 5000), "sha256:zero", snapshot.KindConfigMap)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ref.Parts).To(BeNumerically(">", 3))

	second := first.DeepCopy()
	second.UID = "u1"
	// The new operation's first Pin fails at its part 1, after it
	// replaced the later parts; the next Pin is of other manifests (its
	// parts hold other bytes).
	_, err = snapshot.Pin(ctx, interceptor.NewClient(c, failingOnce("op-plan-1")), second, bigPlan(t, 4500), "sha256:one", snapshot.KindConfigMap)
	g.Expect(err).To(MatchError(ContainSubstring("etcd timeout")))
	p := bigPlan(t, 4600)
	mine, err := snapshot.Pin(ctx, c, second, p, "sha256:two", snapshot.KindConfigMap)
	g.Expect(err).NotTo(HaveOccurred())
	back, err := snapshot.Load(ctx, c, "prod", mine)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(equality.Semantic.DeepEqual(p, back)).To(BeTrue())
	for i := range int(mine.Parts) {
		name := "op-plan"
		if i > 0 {
			name = fmt.Sprintf("op-plan-%d", i)
		}
		cm := &corev1.ConfigMap{}
		g.Expect(c.Get(ctx, client.ObjectKey{Namespace: "prod", Name: name}, cm)).To(Succeed())
		g.Expect(cm.OwnerReferences).To(ConsistOf(HaveField("UID", second.UID)), name)
	}
}
