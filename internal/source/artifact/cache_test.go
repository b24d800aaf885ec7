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

package artifact_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/syncwave/syncwave/internal/source/artifact"
)

// countingServer serves each tarball at /<name> and counts the requests
// per name; release, when set, holds every answer until it is closed.
type countingServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests map[string]int
}

func newCountingServer(t *testing.T, release chan struct{}, tarballs map[string][]byte) *countingServer {
	t.Helper()
	s := &countingServer{requests: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[r.URL.Path[1:]]++
		s.mu.Unlock()
		if release != nil {
			<-release
		}
		data, ok := tarballs[r.URL.Path[1:]]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *countingServer) count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[name]
}

func TestCacheDownloadsOnce(t *testing.T) {
	a := tarball(t, file("a.yaml", randomText(1000)))
	b := tarball(t, file("b.yaml", randomText(1000)))
	c := tarball(t, file("c.yaml", randomText(1000)))
	srv := newCountingServer(t, nil, map[string][]byte{"a": a, "b": b, "c": c})
	clk := testingclock.NewFakeClock(time.Now())
	// room for two of the three
	cache := artifact.NewCache(int64(len(a)+len(b)+len(c))*2/3+10, time.Minute, clk)
	f := &artifact.Fetcher{Client: srv.Client(), Limits: artifact.DefaultLimits(1 << 20), Cache: cache}
	fetch := func(name string, data []byte) {
		t.Helper()
		files, err := f.Fetch(context.Background(), srv.URL+"/"+name, sha(data), -1)
		NewWithT(t).Expect(err).NotTo(HaveOccurred())
		NewWithT(t).Expect(files).To(HaveLen(1))
	}
	g := NewWithT(t)

	fetch("a", a)
	fetch("a", a)
	g.Expect(srv.count("a")).To(Equal(1), "a held artifact is not downloaded again")

	_, err := f.Fetch(context.Background(), srv.URL+"/a", sha(b), -1)
	g.Expect(err).To(MatchError(ContainSubstring("digest mismatch")), "the digest names the artifact, not the URL")
	_, err = f.Fetch(context.Background(), srv.URL+"/b", sha(b), 1<<30)
	g.Expect(err).To(MatchError(ContainSubstring("more than the limit")))
	g.Expect(cache.Len()).To(Equal(1), "failures are not held")

	fetch("b", b)
	clk.Step(40 * time.Second)
	fetch("a", a) // a used again: its expiry starts again
	fetch("c", c) // over the bound: b, the least recently used, goes
	g.Expect(cache.Len()).To(Equal(2))
	fetch("a", a)
	g.Expect(srv.count("a")).To(Equal(2), "a was kept: c took b's room") // the first download and the mismatched one
	fetch("b", b)
	g.Expect(srv.count("b")).To(Equal(2), "b was dropped for room")

	clk.Step(61 * time.Second)
	g.Expect(cache.Len()).To(Equal(0), "each artifact is dropped a TTL after its last use")
	fetch("a", a)
	g.Expect(srv.count("a")).To(Equal(3))

	huge := artifact.NewCache(10, time.Minute, clk)
	f.Cache = huge
	fetch("a", a)
	g.Expect(huge.Len()).To(Equal(0), "an artifact larger than the whole cache is not held")
}

func TestCacheSharesOneDownload(t *testing.T) {
	a := tarball(t, file("a.yaml", "kind: ConfigMap\n"))
	release := make(chan struct{})
	srv := newCountingServer(t, release, map[string][]byte{"a": a})
	f := &artifact.Fetcher{Client: srv.Client(), Limits: artifact.DefaultLimits(1 << 20),
		Cache: artifact.NewCache(1<<20, time.Minute, testingclock.NewFakeClock(time.Now()))}
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 10 {
		wg.Go(func() {
			if _, err := f.Fetch(context.Background(), srv.URL+"/a", sha(a), -1); err != nil {
				failed.Add(1)
			}
		})
	}
	g := NewWithT(t)
	g.Eventually(func() int { return srv.count("a") }).Should(Equal(1))
	close(release)
	wg.Wait()
	g.Expect(failed.Load()).To(BeZero())
	g.Expect(srv.count("a")).To(Equal(1), "ten fetches of one digest at once make one download")
}
