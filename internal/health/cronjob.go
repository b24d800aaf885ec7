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

import (
	"time"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// cronJobHealth: a CronJob only schedules Jobs, so it is Healthy as soon as
// it exists, unless it is suspended. The Jobs it creates have their own
// health.
func cronJobHealth(obj *unstructured.Unstructured) (Result, error) {
	var cj batchv1.CronJob
	if err := fromUnstructured(obj, &cj); err != nil {
		return Result{}, err
	}
	if cj.Spec.Suspend != nil && *cj.Spec.Suspend {
		return suspended("cron job is suspended"), nil
	}
	if t := cj.Status.LastScheduleTime; t != nil {
		return healthy("cron job is scheduled (%q); last run scheduled at %s", cj.Spec.Schedule, t.UTC().Format(time.RFC3339)), nil
	}
	return healthy("cron job is scheduled (%q)", cj.Spec.Schedule), nil
}
