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
	"errors"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/syncwave/syncwave/internal/manifest"
)

// summary is what a test checks of one parsed object.
type summary struct {
	Kind, Name, Origin string
}

func summarize(objs []manifest.Object) []summary {
	out := make([]summary, len(objs))
	for i, o := range objs {
		out[i] = summary{Kind: o.Object.GetKind(), Name: o.Object.GetName(), Origin: o.Origin()}
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []summary
	}{
		{
			name: "multi-document YAML with empty and comment-only documents",
			data: `---
# leading comment document
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
---

---
apiVersion: v1
kind: Secret
metadata: {name: b}
--- # trailing`,
			want: []summary{{"ConfigMap", "a", "src, document 0"}, {"Secret", "b", "src, document 1"}},
		},
		{
			name: "JSON stream",
			data: ` {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}
{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}} null`,
			want: []summary{{"ConfigMap", "a", "src, document 0"}, {"ConfigMap", "b", "src, document 1"}},
		},
		{
			name: "List kinds are flattened, recursively",
			data: `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
- apiVersion: v1
  kind: SecretList
  items:
  - {apiVersion: v1, kind: Secret, metadata: {name: b}}
---
apiVersion: v1
kind: ConfigMapList
items: []`,
			want: []summary{{"ConfigMap", "a", "src, document 0, items[0]"}, {"Secret", "b", "src, document 0, items[1].items[0]"}},
		},
		{
			name: "a kind ending in List without items is an object",
			data: `apiVersion: net.example.com/v1
kind: AllowList
metadata: {name: office}
spec: {cidrs: [10.0.0.0/8]}`,
			want: []summary{{"AllowList", "office", "src, document 0"}},
		},
		{
			name: "byte order mark and JSON numbers",
			data: "\xef\xbb\xbf{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"},\"x\":1,\"y\":1.5}",
			want: []summary{{"ConfigMap", "a", "src, document 0"}},
		},
		{name: "empty", data: "", want: []summary{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			objs, err := manifest.Parse("src", []byte(tt.data))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(summarize(objs)).To(Equal(tt.want))
		})
	}
}

func TestParseNumbersAreInt64OrFloat64(t *testing.T) {
	g := NewWithT(t)
	objs, err := manifest.Parse("src", []byte("apiVersion: v1\nkind: X\nmetadata: {name: a}\nspec: {replicas: 3, ratio: 0.5}\n"))
	g.Expect(err).NotTo(HaveOccurred())
	spec := objs[0].Object.Object["spec"].(map[string]any)
	g.Expect(spec["replicas"]).To(Equal(int64(3)))
	g.Expect(spec["ratio"]).To(Equal(0.5))
	g.Expect(func() { objs[0].Object.DeepCopy() }).NotTo(Panic())
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string
	}{
		{
			name: "every bad YAML document is reported, at its line in the stream",
			data: `apiVersion: v1
kind: ConfigMap
metadata: {name: ok}
---
metadata: {name: [unclosed
---
- a
- list
---
apiVersion: v1
kind: List
items: [{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}, "text"]`,
			want: []string{
				"src:5, document 1: invalid YAML: did not find expected ',' or ']'",
				"src:7, document 2: not an object but a list: a manifest is a Kubernetes object with apiVersion, kind and metadata",
				"src:10, document 3: items[1]: not an object but a string: a manifest is a Kubernetes object with apiVersion, kind and metadata",
			},
		},
		{
			name: "the parser's line inside a document is shifted by the lines before it",
			data: `# header comment
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
--- # second
# about b

apiVersion: v1
kind: ConfigMap
metadata:
  name: b
 data: {}
`,
			want: []string{"src:12, document 1: invalid YAML: did not find expected key"},
		},
		{
			name: "an error without a line is reported at the document's first line",
			data: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\n# c\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: *anchor}\n",
			want: []string{"src:7, document 1: invalid YAML: yaml: unknown anchor 'anchor' referenced"},
		},
		{
			name: "CRLF line endings count as one line each",
			data: "apiVersion: v1\r\nkind: ConfigMap\r\n---\r\na: [1,\r\n2\r\n",
			want: []string{"src:5, document 1: invalid YAML: did not find expected ',' or ']'"},
		},
		{
			name: "a bad separator stops the stream after the documents before it",
			data: "- not an object\n--- {a: 1}\napiVersion: v1\n",
			want: []string{
				"src:1, document 0: not an object but a list: a manifest is a Kubernetes object with apiVersion, kind and metadata",
				`src:2, document 1: cannot split YAML documents: invalid document separator "--- {a: 1}": only a comment may follow "---"`,
			},
		},
		{
			name: "JSON syntax error stops the stream, at the line of the bad byte",
			data: "{\"apiVersion\":\"v1\"}\n\n{\n  \"kind\": }",
			want: []string{"src:4, document 1: invalid JSON: invalid character '}' looking for beginning of value"},
		},
		{
			name: "a kustomization is not a manifest",
			data: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n",
			want: []string{"src:5, document 1: a kustomization file, not a Kubernetes object: render its directory (kubectl syncwave -k DIR; a Flux source whose path is that directory is built)"},
		},
		{
			name: "a JSON document is reported at the line it starts on",
			data: "\n\n  {\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"n\"},\n\"data\":{\"x\":1e400}}",
			want: []string{"src:3, document 0: invalid document: json: cannot unmarshal number 1e400 into Go value of type float64"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			objs, err := manifest.Parse("src", []byte(tt.data))
			g.Expect(objs).To(BeNil())
			g.Expect(err).To(HaveOccurred())
			var got []string
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var me *manifest.Error
				g.Expect(errors.As(e, &me)).To(BeTrue())
				g.Expect(me.Line).To(BeNumerically(">", 0))
				got = append(got, me.Error())
			}
			g.Expect(got).To(Equal(tt.want))
		})
	}
}

