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

package manifest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manifest"
)

func configMap(name string, data map[string]string, binary map[string][]byte) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "prod", Name: name}, Data: data, BinaryData: binary}
}

func cmRef(name, key string) syncv1alpha1.ManifestSource {
	return syncv1alpha1.ManifestSource{ConfigMapRef: &syncv1alpha1.KeyReference{Name: name, Key: key}}
}

func operation(manifests []string, sources ...syncv1alpha1.ManifestSource) *syncv1alpha1.SyncOperation {
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: "prod", Name: "op"}}
	for _, m := range manifests {
		op.Spec.Manifests = append(op.Spec.Manifests, runtime.RawExtension{Raw: []byte(m)})
	}
	op.Spec.Sources = sources
	return op
}

const cmYAML = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\n"

func TestLoadReadsEverySourceInOrder(t *testing.T) {
	g := NewWithT(t)
	c := fake.NewClientBuilder().WithObjects(
		configMap("app", map[string]string{
			"b.yaml": fmt.Sprintf(cmYAML, "from-b") + "---\n" + fmt.Sprintf(cmYAML, "from-b2"),
			"a.yaml": fmt.Sprintf(cmYAML, "from-a"),
		}, map[string][]byte{"c.json": []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"from-c"}}`)}),
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "prod", Name: "secret"},
			Data: map[string][]byte{"s.yaml": []byte(fmt.Sprintf(cmYAML, "from-secret")), "other": []byte("ignored: true")}},
	).Build()
	op := operation(
		[]string{`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"inline"}}`},
		cmRef("app", ""),
		syncv1alpha1.ManifestSource{SecretRef: &syncv1alpha1.KeyReference{Name: "secret", Key: "s.yaml"}},
		cmRef("app", "a.yaml"),
	)
	res, err := manifest.Load(context.Background(), c, op)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Origins()).To(Equal([]string{
		"spec.manifests[0], document 0",
		`spec.sources[0] (ConfigMap prod/app key "a.yaml"), document 0`,
		`spec.sources[0] (ConfigMap prod/app key "b.yaml"), document 0`,
		`spec.sources[0] (ConfigMap prod/app key "b.yaml"), document 1`,
		`spec.sources[0] (ConfigMap prod/app key "c.json"), document 0`,
		`spec.sources[1] (Secret prod/secret key "s.yaml"), document 0`,
		`spec.sources[2] (ConfigMap prod/app key "a.yaml"), document 0`,
	}))
	var names []string
	for _, u := range res.Unstructured() {
		names = append(names, u.GetName())
	}
	g.Expect(names).To(Equal([]string{"inline", "from-a", "from-b", "from-b2", "from-c", "from-secret", "from-a"}))
	g.Expect(res.Digest).To(Equal(manifest.Digest(res.Objects)))

	again, err := manifest.Load(context.Background(), c, op)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(again.Digest).To(Equal(res.Digest), "the digest is stable")
}

func TestLoadInputErrors(t *testing.T) {
	c := fake.NewClientBuilder().WithObjects(
		configMap("app", map[string]string{"a.yaml": "kind: [", "b.yaml": fmt.Sprintf(cmYAML, "ok")}, nil),
	).Build()
	tests := []struct {
		name string
		op   *syncv1alpha1.SyncOperation
		want []string
	}{
		{
			name: "every bad source is reported",
			op: operation([]string{`"just a string"`, `null`},
				cmRef("missing", ""), cmRef("app", "nope.yaml"), cmRef("app", ""),
				syncv1alpha1.ManifestSource{}),
			want: []string{
				"spec.manifests[0]:1, document 0: not an object but a string: a manifest is a Kubernetes object with apiVersion, kind and metadata",
				"spec.manifests[1]: is empty",
				`spec.sources[0] (ConfigMap prod/missing): not found: configmaps "missing" not found`,
				`spec.sources[1] (ConfigMap prod/app): has no key "nope.yaml" (keys: a.yaml, b.yaml)`,
				`spec.sources[2] (ConfigMap prod/app key "a.yaml"):1, document 0: invalid YAML: did not find expected node content`,
				"spec.sources[3]: exactly one of configMapRef, secretRef and sourceRef must be set",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := manifest.Load(context.Background(), c, tt.op)
			g.Expect(err).To(HaveOccurred())
			var got []string
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				for _, leaf := range leaves(e) {
					var me *manifest.Error
					g.Expect(errors.As(leaf, &me)).To(BeTrue(), "%v is a *manifest.Error", leaf)
					got = append(got, leaf.Error())
				}
			}
			g.Expect(got).To(Equal(tt.want))
		})
	}
}

func leaves(err error) []error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, leaves(e)...)
	}
	return out
}

func TestLoadTooManyObjects(t *testing.T) {
	g := NewWithT(t)
	var b strings.Builder
	for i := range syncv1alpha1.MaxObjects {
		fmt.Fprintf(&b, cmYAML+"---\n", fmt.Sprint("cm-", i))
	}
	c := fake.NewClientBuilder().WithObjects(configMap("big", map[string]string{"all.yaml": b.String()}, nil)).Build()

	res, err := manifest.Load(context.Background(), c, operation(nil, cmRef("big", "")))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Objects).To(HaveLen(syncv1alpha1.MaxObjects), "exactly the limit is fine")

	_, err = manifest.Load(context.Background(), c, operation([]string{fmt.Sprintf(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":%q}}`, "one-more")}, cmRef("big", "")))
	var me *manifest.Error
	g.Expect(errors.As(err, &me)).To(BeTrue())
	g.Expect(me.Error()).To(Equal(`spec.sources[0] (ConfigMap prod/big key "all.yaml"): more than 10000 objects: an operation holds at most 10000; split the manifests into several operations`))
}

