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
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/syncwave/syncwave/internal/source/artifact"
)

func TestFetch(t *testing.T) {
	good := tarball(t, file("deploy/a.yaml", "kind: ConfigMap\n"))
	big := tarball(t, file("a.yaml", strings.Repeat("x", 4000)), file("b.yaml", randomText(6000)))
	mux := http.NewServeMux()
	mux.HandleFunc("/good.tar.gz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(good) })
	mux.HandleFunc("/big.tar.gz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(big) })
	mux.HandleFunc("/chunked.tar.gz", func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i < len(big); i += 512 { // no Content-Length: the limit is counted while reading
			_, _ = w.Write(big[i:min(i+512, len(big))])
			w.(http.Flusher).Flush()
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := &artifact.Fetcher{Client: srv.Client(), Limits: artifact.DefaultLimits(int64(len(good)) + 100)}
	g := NewWithT(t)
	g.Expect(int64(len(big))).To(BeNumerically(">", f.Limits.MaxSize), "the big artifact is over the limit")

	files, err := f.Fetch(context.Background(), srv.URL+"/good.tar.gz", sha(good), int64(len(good)))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(files).To(Equal([]artifact.File{{Path: "deploy/a.yaml", Data: []byte("kind: ConfigMap\n")}}))

	tests := []struct {
		name, path, digest string
		size               int64
		invalid            bool // an *Error (else a *FetchError)
		err                string
	}{
		{name: "digest mismatch", path: "/good.tar.gz", digest: sha(big), size: -1, invalid: true, err: "digest mismatch"},
		{name: "announced size", path: "/good.tar.gz", digest: sha(good), size: 1 << 30, invalid: true, err: "is 1073741824 bytes, more than the limit"},
		{name: "content length", path: "/big.tar.gz", digest: sha(big), size: -1, invalid: true, err: "more than the limit"},
		{name: "chunked body", path: "/chunked.tar.gz", digest: sha(big), size: -1, invalid: true, err: "more than the limit"},
		{name: "not found", path: "/gone.tar.gz", digest: sha(good), size: -1, err: "the server answered 404 Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := f.Fetch(context.Background(), srv.URL+tt.path, tt.digest, tt.size)
			g.Expect(err).To(MatchError(ContainSubstring(tt.err)))
			var ae *artifact.Error
			var fe *artifact.FetchError
			g.Expect(errors.As(err, &ae)).To(Equal(tt.invalid))
			g.Expect(errors.As(err, &fe)).To(Equal(!tt.invalid))
		})
	}
	for _, u := range []string{"file:///etc/passwd", "ftp://host/a.tar.gz", "http://", "::"} {
		_, err := f.Fetch(context.Background(), u, sha(good), -1)
		g.Expect(err).To(MatchError(ContainSubstring("want an http or https URL")), u)
	}
	srv.Close()
	_, err = f.Fetch(context.Background(), srv.URL+"/good.tar.gz", sha(good), -1)
	var fe *artifact.FetchError
	g.Expect(errors.As(err, &fe)).To(BeTrue(), "a server that is down may come back: %v", err)
}

// randomText does not compress, so that the archive is as large as its files.
func randomText(n int) string {
	var b strings.Builder
	x := uint32(2463534242)
	for b.Len() < n {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b.WriteByte(byte('a' + x%26))
	}
	return b.String()
}
