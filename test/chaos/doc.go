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

// Package chaos runs an operation many times while its manager is killed
// (SIGKILL) at random moments and restarted after a random pause, and, in
// half of the runs, while leadership fails over between two managers. What
// happened is checked from an independent watch, not from status: each run
// ends with the right result, waves in order, each hook created exactly
// once, nothing written after the operation finished, and no finalizer
// left behind.
//
// It is slow (about 15 minutes) and not part of `make test`: it builds only
// with the chaos tag and runs only when SYNCWAVE_CHAOS is set, as
// `make chaos` does. CHAOS_RUNS (default 50) and CHAOS_SEED change the
// number of runs and the random sequence.
package chaos
