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

package manifest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Digest returns "sha256:<hex>" over the objects in order, each as
// canonical JSON (keys sorted). Formatting, comments, document separators
// and the way the objects are split between inline manifests and sources
// do not change it; any change to an object, or to the order, does.
func Digest(objs []Object) string {
	h := sha256.New()
	for i := range objs {
		b, err := json.Marshal(objs[i].Object.Object)
		if err != nil {
			// Parsed objects hold only JSON values; keep the digest
			// defined anyway.
			b = []byte(err.Error())
		}
		h.Write(b)
		h.Write([]byte{'\n'})
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
