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

package hook

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/plan"
)

// maxNameLength keeps hook names valid as label values (a Job's name ends
// up in its pods' labels).
const maxNameLength = 63

const suffixLength = 10

// Name returns the live name of a hook task of op. A named hook keeps its
// name. A generateName hook gets its prefix plus a suffix derived from the
// operation's UID, the phase, the wave and the object, so that a restarted
// controller finds the same object again instead of creating another.
func Name(op *syncv1alpha1.SyncOperation, t *plan.Task) string {
	if t.Hook == nil || !t.Hook.GenerateName {
		return t.ID.Name
	}
	seed := fmt.Appendf(nil, "%s/%s/%d/%s", op.UID, t.Phase, t.Wave, t.ID)
	if n := Attempt(op, t); n > 0 { // a retried step's hooks are new objects
		seed = fmt.Appendf(seed, "/retry-%d", n)
	}
	sum := sha256.Sum256(seed)
	suffix := hex.EncodeToString(sum[:])[:suffixLength]
	prefix := t.ID.Name
	if len(prefix) > maxNameLength-suffixLength {
		prefix = prefix[:maxNameLength-suffixLength]
	}
	return prefix + suffix
}

// Attempt is how many times the step of hook task t was retried.
func Attempt(op *syncv1alpha1.SyncOperation, t *plan.Task) int32 {
	for _, s := range op.Status.Steps {
		if s.Phase == t.Phase && s.Wave == t.Wave {
			return s.Retries
		}
	}
	return 0
}
