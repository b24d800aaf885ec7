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

package main

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// ran records that the demo ran in this process: like the real manager, it
// registers its metrics on the process-wide registry, which allows it once.
var ran atomic.Bool

// TestDemo runs the demo end to end, as make demo does, but stops once the
// sample operation has finished: it must succeed.
func TestDemo(t *testing.T) {
	if ran.Swap(true) {
		t.Skip("the demo runs once per process (go test -count > 1)")
	}
	root := filepath.Join("..", "..")
	err := run(context.Background(), filepath.Join(root, "config", "crd", "bases"),
		filepath.Join(root, "config", "samples", "syncwave_v1alpha1_syncoperation.yaml"), 2*time.Minute, true)
	if err != nil {
		t.Fatal(err)
	}
}
