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

package lua

import (
	"context"
	"testing"
)

// BenchmarkEvalGuideScript measures one evaluation of the guide's
// MyDatabaseInstance script on a cached (compiled) script and a pooled state.
func BenchmarkEvalGuideScript(b *testing.B) {
	e := NewEngine(Options{})
	obj := dbInstance(map[string]any{"phase": "Running"})
	ctx := context.Background()
	if _, err := e.Eval(ctx, guideScript, false, obj); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(ctx, guideScript, false, obj); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvalGuideScriptParallel is the same under concurrent reconciles.
func BenchmarkEvalGuideScriptParallel(b *testing.B) {
	e := NewEngine(Options{})
	obj := dbInstance(map[string]any{"phase": "Running"})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.Eval(context.Background(), guideScript, false, obj); err != nil {
				b.Error(err)
			}
		}
	})
}
