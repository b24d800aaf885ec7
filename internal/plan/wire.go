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
	"encoding/json"
	"fmt"
)

// wireVersion is the version of the encoding of a pinned plan. A plan
// encoded by another version is refused rather than misread.
const wireVersion = 1

type wirePlan struct {
	Version int   `json:"version"`
	Plan    *Plan `json:"plan"`
}

// Marshal encodes p, every task with its object, so that it can be pinned
// and read back by Unmarshal exactly as it was built.
func Marshal(p *Plan) ([]byte, error) {
	b, err := json.Marshal(wirePlan{Version: wireVersion, Plan: p})
	if err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	return b, nil
}

// Unmarshal decodes a plan written by Marshal.
func Unmarshal(b []byte) (*Plan, error) {
	var w wirePlan
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("decode plan: %w", err)
	}
	if w.Version != wireVersion || w.Plan == nil {
		return nil, fmt.Errorf("decode plan: encoding version %d, want %d", w.Version, wireVersion)
	}
	return w.Plan, nil
}
