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
	"os"
	"path/filepath"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manifest"
)

// seeds returns the fixtures of testdata/ and the planner's golden inputs:
// YAML, JSON streams, Lists, bad documents.
func seeds(f *testing.F) [][]byte {
	f.Helper()
	var out [][]byte
	for _, pattern := range []string{"testdata/*.yaml", "testdata/*.json", "../plan/testdata/*/input.yaml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, data)
		}
	}
	if len(out) == 0 {
		f.Fatal("no seeds in testdata")
	}
	return out
}

// FuzzParse: any bytes give objects or *Error values that name the source,
// never a panic; the same bytes give the same objects.
func FuzzParse(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := manifest.Parse("fuzz.yaml", data)
		if err != nil {
			checkInputErrors(t, err, "fuzz.yaml")
			if objs != nil {
				t.Fatalf("Parse returned %d objects with an error", len(objs))
			}
			return
		}
		for _, o := range objs {
			if o.Object == nil || o.Object.Object == nil || o.Source != "fuzz.yaml" || o.Index < 0 {
				t.Fatalf("malformed object %+v", o)
			}
		}
		again, err := manifest.Parse("fuzz.yaml", data)
		if err != nil || !reflect.DeepEqual(objs, again) {
			t.Fatalf("a second Parse of the same bytes differs (err %v)", err)
		}
	})
}

// checkInputErrors asserts that every leaf of err is a *manifest.Error
// naming source (a prefix of it) and that its message renders.
func checkInputErrors(t *testing.T, err error, source string) {
	t.Helper()
	leaves := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		leaves = j.Unwrap()
	}
	for _, leaf := range leaves {
		var me *manifest.Error
		if !errors.As(leaf, &me) {
			t.Fatalf("error %T is not a *manifest.Error: %v", leaf, leaf)
		}
		if len(me.Source) < len(source) || me.Source[:len(source)] != source {
			t.Fatalf("error names source %q, want %q: %v", me.Source, source, me)
		}
		if me.Error() == "" {
			t.Fatal("empty error message")
		}
	}
}

// FuzzLoad reads arbitrary bytes from every kind of source: inline
// manifests, a ConfigMap's data and binaryData, a Secret, with and without
// a key. Load returns objects or input errors, never a panic, and a second
// Load gives the same digest.
func FuzzLoad(f *testing.F) {
	for i, s := range seeds(f) {
		f.Add(s, []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"inline"}}`), "app.yaml", uint8(i))
	}
	f.Add([]byte("x: 1"), []byte("null"), "", uint8(7))
	f.Add([]byte(""), []byte("{"), "missing", uint8(2))
	f.Fuzz(func(t *testing.T, data, inline []byte, key string, mode uint8) {
		r := &reader{data: data, key: key}
		op := &syncv1alpha1.SyncOperation{}
		op.Namespace, op.Name = "prod", "op"
		if mode&1 != 0 {
			op.Spec.Manifests = []runtime.RawExtension{{Raw: inline}}
		}
		ref := &syncv1alpha1.KeyReference{Name: "src"}
		if mode&2 != 0 {
			ref.Key = key
		}
		switch {
		case mode&4 != 0:
			op.Spec.Sources = []syncv1alpha1.ManifestSource{{SecretRef: ref}}
		case mode&8 != 0:
			r.binary = true
			op.Spec.Sources = []syncv1alpha1.ManifestSource{{ConfigMapRef: ref}}
		case mode&16 != 0:
			op.Spec.Sources = []syncv1alpha1.ManifestSource{{ConfigMapRef: &syncv1alpha1.KeyReference{Name: "absent"}}}
		case mode&32 != 0:
			op.Spec.Sources = []syncv1alpha1.ManifestSource{{ConfigMapRef: ref, SecretRef: ref}}
		default:
			op.Spec.Sources = []syncv1alpha1.ManifestSource{{ConfigMapRef: ref}}
		}
		res, err := manifest.Load(context.Background(), r, op)
		if err != nil {
			checkInputErrors(t, err, "spec.")
			return
		}
		if len(res.Objects) > syncv1alpha1.MaxObjects {
			t.Fatalf("Load returned %d objects, more than %d", len(res.Objects), syncv1alpha1.MaxObjects)
		}
		again, err := manifest.Load(context.Background(), r, op)
		if err != nil || again.Digest != res.Digest {
			t.Fatalf("a second Load differs: digest %q vs %q (err %v)", again.Digest, res.Digest, err)
		}
	})
}

// reader serves one ConfigMap or Secret named "src" in "prod" whose key
// holds data, and a second key so that key "" reads two documents.
type reader struct {
	data   []byte
	key    string
	binary bool
}

func (r *reader) Get(_ context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	if key.Name != "src" || key.Namespace != "prod" {
		return apierrors.NewNotFound(corev1.Resource("configmaps"), key.Name)
	}
	switch o := obj.(type) {
	case *corev1.ConfigMap:
		o.Name, o.Namespace = key.Name, key.Namespace
		if r.binary {
			o.BinaryData = map[string][]byte{r.key: r.data, "zz.yaml": []byte("kind: ConfigMap\napiVersion: v1\nmetadata: {name: zz}\n")}
			return nil
		}
		o.Data = map[string]string{r.key: string(r.data), "zz.yaml": "kind: ConfigMap\napiVersion: v1\nmetadata: {name: zz}\n"}
	case *corev1.Secret:
		o.Name, o.Namespace = key.Name, key.Namespace
		o.Data = map[string][]byte{r.key: r.data}
	default:
		return errors.New("unexpected object type")
	}
	return nil
}

func (r *reader) List(context.Context, client.ObjectList, ...client.ListOption) error {
	return errors.New("List is not served")
}
