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

package cluster

import (
	"context"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// BulkApply server-side applies every object into ns (field manager
// "bulk", forcing conflicts), 16 at a time and in no order, and returns how
// long it took: the floor the benchmarks measure an orchestrated apply
// against. A failed apply fails tb.
func BulkApply(tb testing.TB, cl client.Client, ns string, objs []*unstructured.Unstructured, opts ...client.ApplyOption) time.Duration {
	tb.Helper()
	opts = append(opts, client.FieldOwner("bulk"), client.ForceOwnership)
	start := time.Now()
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for _, o := range objs {
		u := o.DeepCopy()
		u.SetNamespace(ns)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := cl.Apply(context.Background(), client.ApplyConfigurationFromUnstructured(u), opts...); err != nil {
				tb.Error(err)
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// CheckedApply is what SPEC §5 asks before the first write, done the
// obvious way: a bulk server-side dry-run of every object, then the bulk
// apply.
func CheckedApply(tb testing.TB, cl client.Client, ns string, objs []*unstructured.Unstructured) time.Duration {
	tb.Helper()
	return BulkApply(tb, cl, ns, objs, client.DryRunAll) + BulkApply(tb, cl, ns, objs)
}
