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

package plan

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// This file reads the metadata and annotations of one manifest. Every reader
// refuses values it cannot interpret instead of guessing (Argo CD silently
// uses wave 0 for "abc"; a typo in a hook type makes an object a plain
// resource): the caller turns the returned messages into FieldErrors.

// annotationField is the field path of an annotation, as FieldError shows it.
func annotationField(key string) string {
	return "metadata.annotations[" + key + "]"
}

// jsonType names the JSON type of a decoded value for messages.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64, int32, int, float64, float32:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	default:
		return fmt.Sprintf("a %T", v)
	}
}

// parseWave parses a wave annotation value: an integer in the int32 range.
func parseWave(value string) (int32, error) {
	v := strings.TrimSpace(value)
	n, err := strconv.ParseInt(v, 10, 32)
	if err == nil {
		return int32(n), nil
	}
	if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("wave %q is out of range: waves are 32-bit integers (%d to %d)", value, int32(-1<<31), int32(1<<31-1))
	}
	return 0, fmt.Errorf("wave %q is not an integer", value)
}

// splitList splits a comma list, trimming spaces and dropping empty items.
func splitList(value string) []string {
	var out []string
	for item := range strings.SplitSeq(value, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// hookTypeOrder is the canonical order of hook types in Hook.Types.
var hookTypeOrder = []syncv1alpha1.HookType{
	syncv1alpha1.HookTypePreSync,
	syncv1alpha1.HookTypeSync,
	syncv1alpha1.HookTypePostSync,
	syncv1alpha1.HookTypeSyncFail,
	syncv1alpha1.HookTypePreDelete,
	syncv1alpha1.HookTypePostDelete,
	syncv1alpha1.HookTypeSkip,
}

// parseArgoHook parses argocd.argoproj.io/hook. Types come back in
// canonical order, without duplicates.
func parseArgoHook(value string) ([]syncv1alpha1.HookType, error) {
	items := splitList(value)
	if len(items) == 0 {
		return nil, fmt.Errorf("no hook type in %q: list PreSync, Sync, PostSync, SyncFail, PreDelete, PostDelete or Skip, or remove the annotation", value)
	}
	seen := map[syncv1alpha1.HookType]bool{}
	var unknown []string
	for _, it := range items {
		t := syncv1alpha1.HookType(it)
		if !slices.Contains(hookTypeOrder, t) {
			unknown = append(unknown, strconv.Quote(it))
			continue
		}
		seen[t] = true
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown hook type %s (valid: PreSync, Sync, PostSync, SyncFail, PreDelete, PostDelete, Skip)", strings.Join(unknown, ", "))
	}
	if seen[syncv1alpha1.HookTypeSkip] && len(seen) > 1 {
		return nil, fmt.Errorf("hook type Skip cannot be combined with other types in %q: a skipped object is never applied", value)
	}
	return canonicalTypes(seen), nil
}

func canonicalTypes(seen map[syncv1alpha1.HookType]bool) []syncv1alpha1.HookType {
	var out []syncv1alpha1.HookType
	for _, t := range hookTypeOrder {
		if seen[t] {
			out = append(out, t)
		}
	}
	return out
}

// helmHookTypes maps the Helm hook events that a sync or a teardown runs;
// every other event (post-rollback, test, ...) has no equivalent.
var helmHookTypes = map[string]syncv1alpha1.HookType{
	"pre-install":  syncv1alpha1.HookTypePreSync,
	"pre-upgrade":  syncv1alpha1.HookTypePreSync,
	"post-install": syncv1alpha1.HookTypePostSync,
	"post-upgrade": syncv1alpha1.HookTypePostSync,
	"pre-delete":   syncv1alpha1.HookTypePreDelete,
	"post-delete":  syncv1alpha1.HookTypePostDelete,
}

// helmCRDInstall is Helm 2's mark on the CRDs of a chart. It is no hook
// event: as in Argo CD, the object is a plain resource (a CRD, which the
// plan moves ahead of its custom resources).
const helmCRDInstall = "crd-install"

// parseHelmHook parses helm.sh/hook. It returns the mapped types and the
// events that were ignored (crd-install is neither).
func parseHelmHook(value string) (types []syncv1alpha1.HookType, ignored []string) {
	seen := map[syncv1alpha1.HookType]bool{}
	for _, it := range splitList(value) {
		if t, ok := helmHookTypes[it]; ok {
			seen[t] = true
		} else if it != helmCRDInstall {
			ignored = append(ignored, it)
		}
	}
	return canonicalTypes(seen), ignored
}

// policyOrder is the canonical order of delete policies in Hook.DeletePolicies.
var policyOrder = []syncv1alpha1.HookDeletePolicy{
	syncv1alpha1.HookDeletePolicyBeforeHookCreation,
	syncv1alpha1.HookDeletePolicyHookSucceeded,
	syncv1alpha1.HookDeletePolicyHookFailed,
}

// helmPolicies maps Helm's delete policies to ours.
var helmPolicies = map[string]syncv1alpha1.HookDeletePolicy{
	"before-hook-creation": syncv1alpha1.HookDeletePolicyBeforeHookCreation,
	"hook-succeeded":       syncv1alpha1.HookDeletePolicyHookSucceeded,
	"hook-failed":          syncv1alpha1.HookDeletePolicyHookFailed,
}

// parsePolicies parses a delete policy list; helm selects Helm's spelling.
func parsePolicies(value string, helm bool) ([]syncv1alpha1.HookDeletePolicy, error) {
	items := splitList(value)
	if len(items) == 0 {
		return nil, fmt.Errorf("no delete policy in %q", value)
	}
	seen := map[syncv1alpha1.HookDeletePolicy]bool{}
	var unknown []string
	for _, it := range items {
		var p syncv1alpha1.HookDeletePolicy
		if helm {
			p = helmPolicies[it]
		} else if slices.Contains(policyOrder, syncv1alpha1.HookDeletePolicy(it)) {
			p = syncv1alpha1.HookDeletePolicy(it)
		}
		if p == "" {
			unknown = append(unknown, strconv.Quote(it))
			continue
		}
		seen[p] = true
	}
	if len(unknown) > 0 {
		valid := "BeforeHookCreation, HookSucceeded, HookFailed"
		if helm {
			valid = "before-hook-creation, hook-succeeded, hook-failed"
		}
		return nil, fmt.Errorf("unknown delete policy %s (valid: %s)", strings.Join(unknown, ", "), valid)
	}
	var out []syncv1alpha1.HookDeletePolicy
	for _, p := range policyOrder {
		if seen[p] {
			out = append(out, p)
		}
	}
	return out, nil
}

// parseOptionList parses a sync-options value ("A=true,B=false").
func parseOptionList(items []string) (map[string]string, error) {
	opts, bad := syncv1alpha1.ParseSyncOptions(items)
	if len(bad) > 0 {
		q := make([]string, len(bad))
		for i, b := range bad {
			q[i] = strconv.Quote(b)
		}
		return nil, fmt.Errorf("sync option %s is not of the form Name=value", strings.Join(q, ", "))
	}
	if v, ok := opts[syncv1alpha1.SyncOptionPrunePropagationPolicy]; ok && !slices.Contains([]string{"foreground", "background", "orphan"}, v) {
		return nil, fmt.Errorf("sync option %s=%s: the value must be foreground, background or orphan", syncv1alpha1.SyncOptionPrunePropagationPolicy, v)
	}
	return opts, nil
}
