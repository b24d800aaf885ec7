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

package artifact

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"slices"
	"strings"
)

// File is one regular file of an artifact.
type File struct {
	// Path is the file's name in the archive, cleaned: relative, with
	// forward slashes, without a leading "./".
	Path string
	// Data is its content.
	Data []byte
}

// Limits bound what an artifact may hold.
type Limits struct {
	// MaxSize bounds the artifact as downloaded (compressed), in bytes.
	MaxSize int64
	// MaxUnpacked bounds the sum of the sizes of its files, unpacked.
	MaxUnpacked int64
	// MaxFileSize bounds one file, unpacked.
	MaxFileSize int64
	// MaxEntries bounds the number of entries (files and directories).
	MaxEntries int
}

// DefaultMaxSize is the default of --max-artifact-size.
const DefaultMaxSize = 50 << 20

// DefaultLimits returns the limits of an artifact of at most maxSize bytes:
// its unpacked content and each of its files are bounded by maxSize as
// well, and it holds at most 10,000 entries.
func DefaultLimits(maxSize int64) Limits {
	return Limits{MaxSize: maxSize, MaxUnpacked: maxSize, MaxFileSize: maxSize, MaxEntries: 10000}
}

// Error is a problem with the artifact itself: a digest mismatch, a size
// over a limit, an archive that is malformed or names what it must not.
type Error struct {
	// Msg says what is wrong.
	Msg string
	// Err is the underlying cause, if any.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func invalid(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// newHash returns the hash of a digest's algorithm.
func newHash(algorithm string) (hash.Hash, bool) {
	switch algorithm {
	case "sha256":
		return sha256.New(), true
	case "sha384":
		return sha512.New384(), true
	case "sha512":
		return sha512.New(), true
	}
	return nil, false
}

// Verify checks that data has the digest "<algorithm>:<hex>".
func Verify(data []byte, digest string) error {
	algorithm, want, ok := strings.Cut(digest, ":")
	if digest == "" {
		return invalid("the artifact has no digest: nothing can be verified")
	}
	h, known := newHash(algorithm)
	if !ok || !known || want == "" {
		return invalid("digest %q: want <algorithm>:<hex> with sha256, sha384 or sha512", digest)
	}
	h.Write(data)
	if got := hex.EncodeToString(h.Sum(nil)); got != strings.ToLower(want) {
		return invalid("digest mismatch: the artifact has %s:%s, the source says %s", algorithm, got, digest)
	}
	return nil
}

// Unpack reads a gzip-compressed tarball into memory, in archive order,
// within lim; see the package doc for what it refuses.
func Unpack(data []byte, lim Limits) ([]File, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, &Error{Msg: "the artifact is not a gzip-compressed tarball", Err: err}
	}
	defer func() { _ = zr.Close() }()
	tr := tar.NewReader(zr)
	var (
		files   []File
		seen    = map[string]bool{}
		total   int64
		entries int
	)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, &Error{Msg: "malformed archive", Err: err}
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue // PAX global headers carry no file
		}
		if entries++; entries > lim.MaxEntries {
			return nil, invalid("the archive has more than %d entries", lim.MaxEntries)
		}
		name, err := entryName(hdr)
		if err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, invalid("entry %q appears twice in the archive", hdr.Name)
		}
		seen[name] = true
		if hdr.Typeflag == tar.TypeDir {
			continue
		}
		if hdr.Size > lim.MaxFileSize {
			return nil, invalid("file %q is %d bytes, more than the limit of %d", name, hdr.Size, lim.MaxFileSize)
		}
		if total += hdr.Size; total > lim.MaxUnpacked {
			return nil, invalid("the unpacked files are more than the limit of %d bytes", lim.MaxUnpacked)
		}
		// The header's size is what tar reads; a short body is an error.
		b := make([]byte, hdr.Size)
		if _, err := io.ReadFull(tr, b); err != nil {
			return nil, &Error{Msg: fmt.Sprintf("malformed archive: file %q", name), Err: err}
		}
		files = append(files, File{Path: name, Data: b})
	}
}

// entryName returns the cleaned name of a regular file or directory entry,
// or an error for any other kind of entry or a name outside the archive.
func entryName(hdr *tar.Header) (string, error) {
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeDir:
	case tar.TypeSymlink:
		return "", invalid("entry %q is a symbolic link (to %q): links are not allowed", hdr.Name, hdr.Linkname)
	case tar.TypeLink:
		return "", invalid("entry %q is a hard link (to %q): links are not allowed", hdr.Name, hdr.Linkname)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		return "", invalid("entry %q is a device or FIFO: only files and directories are allowed", hdr.Name)
	default:
		return "", invalid("entry %q has type %q: only files and directories are allowed", hdr.Name, string(hdr.Typeflag))
	}
	name, err := Clean(hdr.Name)
	if err != nil {
		return "", invalid("entry %q: %v", hdr.Name, err)
	}
	if name == "" {
		if hdr.Typeflag == tar.TypeDir {
			return ".", nil
		}
		return "", invalid("entry %q has no name", hdr.Name)
	}
	return name, nil
}

// Clean returns p relative to the root of an archive: forward slashes, no
// "./" or trailing slash, "" for the root itself. An absolute path, a
// backslash or a ".." element is refused, so that nothing names a place
// outside the archive.
func Clean(p string) (string, error) {
	if strings.HasPrefix(p, "/") || strings.Contains(p, `\`) {
		return "", errors.New("an absolute path or a backslash escapes the archive")
	}
	if slices.Contains(strings.Split(p, "/"), "..") {
		return "", errors.New(`a ".." element escapes the archive`)
	}
	c := path.Clean(p)
	if c == "." {
		return "", nil
	}
	return c, nil
}

// Manifest tells the files read as manifests: *.yaml, *.yml and *.json.
func Manifest(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// Select returns the manifest files under dir (cleaned with Clean; "" for
// the root), recursively, sorted by path. It fails when dir is not a
// directory of the artifact with files in it. When dir holds a
// kustomization file, its rendering (Kustomize) is the only file.
func Select(files []File, dir string) ([]File, error) {
	d, err := Clean(dir)
	if err != nil {
		return nil, invalid("path %q: %v", dir, err)
	}
	prefix := d + "/"
	found := d == ""
	var out []File
	for _, f := range files {
		if d != "" && !strings.HasPrefix(f.Path, prefix) {
			if f.Path == d {
				return nil, invalid("path %q is a file, not a directory of the artifact", dir)
			}
			continue
		}
		found = true
		if Manifest(f.Path) {
			out = append(out, f)
		}
	}
	if !found {
		return nil, invalid("path %q: the artifact has no files there", dir)
	}
	for _, f := range files {
		dirOf := path.Dir(f.Path)
		if dirOf == "." {
			dirOf = ""
		}
		if dirOf == d && IsKustomizationFile(f.Path) {
			// Built as Flux's kustomize-controller builds its path.
			k, err := Kustomize(files, d)
			if err != nil {
				return nil, err
			}
			return []File{k}, nil
		}
	}
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}
