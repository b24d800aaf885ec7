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
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// jobHealth reads the Job controller's terminal conditions: Failed (or
// FailureTarget, which the controller sets before it has removed the pods of
// a Job that will fail) is Degraded, Complete is Healthy. A suspended Job is
// Suspended; any other Job is still running and Progressing.
func jobHealth(obj *unstructured.Unstructured) (Result, error) {
	var j batchv1.Job
	if err := fromUnstructured(obj, &j); err != nil {
		return Result{}, err
	}
	if c, ok := jobCondition(&j, batchv1.JobFailed); ok {
		return degraded("%s", describe(c.Reason, c.Message, "job failed")), nil
	}
	if c, ok := jobCondition(&j, batchv1.JobFailureTarget); ok {
		return degraded("job is failing: %s", describe(c.Reason, c.Message, "failure target reached")), nil
	}
	if _, ok := jobCondition(&j, batchv1.JobComplete); ok {
		return healthy("job completed: %d succeeded", j.Status.Succeeded), nil
	}
	if _, ok := jobCondition(&j, batchv1.JobSuspended); ok || (j.Spec.Suspend != nil && *j.Spec.Suspend) {
		return suspended("job is suspended"), nil
	}
	return progressing("%s", jobProgress(&j)), nil
}

// jobCondition returns the condition of type t if it is True.
func jobCondition(j *batchv1.Job, t batchv1.JobConditionType) (batchv1.JobCondition, bool) {
	for _, c := range j.Status.Conditions {
		if c.Type == t && c.Status == corev1.ConditionTrue {
			return c, true
		}
	}
	return batchv1.JobCondition{}, false
}

// jobProgress describes a Job that has not finished.
func jobProgress(j *batchv1.Job) string {
	st := j.Status
	if j.Spec.Completions != nil {
		return fmt.Sprintf("job is running: %d of %d completions succeeded, %d active, %d failed",
			st.Succeeded, *j.Spec.Completions, st.Active, st.Failed)
	}
	return fmt.Sprintf("job is running: %d active, %d succeeded, %d failed", st.Active, st.Succeeded, st.Failed)
}