func TestLoadTransientErrorsAreNotInputErrors(t *testing.T) {
	g := NewWithT(t)
	boom := errors.New("connection refused")
	c := fake.NewClientBuilder().WithInterceptorFuncs(interceptor.Funcs{
		Get: func(context.Context, client.WithWatch, client.ObjectKey, client.Object, ...client.GetOption) error {
			return boom
		},
	}).Build()
	_, err := manifest.Load(context.Background(), c, operation(nil, cmRef("app", "")))
	g.Expect(err).To(MatchError(boom))
	var me *manifest.Error
	g.Expect(errors.As(err, &me)).To(BeFalse(), "the caller retries")
	g.Expect(err.Error()).To(Equal("read spec.sources[0] (ConfigMap prod/app): connection refused"))
}

func TestMissingSourcesAreTold(t *testing.T) {
	g := NewWithT(t)
	c := fake.NewClientBuilder().WithObjects(configMap("app", map[string]string{"a.yaml": "{"}, nil)).Build()
	_, err := manifest.Load(context.Background(), c, operation(nil, cmRef("later", ""), cmRef("also-later", "")))
	g.Expect(manifest.Missing(err)).To(Equal([]manifest.MissingSource{
		{Kind: "ConfigMap", Namespace: "prod", Name: "later", Field: "spec.sources[0]"},
		{Kind: "ConfigMap", Namespace: "prod", Name: "also-later", Field: "spec.sources[1]"},
	}))
	_, err = manifest.Load(context.Background(), c, operation(nil, cmRef("later", ""), cmRef("app", "")))
	g.Expect(err).To(HaveOccurred())
	g.Expect(manifest.Missing(err)).To(BeNil(), "a source that is there but bad fails at once")
}

// TestLoadErrorsAreBounded: a source of many bad documents, or many bad
// keys, is reported up to MaxErrors problems, with how many more, so that
// hostile input cannot make the controller build a huge message.
func TestLoadErrorsAreBounded(t *testing.T) {
	g := NewWithT(t)
	bad := strings.Repeat("- x\n---\n", 5000) // 5,000 documents that are lists
	keys := map[string]string{"bad.yaml": bad}
	for i := range 30 {
		keys[fmt.Sprintf("k%02d.yaml", i)] = "kind: [\n"
	}
	c := fake.NewClientBuilder().WithObjects(configMap("hostile", keys, nil)).Build()
	_, err := manifest.Load(context.Background(), c, operation(nil, cmRef("hostile", "")))
	g.Expect(err).To(HaveOccurred())
	var me *manifest.Error
	g.Expect(errors.As(err, &me)).To(BeTrue(), "an input error: %v", err)
	g.Expect(leaves(err)).To(HaveLen(manifest.MaxErrors*2+1), "20 keys of problems (the first with its 20 and a count), then a count of the keys left")
	g.Expect(err.Error()).To(ContainSubstring(`spec.sources[0] (ConfigMap prod/hostile key "bad.yaml"): and 4980 more problems`))
	g.Expect(err.Error()).To(HaveSuffix("spec.sources: 11 more keys or files were not parsed after 20 that could not be"))
	g.Expect(len(err.Error())).To(BeNumerically("<", 16<<10))
}

func TestParseStopsPastTheObjectLimit(t *testing.T) {
	g := NewWithT(t)
	var b strings.Builder
	for i := range syncv1alpha1.MaxObjects + 500 {
		fmt.Fprintf(&b, cmYAML+"---\n", fmt.Sprint("cm-", i))
	}
	objs, err := manifest.Parse("big.yaml", []byte(b.String()))
	g.Expect(objs).To(BeEmpty())
	g.Expect(err).To(MatchError("big.yaml: more than 10000 objects: an operation holds at most 10000; split the manifests into several operations"))
}
