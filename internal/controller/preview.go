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

package controller

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/diff"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/plan"
)

// previewer tells, for spec.dryRun, what a sync would change: the live
// object next to a server-side apply dry-run of the manifest, as
// kubectl syncwave diff compares them.
type previewer struct {
	differ *diff.Differ
	// user is the impersonated user ("" for the controller), for messages.
	user string
}

// rejected is a dry run the API server refused for good.
type rejected struct{ msg string }

func (e *rejected) Error() string  { return e.msg }
func (e *rejected) Rejected() bool { return true }

func (p *previewer) Preview(ctx context.Context, _ *syncv1alpha1.SyncOperation, t *plan.Task) (syncv1alpha1.Change, []string, error) {
	c, _, err := p.differ.Object(ctx, t)
	if err != nil {
		if apierrors.IsInvalid(err) || apierrors.IsForbidden(err) || apierrors.IsBadRequest(err) || meta.IsNoMatchError(err) {
			who := ""
			if p.user != "" {
				who = " as " + p.user
			}
			return "", nil, &rejected{msg: fmt.Sprintf("%s%s: %v", t.ID, who, err)}
		}
		return "", nil, err
	}
	ch, fields := diff.Preview(&c, operation.MaxChangedFields)
	return ch, fields, nil
}
