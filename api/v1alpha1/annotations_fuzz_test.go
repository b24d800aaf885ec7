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

package v1alpha1_test

import (
	"strings"
	"testing"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// FuzzParseSyncOptions: any comma list (as the sync-options annotation
// and spec.syncOptions give it) is split into Name=value pairs or reported
// as bad items; nothing is lost, and names and values come back trimmed.
func FuzzParseSyncOptions(f *testing.F) {
	for _, s := range []string{
		"Prune=false,ServerSideApply=true",
		"SkipDryRunOnMissingResource=true, Replace=true ,Validate=false",
		"CreateNamespace",
		"=true,,  ,A==B,B=",
		"Prune=false,Prune=true",
		"\tName\u00a0=\u2028value",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		items := strings.Split(list, ",")
		opts, bad := syncv1alpha1.ParseSyncOptions(items)
		if opts == nil {
			t.Fatal("nil map")
		}
		nonEmpty := 0
		for _, it := range items {
			if strings.TrimSpace(it) != "" {
				nonEmpty++
			}
		}
		if len(bad) > nonEmpty || (nonEmpty > 0 && len(opts)+len(bad) == 0) {
			t.Fatalf("%d items gave %d options and %d bad ones", nonEmpty, len(opts), len(bad))
		}
		for k, v := range opts {
			if k == "" || k != strings.TrimSpace(k) || v != strings.TrimSpace(v) {
				t.Fatalf("option %q=%q is not trimmed or has no name", k, v)
			}
			if !strings.Contains(list, k) {
				t.Fatalf("option name %q is not in the input", k)
			}
		}
		for _, b := range bad {
			if k, _, ok := strings.Cut(b, "="); ok && strings.TrimSpace(k) != "" {
				t.Fatalf("item %q is well formed but reported bad", b)
			}
		}
		again, badAgain := syncv1alpha1.ParseSyncOptions(items)
		if len(again) != len(opts) || len(badAgain) != len(bad) {
			t.Fatal("a second parse differs")
		}
	})
}
