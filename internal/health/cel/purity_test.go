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

package cel

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

// allowedImports are the non-standard packages that this package may
// import: it judges objects, so no client, no controller-runtime, no metrics.
var allowedImports = []string{
	"github.com/google/cel-go/",
	"k8s.io/apimachinery/",
	"sigs.k8s.io/yaml",
	"github.com/syncwave/syncwave/api/v1alpha1",
	"github.com/syncwave/syncwave/internal/health",
}

func TestPackageIsPure(t *testing.T) {
	g := NewWithT(t)
	files, err := filepath.Glob("*.go")
	g.Expect(err).NotTo(HaveOccurred())
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		g.Expect(err).NotTo(HaveOccurred())
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			g.Expect(err).NotTo(HaveOccurred())
			if !strings.Contains(strings.Split(path, "/")[0], ".") {
				continue // standard library
			}
			allowed := false
			for _, prefix := range allowedImports {
				allowed = allowed || path == prefix || strings.HasPrefix(path, strings.TrimSuffix(prefix, "/")+"/")
			}
			g.Expect(allowed).To(BeTrue(), "%s imports %s", file, path)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "time" && sel.Sel.Name == "Now" {
					t.Errorf("%s: time.Now at %s: take the time as a parameter", file, fset.Position(sel.Pos()))
				}
			}
			return true
		})
	}
}
