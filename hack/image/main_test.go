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
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

func TestCreationTime(t *testing.T) {
	g := NewWithT(t)
	got, err := creationTime("2026-01-02T03:04:05Z", "100")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(BeTemporally("==", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
	got, err = creationTime("", "100")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(BeTemporally("==", time.Unix(100, 0)))
	got, err = creationTime("", "")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(BeTemporally("==", time.Unix(0, 0)))
	_, err = creationTime("yesterday", "")
	g.Expect(err).To(MatchError(ContainSubstring("--created")))
	_, err = creationTime("", "soon")
	g.Expect(err).To(MatchError(ContainSubstring(`SOURCE_DATE_EPOCH "soon"`)))
}

func TestRunNeedsImageAndOutput(t *testing.T) {
	g := NewWithT(t)
	g.Expect(run([]string{"--binary", "x"})).To(MatchError(ContainSubstring("--image and at least one of --layout and --tarball")))
	g.Expect(run([]string{"--image", "a:1"})).To(MatchError(ContainSubstring("--image and at least one of --layout and --tarball")))
	g.Expect(run([]string{"--image", "a", "--layout", t.TempDir()})).To(MatchError(ContainSubstring("no tag")))
	g.Expect(run([]string{"--image", "a:1", "--layout", t.TempDir(), "--binary", ""})).To(MatchError(ContainSubstring("binary: no path given")))
}
