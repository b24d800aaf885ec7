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

package controller

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// +kubebuilder:rbac:groups=apiextensions.k8s.io,resources=customresourcedefinitions,verbs=get;list;watch

var crdGVK = schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}

// CRDStatus tells whether the CRD of a kind declares the status subresource,
// so that a custom resource whose controller has not written status yet is
// not taken for Healthy (SPEC §7). Answers are kept per CRD and
// resourceVersion: Metadata (a metadata-only informer, cheap whatever the
// size of the CRDs' schemas) says which version of a CRD is current, and the
// whole CRD is read through Reader only when that changes.
type CRDStatus struct {
	// Metadata reads CRDs as metav1.PartialObjectMetadata (the manager's
	// cache).
	Metadata client.Reader
	// Reader reads whole CRDs (uncached).
	Reader client.Reader
	// Mapper finds the CRD's name (<plural>.<group>) of a kind.
	Mapper meta.RESTMapper
	// MaxAge, when positive, is how long an answer is used without asking
	// Metadata again: for a Metadata that is not a cache (a remote
	// cluster's client), where each question would be a request.
	MaxAge time.Duration
	// now is the clock of MaxAge (time.Now when nil).
	now func() time.Time

	mu      sync.Mutex
	entries map[string]crdEntry
}

// crdEntry is what one resourceVersion of a CRD says. An empty
// resourceVersion stands for a CRD that does not exist.
type crdEntry struct {
	resourceVersion string
	// status holds, per served version, whether it has the status
	// subresource.
	status map[string]bool
	// at is when the entry was last confirmed.
	at time.Time
}

// HasStatusSubresource tells whether the CRD of gvk declares the status
// subresource for gvk's version. A kind that no CRD defines (a built-in or
// aggregated API), or one that cannot be looked up, has none: the lookup
// never makes a step wait by itself.
func (c *CRDStatus) HasStatusSubresource(ctx context.Context, gvk schema.GroupVersionKind) bool {
	// A CRD's group has a dot; the built-in groups without one need no look.
	if c == nil || !strings.Contains(gvk.Group, ".") {
		return false
	}
	m, err := c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return false
	}
	name := m.Resource.Resource + "." + gvk.Group
	e, err := c.entry(ctx, name)
	if err != nil {
		ctrl.LoggerFrom(ctx).V(1).Info("cannot tell whether the CRD declares a status subresource", "crd", name, "error", err.Error())
		return false
	}
	if has, ok := e.status[gvk.Version]; ok {
		return has
	}
	return false
}

// entry returns what the current version of CRD name says.
func (c *CRDStatus) entry(ctx context.Context, name string) (crdEntry, error) {
	now := time.Now
	if c.now != nil {
		now = c.now
	}
	if c.MaxAge > 0 {
		c.mu.Lock()
		e, ok := c.entries[name]
		c.mu.Unlock()
		if ok && now().Sub(e.at) < c.MaxAge {
			return e, nil
		}
	}
	pom := &metav1.PartialObjectMetadata{}
	pom.SetGroupVersionKind(crdGVK)
	rv := ""
	switch err := c.Metadata.Get(ctx, client.ObjectKey{Name: name}, pom); {
	case err == nil:
		rv = pom.ResourceVersion
	case apierrors.IsNotFound(err):
	default:
		return crdEntry{}, fmt.Errorf("read CustomResourceDefinition %s: %w", name, err)
	}
	c.mu.Lock()
	e, ok := c.entries[name]
	if ok && e.resourceVersion == rv {
		e.at = now()
		c.entries[name] = e
		c.mu.Unlock()
		return e, nil
	}
	c.mu.Unlock()
	// The informer may lag behind a CRD created a moment ago, so a CRD it
	// does not know yet is read too.
	e, err := c.read(ctx, name)
	if err != nil {
		return crdEntry{}, err
	}
	if rv != "" {
		e.resourceVersion = rv
	}
	e.at = now()
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]crdEntry{}
	}
	c.entries[name] = e
	c.mu.Unlock()
	return e, nil
}

// read reads the whole CRD name.
func (c *CRDStatus) read(ctx context.Context, name string) (crdEntry, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(crdGVK)
	if err := c.Reader.Get(ctx, client.ObjectKey{Name: name}, u); err != nil {
		if apierrors.IsNotFound(err) {
			return crdEntry{}, nil
		}
		return crdEntry{}, fmt.Errorf("read CustomResourceDefinition %s: %w", name, err)
	}
	e := crdEntry{resourceVersion: u.GetResourceVersion(), status: map[string]bool{}}
	versions, _, err := unstructured.NestedSlice(u.Object, "spec", "versions")
	if err != nil {
		return crdEntry{}, fmt.Errorf("read CustomResourceDefinition %s: spec.versions: %w", name, err)
	}
	for _, v := range versions {
		vm, ok := v.(map[string]any)
		if !ok {
			continue
		}
		n, _, _ := unstructured.NestedString(vm, "name")
		_, has, _ := unstructured.NestedFieldNoCopy(vm, "subresources", "status")
		e.status[n] = has
	}
	return e, nil
}

// StatusWait configures the wait for the first status write of custom
// resources whose CRD declares a status subresource (SPEC §7).
type StatusWait struct {
	// CRDs answers whether a CRD declares the status subresource; nil
	// never waits.
	CRDs *CRDStatus
	// Grace is the longest wait (--status-grace); zero means
	// health.DefaultStatusGrace, health.NoStatusGrace none.
	Grace time.Duration
}
