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

package files

import (
	"fmt"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Kustomize renders the kustomization in dir as `kubectl kustomize DIR`
// does, and returns the result as one multi-document YAML input.
func Kustomize(dir string) (Input, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	res, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return Input{}, fmt.Errorf("render kustomization %s: %w", dir, err)
	}
	data, err := res.AsYaml()
	if err != nil {
		return Input{}, fmt.Errorf("render kustomization %s: %w", dir, err)
	}
	return Input{Source: "kustomization " + dir, Data: data}, nil
}
