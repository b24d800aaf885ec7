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
	"archive/tar"
	"bytes"
	"compress/gzip"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/syncwave/syncwave/internal/source/artifact"
	"github.com/syncwave/syncwave/internal/source/artifact/artifacttest"
)

type entry = artifacttest.Entry

var (
	file    = artifacttest.File
	tarball = artifacttest.Tarball
	sha     = artifacttest.Digest
)

func TestVerify(t *testing.T) {
	data := []byte("artifact")
	tests := []struct {
		name, digest, err string
	}{
		{"sha256", sha(data), ""},
		{"upper-case hex", "sha256:" + strings.ToUpper(strings.TrimPrefix(sha(data), "sha256:")), ""},
		{"sha512", "sha512:0c4f4ff7e9ebd1b1c1a9c4ac5a7a4da6ba3d1d7f3c6a0b8f2c6f3c1a3e4b6f0f4e7a7d2a8d3a1b7f7c9e0d2b3a4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6", "digest mismatch"},
		{"mismatch", sha([]byte("other")), "digest mismatch: the artifact has sha256:"},
		{"empty", "", "has no digest"},
		{"no algorithm", "abc", "want <algorithm>:<hex>"},
		{"unknown algorithm", "md5:abc", "want <algorithm>:<hex>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			err := artifact.Verify(data, tt.digest)
			if tt.err == "" {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			var ae *artifact.Error
			g.Expect(err).To(BeAssignableToTypeOf(ae))
			g.Expect(err.Error()).To(ContainSubstring(tt.err))
		})
	}
}

func TestUnpack(t *testing.T) {
	lim := artifact.Limits{MaxSize: 1 << 20, MaxUnpacked: 100, MaxFileSize: 60, MaxEntries: 5}
	tests := []struct {
		name    string
		entries []entry
		want    []string // paths, in archive order
		err     string
	}{
		{name: "files and directories", entries: []entry{{Name: "./deploy/", Type: tar.TypeDir}, file("./deploy/a.yaml", "a"), file("b.json", "{}")},
			want: []string{"deploy/a.yaml", "b.json"}},
		{name: "root directory entry", entries: []entry{{Name: "./", Type: tar.TypeDir}, file("a.yaml", "a")}, want: []string{"a.yaml"}},
		{name: "empty archive", entries: nil, want: nil},
		{name: "dot-dot", entries: []entry{file("deploy/../../etc/passwd", "x")}, err: `entry "deploy/../../etc/passwd": a ".." element escapes the archive`},
		{name: "leading dot-dot", entries: []entry{file("../a.yaml", "x")}, err: `a ".." element escapes`},
		{name: "absolute", entries: []entry{file("/etc/passwd", "x")}, err: `entry "/etc/passwd": an absolute path`},
		{name: "backslash", entries: []entry{file(`..\a.yaml`, "x")}, err: "backslash"},
		{name: "symlink", entries: []entry{{Name: "a.yaml", Type: tar.TypeSymlink, Link: "/etc/passwd"}}, err: `entry "a.yaml" is a symbolic link (to "/etc/passwd")`},
		{name: "hard link", entries: []entry{file("a.yaml", "a"), {Name: "b.yaml", Type: tar.TypeLink, Link: "a.yaml"}}, err: `entry "b.yaml" is a hard link`},
		{name: "device", entries: []entry{{Name: "null", Type: tar.TypeChar}}, err: "is a device or FIFO"},
		{name: "fifo", entries: []entry{{Name: "pipe", Type: tar.TypeFifo}}, err: "is a device or FIFO"},
		{name: "duplicate", entries: []entry{file("a.yaml", "a"), file("./a.yaml", "b")}, err: `entry "./a.yaml" appears twice`},
		{name: "file over the limit", entries: []entry{file("big.yaml", strings.Repeat("x", 61))}, err: `file "big.yaml" is 61 bytes, more than the limit of 60`},
		{name: "total over the limit", entries: []entry{file("a.yaml", strings.Repeat("x", 60)), file("b.yaml", strings.Repeat("x", 41))}, err: "more than the limit of 100 bytes"},
		{name: "too many entries", entries: []entry{file("1", ""), file("2", ""), file("3", ""), file("4", ""), file("5", ""), file("6", "")}, err: "more than 5 entries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			files, err := artifact.Unpack(tarball(t, tt.entries...), lim)
			if tt.err != "" {
				var ae *artifact.Error
				g.Expect(err).To(BeAssignableToTypeOf(ae))
				g.Expect(err.Error()).To(ContainSubstring(tt.err))
				g.Expect(files).To(BeNil())
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			var paths []string
			for _, f := range files {
				paths = append(paths, f.Path)
			}
			g.Expect(paths).To(Equal(tt.want))
		})
	}
}

func TestUnpackMalformed(t *testing.T) {
	good := tarball(t, file("a.yaml", strings.Repeat("kind: ConfigMap\n", 50)))
	tests := []struct {
		name string
		data []byte
		err  string
	}{
		{"not gzip", []byte("plain text"), "not a gzip-compressed tarball"},
		{"truncated", good[:len(good)/2], "malformed archive"},
		{"gzip of no tar", gz(t, []byte(strings.Repeat("garbage ", 100))), "malformed archive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := artifact.Unpack(tt.data, artifact.DefaultLimits(1<<20))
			g.Expect(err).To(MatchError(ContainSubstring(tt.err)))
		})
	}
}

// TestUnpackBomb: a small archive of a large file stops at the limit.
func TestUnpackBomb(t *testing.T) {
	g := NewWithT(t)
	data := tarball(t, file("bomb.yaml", strings.Repeat("0", 8<<20)))
	g.Expect(len(data)).To(BeNumerically("<", 64<<10), "the archive is small")
	_, err := artifact.Unpack(data, artifact.DefaultLimits(1<<20))
	g.Expect(err).To(MatchError(ContainSubstring("more than the limit of 1048576")))
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

func TestSelect(t *testing.T) {
	files := []artifact.File{
		{Path: "README.md"}, {Path: "deploy/z.yaml"}, {Path: "deploy/api/b.yml"}, {Path: "deploy/a.JSON"},
		{Path: "deploy/notes.txt"}, {Path: "deployment.yaml"}, {Path: "root.yaml"},
	}
	tests := []struct {
		dir  string
		want []string
		err  string
	}{
		{dir: "", want: []string{"deploy/a.JSON", "deploy/api/b.yml", "deploy/z.yaml", "deployment.yaml", "root.yaml"}},
		{dir: "./", want: []string{"deploy/a.JSON", "deploy/api/b.yml", "deploy/z.yaml", "deployment.yaml", "root.yaml"}},
		{dir: "./deploy", want: []string{"deploy/a.JSON", "deploy/api/b.yml", "deploy/z.yaml"}},
		{dir: "deploy/api/", want: []string{"deploy/api/b.yml"}},
		{dir: "missing", err: `path "missing": the artifact has no files there`},
		{dir: "root.yaml", err: `path "root.yaml" is a file`},
		{dir: "../deploy", err: `path "../deploy": a ".." element escapes`},
		{dir: "/deploy", err: "an absolute path"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			g := NewWithT(t)
			got, err := artifact.Select(files, tt.dir)
			if tt.err != "" {
				g.Expect(err).To(MatchError(ContainSubstring(tt.err)))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			var paths []string
			for _, f := range got {
				paths = append(paths, f.Path)
			}
			g.Expect(paths).To(Equal(tt.want))
		})
	}
}
