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

package v1alpha1

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RetryStrategy says how a failed operation is tried again: from the step
// that failed, after a backoff, at most limit times. The SyncFail steps run
// only once no retry is left.
type RetryStrategy struct {
	// limit is how many times the failed step is tried again; 0 never.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	Limit int32 `json:"limit,omitempty"`

	// backoff times the retries.
	// +optional
	Backoff *Backoff `json:"backoff,omitempty"`
}

// Backoff is an exponential backoff: duration, then duration*factor, ...,
// at most maxDuration.
type Backoff struct {
	// duration before the first retry (default 5s).
	// +optional
	Duration *metav1.Duration `json:"duration,omitempty"`

	// factor multiplies the duration at each retry (default 2).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10
	Factor *int32 `json:"factor,omitempty"`

	// maxDuration caps the duration (default 3m).
	// +optional
	MaxDuration *metav1.Duration `json:"maxDuration,omitempty"`
}

// Delay returns how long to wait before retry number n (from 0).
func (r *RetryStrategy) Delay(n int32) time.Duration {
	d, factor, maxD := 5*time.Second, int64(2), 3*time.Minute
	if b := r.Backoff; b != nil {
		if b.Duration != nil {
			d = b.Duration.Duration
		}
		if b.Factor != nil {
			factor = int64(*b.Factor)
		}
		if b.MaxDuration != nil {
			maxD = b.MaxDuration.Duration
		}
	}
	for range n {
		d *= time.Duration(factor)
		if d >= maxD {
			return maxD
		}
	}
	return min(d, maxD)
}