func TestErrorWhere(t *testing.T) {
	tests := []struct {
		err  manifest.Error
		want string
	}{
		{manifest.Error{Source: "app.yaml", Index: 1, Line: 27, Msg: "m"}, "app.yaml:27, document 1"},
		{manifest.Error{Source: "app.yaml", Index: 1, Msg: "m"}, "app.yaml, document 1"},
		{manifest.Error{Source: "app.yaml", Index: -1, Msg: "m"}, "app.yaml"},
	}
	for _, tt := range tests {
		g := NewWithT(t)
		g.Expect(tt.err.Where()).To(Equal(tt.want))
		g.Expect(tt.err.Error()).To(Equal(tt.want + ": m"))
	}
}

func TestParseYAMLErrorKeepsItsCause(t *testing.T) {
	g := NewWithT(t)
	_, err := manifest.Parse("src", []byte("a: [\n"))
	var me *manifest.Error
	g.Expect(errors.As(err, &me)).To(BeTrue())
	g.Expect(errors.Unwrap(me.Err)).To(MatchError(HavePrefix("yaml: line ")), "the parser's own error is kept")
}

func TestDigest(t *testing.T) {
	g := NewWithT(t)
	a, err := manifest.Parse("a", []byte("# comment\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n"))
	g.Expect(err).NotTo(HaveOccurred())
	b, err := manifest.Parse("b", []byte(`{"kind":"ConfigMap","data":{"k":"v"},"metadata":{"name":"a"},"apiVersion":"v1"}`))
	g.Expect(err).NotTo(HaveOccurred())
	c, err := manifest.Parse("c", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: w}\n"))
	g.Expect(err).NotTo(HaveOccurred())

	g.Expect(manifest.Digest(a)).To(HavePrefix("sha256:"))
	g.Expect(manifest.Digest(a)).To(HaveLen(len("sha256:") + 64))
	g.Expect(manifest.Digest(a)).To(Equal(manifest.Digest(b)), "formatting and key order do not count")
	g.Expect(manifest.Digest(a)).NotTo(Equal(manifest.Digest(c)))
	g.Expect(manifest.Digest(append(a, c...))).NotTo(Equal(manifest.Digest(append(c, a...))), "order counts")
}

// TestParseKustomizationFileWithoutAPIVersion: a kustomization file, known
// by its name, often has no apiVersion; it gets the same hint.
func TestParseKustomizationFileWithoutAPIVersion(t *testing.T) {
	g := NewWithT(t)
	_, err := manifest.Parse("overlays/prod/kustomization.yaml", []byte("resources: [../../base]\n"))
	g.Expect(err).To(MatchError(ContainSubstring("a kustomization file, not a Kubernetes object: render its directory")))
	objs, err := manifest.Parse("deploy/app.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(objs).To(HaveLen(1))
}
