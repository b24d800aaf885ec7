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

package plan_test

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

// annotated is the input of FuzzAnnotations: the values of every
// annotation the planner reads, put on a hook Job (named or generateName'd)
// next to a plain ConfigMap.
type annotated struct {
	wave, hook, policy, options, helmHook, helmWeight, helmPolicy, specOptions string
	generateName                                                               bool
}

func (a annotated) objects() []*unstructured.Unstructured {
	ann := map[string]any{}
	for k, v := range map[string]string{
		syncv1alpha1.AnnotationSyncWave:             a.wave,
		syncv1alpha1.AnnotationHook:                 a.hook,
		syncv1alpha1.AnnotationHookDeletePolicy:     a.policy,
		syncv1alpha1.AnnotationSyncOptions:          a.options,
		syncv1alpha1.AnnotationHelmHook:             a.helmHook,
		syncv1alpha1.AnnotationHelmHookWeight:       a.helmWeight,
		syncv1alpha1.AnnotationHelmHookDeletePolicy: a.helmPolicy,
	} {
		if v != "" {
			ann[k] = v
		}
	}
	meta := map[string]any{"annotations": ann}
	if a.generateName {
		meta["generateName"] = "migrate-"
	} else {
		meta["name"] = "migrate"
	}
	job := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": meta,
		"spec": map[string]any{"activeDeadlineSeconds": int64(60), "backoffLimit": int64(0)}}}
	cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "config", "annotations": map[string]any{syncv1alpha1.AnnotationSyncWave: "-1"}}}}
	return []*unstructured.Unstructured{job, cm}
}

func (a annotated) build() (*plan.Plan, error) {
	var spec []string
	if a.specOptions != "" {
		spec = strings.Split(a.specOptions, ",")
	}
	return plan.Build(a.objects(), plan.Options{DefaultNamespace: "default", SyncOptions: spec})
}

// FuzzAnnotations: any values of the sync-wave, hook, delete-policy,
// sync-options and Helm annotations give a plan or field errors that name
// the object and the field, never a panic; an accepted wave is exactly the
// integer written; the same input gives the same plan.
func FuzzAnnotations(f *testing.F) {
	f.Add("-5", "PreSync", "BeforeHookCreation,HookSucceeded", "Prune=false", "", "", "", "ServerSideApply=true", false)
	f.Add("", "", "", "", "pre-install,post-upgrade", "10", "hook-succeeded", "", true)
	f.Add(" 2147483647 ", "Sync, PostSync", "HookFailed", "Replace=true,Validate=false", "test", "-3", "before-hook-creation", "", false)
	f.Add("2147483648", "Skip", "", "CreateNamespace", "pre-delete", "x", "bogus", "Prune", true)
	f.Add("1.5", "PreSync,Skip", ",", "=x", "", "", "", "=", false)
	f.Add("0x10", "presync", "Unknown", ",,", "", "", "", "", true)
	f.Fuzz(func(t *testing.T, wave, hook, policy, options, helmHook, helmWeight, helmPolicy, specOptions string, generateName bool) {
		// Objects reach Build decoded from JSON or YAML, which leaves only
		// valid UTF-8 (testdata/fuzz/FuzzAnnotations/f4d25de559127ea1:
		// an invalid byte changed on the first encoding of the plan).
		v := func(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
		wave, hook, policy, options = v(wave), v(hook), v(policy), v(options)
		helmHook, helmWeight, helmPolicy, specOptions = v(helmHook), v(helmWeight), v(helmPolicy), v(specOptions)
		a := annotated{wave, hook, policy, options, helmHook, helmWeight, helmPolicy, specOptions, generateName}
		p, err := a.build()
		if err != nil {
			checkValidationError(t, err)
			return
		}
		checkPlan(t, p)
		if wave != "" {
			want, perr := strconv.ParseInt(strings.TrimSpace(wave), 10, 32)
			if perr != nil {
				t.Fatalf("wave %q was accepted: %v", wave, perr)
			}
			for _, task := range tasks(p) {
				if task.ID.Kind == "Job" && task.Wave != int32(want) {
					t.Fatalf("wave %q gave wave %d", wave, task.Wave)
				}
			}
		}
		samePlan(t, p, a.build)
	})
}

// checkValidationError asserts that err is a non-empty *plan.ValidationError
// whose every entry says what is wrong (and, for an object, where).
func checkValidationError(t *testing.T, err error) {
	t.Helper()
	var ve *plan.ValidationError
	if !errors.As(err, &ve) || len(ve.Errs) == 0 {
		t.Fatalf("Build returned %T, want a non-empty *plan.ValidationError: %v", err, err)
	}
	for i := range ve.Errs {
		fe := &ve.Errs[i]
		if fe.Msg == "" || fe.Error() == "" {
			t.Fatalf("field error without a message: %+v", fe)
		}
		if strings.HasPrefix(fe.Field, "metadata.annotations") && fe.ID.Kind == "" {
			t.Fatalf("annotation error names no object: %v", fe)
		}
	}
}

func tasks(p *plan.Plan) []plan.Task {
	var out []plan.Task
	for _, steps := range [][]plan.Step{p.Steps, p.OnFail} {
		for _, s := range steps {
			out = append(out, s.Tasks...)
		}
	}
	return append(out, p.Skipped...)
}

// samePlan asserts that build gives p again, byte for byte once encoded,
// and that the encoding survives a round trip through plan.Unmarshal.
func samePlan(t *testing.T, p *plan.Plan, build func() (*plan.Plan, error)) {
	t.Helper()
	first, err := plan.Marshal(p)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	q, err := build()
	if err != nil {
		t.Fatalf("the second Build failed: %v", err)
	}
	second, err := plan.Marshal(q)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if !bytes.Equal(first, second) {
		t.Fatalf("two builds of the same input differ:\n%s\n%s", first, second)
	}
	decoded, err := plan.Unmarshal(first)
	if err != nil {
		t.Fatalf("Unmarshal of Marshal: %v", err)
	}
	third, err := plan.Marshal(decoded)
	if err != nil || !bytes.Equal(first, third) {
		t.Fatalf("Marshal(Unmarshal(Marshal(p))) differs (err %v):\n%s\n%s", err, first, third)
	}
}
