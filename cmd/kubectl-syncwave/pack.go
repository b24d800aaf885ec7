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

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// packConfigMaps distributes the documents over as few ConfigMaps as the
// size bound allows, in order. Each document is one data key; the keys are
// zero-padded indexes, so reading every key of each ConfigMap in sorted
// order, ConfigMap after ConfigMap, gives the documents back in order.
func packConfigMaps(name, namespace string, docs []document, limit int) ([]*corev1.ConfigMap, error) {
	width := max(4, len(strconv.Itoa(len(docs)-1)))
	var cms []*corev1.ConfigMap
	var cur *corev1.ConfigMap
	size := 0
	for i, d := range docs {
		ext := ".yaml"
		if bytes.HasPrefix(bytes.TrimSpace(d.data), []byte("{")) {
			ext = ".json"
		}
		key := fmt.Sprintf("%0*d%s", width, i, ext)
		n := len(key) + len(d.data)
		if n > limit {
			return nil, fmt.Errorf("%s: %d bytes is more than a ConfigMap holds (%d)", d.source, len(d.data), limit)
		}
		if cur == nil || size+n > limit {
			cur = &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{
					Name:      fmt.Sprintf("%s-manifests-%d", name, len(cms)),
					Namespace: namespace,
					Labels:    map[string]string{"app.kubernetes.io/managed-by": "kubectl-syncwave"},
				},
				Data: map[string]string{},
			}
			cms = append(cms, cur)
			size = 0
		}
		cur.Data[key] = string(d.data)
		size += n
	}
	if len(cms) > maxSources {
		return nil, fmt.Errorf("the manifests need %d ConfigMaps; a SyncOperation references at most %d", len(cms), maxSources)
	}
	return cms, nil
}

// holders are the objects that hold the packed documents: the ConfigMaps,
// or, with secret (create --secret), Secrets of the same names and data,
// for manifests whose values only those who may read Secrets should read.
func holders(cms []*corev1.ConfigMap, secret bool) []client.Object {
	out := make([]client.Object, 0, len(cms))
	for _, cm := range cms {
		if !secret {
			out = append(out, cm)
			continue
		}
		s := &corev1.Secret{ObjectMeta: cm.ObjectMeta, Type: corev1.SecretTypeOpaque, Data: make(map[string][]byte, len(cm.Data))}
		for k, v := range cm.Data {
			s.Data[k] = []byte(v)
		}
		out = append(out, s)
	}
	return out
}

// holderKind is "Secret" or "ConfigMap".
func holderKind(obj client.Object) string {
	if _, ok := obj.(*corev1.Secret); ok {
		return "Secret"
	}
	return "ConfigMap"
}

// emptyLike returns an empty object of obj's type, to read into.
func emptyLike(obj client.Object) client.Object {
	if _, ok := obj.(*corev1.Secret); ok {
		return &corev1.Secret{}
	}
	return &corev1.ConfigMap{}
}

// replaceLeftover replaces the existing object of h's name (a ConfigMap or
// a Secret) when it holds the manifests of an earlier SyncOperation of the
// same name, which
// is gone (createOperation checked that none of that name exists) and
// whose garbage the collector has not removed yet: a CI job that deletes
// its operation and creates it again. Any other object of the name is
// left alone, and the AlreadyExists error stands.
func replaceLeftover(ctx context.Context, c client.Client, h client.Object, opName string) error {
	old := emptyLike(h)
	if err := c.Get(ctx, client.ObjectKeyFromObject(h), old); err != nil {
		return err
	}
	if !syncv1alpha1.OwnedByOperationNamed(old.GetOwnerReferences(), opName) {
		return apierrors.NewAlreadyExists(corev1.Resource(strings.ToLower(holderKind(h))+"s"), h.GetName())
	}
	uid := old.GetUID()
	if err := c.Delete(ctx, old, client.Preconditions{UID: &uid}); client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("delete the leftover of an earlier SyncOperation %s: %w", opName, err)
	}
	return c.Create(ctx, h)
}

// createOperation creates the ConfigMaps (Secrets with --secret), then the SyncOperation (so the
// controller finds its sources at once), then makes the operation the
// owner of each of them so that they are deleted with it. When the
// operation cannot be created, it deletes them again.
func createOperation(ctx context.Context, c client.Client, namespace, name string, docs []document, o *createOptions) (*syncv1alpha1.SyncOperation, error) {
	// A SyncOperation runs once: say so before packing, rather than fail
	// on its ConfigMap, whose name comes from it.
	switch err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &syncv1alpha1.SyncOperation{}); {
	case err == nil:
		return nil, fmt.Errorf("SyncOperation %s/%s already exists: an operation runs once; create the next one under a new name: %w", namespace, name,
			apierrors.NewAlreadyExists(syncv1alpha1.GroupVersion.WithResource("syncoperations").GroupResource(), name))
	case !apierrors.IsNotFound(err):
		return nil, fmt.Errorf("read SyncOperation %s/%s: %w", namespace, name, err)
	}
	var cms []*corev1.ConfigMap
	if len(docs) > 0 {
		var err error
		if cms, err = packConfigMaps(name, namespace, docs, maxConfigMapData); err != nil {
			return nil, err
		}
	}
	hs := holders(cms, o.secret)
	var created []client.Object
	cleanup := func(err error) error {
		for _, h := range created {
			if derr := client.IgnoreNotFound(c.Delete(ctx, h)); derr != nil {
				err = errors.Join(err, fmt.Errorf("delete %s %s/%s: %w", holderKind(h), h.GetNamespace(), h.GetName(), derr))
			}
		}
		return err
	}
	for _, h := range hs {
		err := c.Create(ctx, h)
		if apierrors.IsAlreadyExists(err) {
			err = replaceLeftover(ctx, c, h, name)
		}
		if err != nil {
			return nil, cleanup(fmt.Errorf("create %s %s/%s: %w", holderKind(h), namespace, h.GetName(), err))
		}
		created = append(created, h)
	}
	op := newOperation(name, namespace, hs, o)
	if err := c.Create(ctx, op); err != nil {
		return nil, cleanup(fmt.Errorf("create SyncOperation %s/%s: %w", namespace, name, err))
	}
	owner := metav1.OwnerReference{
		APIVersion: syncv1alpha1.GroupVersion.String(),
		Kind:       "SyncOperation",
		Name:       op.Name,
		UID:        op.UID,
	}
	for _, h := range hs {
		patch := client.MergeFrom(h.DeepCopyObject().(client.Object))
		h.SetOwnerReferences(append(h.GetOwnerReferences(), owner))
		if err := c.Patch(ctx, h, patch); err != nil {
			return op, fmt.Errorf("set the owner of %s %s: %w", holderKind(h), types.NamespacedName{Namespace: namespace, Name: h.GetName()}, err)
		}
	}
	return op, nil
}
