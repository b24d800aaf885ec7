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

package health_test

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

// allowedImports are the non-standard packages that the health package may
// import: it is a pure function of one object, so no client, no
// controller-runtime, no metrics.
var allowedImports = []string{
	"k8s.io/apimachinery/",
	"k8s.io/api/",
	"sigs.k8s.io/cli-utils/pkg/kstatus/status",
	"github.com/syncwave/syncwave/api/v1alpha1",
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
				allowed = allowed || strings.HasPrefix(path, prefix)
			}
			g.Expect(allowed).To(BeTrue(), "%s imports %s", file, path)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "time" && sel.Sel.Name == "Now" {
					t.Errorf("%s: time.Now at %s: take the time as a parameter", file, fset.Position(sel.Pos()))
				}
			}
			return true
		})
	}
}
