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

package health

// severity ranks the statuses from best to worst, in Argo CD's order, so that
// a summary of many objects reports the worst one.
func severity(s Status) int {
	switch s {
	case Healthy:
		return 0
	case Suspended:
		return 1
	case Progressing:
		return 2
	case Missing:
		return 3
	case Degraded:
		return 4
	default: // Unknown, and anything we do not recognise.
		return 5
	}
}

// Worse reports whether a is strictly worse than b. The order, best first,
// is Healthy, Suspended, Progressing, Missing, Degraded, Unknown; a status
// that is not one of these counts as Unknown.
func Worse(a, b Status) bool {
	return severity(a) > severity(b)
}

// Worst returns the worst of statuses, or Healthy when there are none.
func Worst(statuses ...Status) Status {
	worst := Healthy
	for _, s := range statuses {
		if Worse(s, worst) {
			worst = s
		}
	}
	return worst
}
