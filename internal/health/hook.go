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
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// HookCompletion says whether a hook object has finished (SPEC §6), with a
// message for the hook's status:
//
//   - a Job has Succeeded when its Complete condition is True and Failed when
//     its Failed condition is True (the message is the condition's reason and
//     message, e.g. "BackoffLimitExceeded: Job has reached the specified
//     backoff limit"); otherwise it is Running;
//   - a Pod has Succeeded or Failed when its phase says so; otherwise it is
//     Running, with its health as the message (so that an ImagePullBackOff
//     is visible while the hook waits for its timeout);
//   - any other kind is judged by its health according to a (Default() when
//     nil): Healthy is Succeeded, Degraded is Failed, anything else is
//     Running. A kind about which no check has an opinion, or which has no
//     status at all, is Healthy, hence Succeeded, as soon as it exists.
//
// The hook finalizer keeps a hook that someone deleted alive until its end is
// observed, so a deletionTimestamp does not change the outcome: the object is
// judged as if it were not being deleted. Except for a Job that has not
// finished: the Job controller stops tracking a Job that is being deleted
// (its pods may finish, its conditions never come), so such a Job has
// Failed, "deleted before it finished", at once rather than at the step's
// timeout; a Job that has finished keeps its outcome.
//
// A nil obj (not created yet, or already gone) is Pending.
func HookCompletion(obj *unstructured.Unstructured, a Assessor) (syncv1alpha1.HookPhase, string) {
	if obj == nil {
		return syncv1alpha1.HookPending, "hook object does not exist"
	}
	gvk := obj.GroupVersionKind()
	switch {
	case gvk.Group == "batch" && gvk.Kind == "Job":
		return jobCompletion(obj)
	case gvk.Group == "" && gvk.Kind == "Pod":
		return podCompletion(obj)
	}
	live := obj.DeepCopy()
	unstructured.RemoveNestedField(live.Object, "metadata", "deletionTimestamp")
	r := Assess(a, live)
	switch r.Status {
	case Healthy:
		return syncv1alpha1.HookSucceeded, r.Message
	case Degraded:
		return syncv1alpha1.HookFailed, r.Message
	default:
		return syncv1alpha1.HookRunning, string(r.Status) + ": " + r.Message
	}
}

// jobCompletion reads a Job's terminal conditions. A Job that cannot be read
// is reported as Running with the error, so the hook's timeout decides.
func jobCompletion(obj *unstructured.Unstructured) (syncv1alpha1.HookPhase, string) {
	var j batchv1.Job
	if err := fromUnstructured(obj, &j); err != nil {
		return syncv1alpha1.HookRunning, err.Error()
	}
	if c, ok := jobCondition(&j, batchv1.JobFailed); ok {
		return syncv1alpha1.HookFailed, describe(c.Reason, c.Message, "job failed")
	}
	if c, ok := jobCondition(&j, batchv1.JobComplete); ok {
		return syncv1alpha1.HookSucceeded, describe(c.Reason, c.Message, "job completed")
	}
	if j.DeletionTimestamp != nil {
		// The Job controller stops at a deletionTimestamp: it records no
		// end of the pods it started, so the hook would wait for its
		// timeout. Whoever deleted it meant to stop it.
		return syncv1alpha1.HookFailed, "job was deleted before it finished: the Job controller runs no Job that is being deleted, so it would never complete"
	}
	if _, ok := jobCondition(&j, batchv1.JobSuspended); ok || (j.Spec.Suspend != nil && *j.Spec.Suspend) {
		return syncv1alpha1.HookRunning, "job is suspended"
	}
	return syncv1alpha1.HookRunning, jobProgress(&j)
}

// podCompletion reads a Pod's phase. A Pod that cannot be read is reported
// as Running with the error, so the hook's timeout decides.
func podCompletion(obj *unstructured.Unstructured) (syncv1alpha1.HookPhase, string) {
	var p corev1.Pod
	if err := fromUnstructured(obj, &p); err != nil {
		return syncv1alpha1.HookRunning, err.Error()
	}
	switch p.Status.Phase {
	case corev1.PodSucceeded:
		return syncv1alpha1.HookSucceeded, describe("", p.Status.Message, "pod completed successfully")
	case corev1.PodFailed:
		return syncv1alpha1.HookFailed, podFailure(&p)
	}
	r, err := podHealth(obj)
	if err != nil {
		return syncv1alpha1.HookRunning, err.Error()
	}
	return syncv1alpha1.HookRunning, string(r.Status) + ": " + r.Message
}
