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
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// DefaultTimeout bounds one download.
const DefaultTimeout = time.Minute

// defaultClient is the client of a Fetcher without one: shared, so that
// its connections are reused.
var defaultClient = &http.Client{Timeout: DefaultTimeout}

// Fetcher downloads, verifies and unpacks artifacts.
type Fetcher struct {
	// Client does the requests; nil uses one shared client with
	// DefaultTimeout.
	Client *http.Client
	// Limits bound the artifacts.
	Limits Limits
	// Cache, if set, keeps verified artifacts by digest for a while, so
	// that fetching one again does not download it again.
	Cache *Cache
}

// FetchError is a download that did not succeed: the server cannot be
// reached or answered with an error status. The artifact may be served
// later (source-controller restarts, a newer revision replaces it), so the
// caller may try again.
type FetchError struct {
	// URL is what was requested.
	URL string
	// Err is the cause.
	Err error
}

func (e *FetchError) Error() string { return fmt.Sprintf("GET %s: %v", e.URL, e.Err) }

// Unwrap returns the cause.
func (e *FetchError) Unwrap() error { return e.Err }

// Fetch downloads the artifact at rawURL, verifies it has digest, and
// unpacks it. size is the size the source announces, or a negative number
// when it announces none; an announced size over the limit is refused
// before anything is downloaded. An artifact that the Cache holds is not
// downloaded again.
func (f *Fetcher) Fetch(ctx context.Context, rawURL, digest string, size int64) ([]File, error) {
	download := func() ([]byte, error) {
		data, err := f.Download(ctx, rawURL, size)
		if err != nil {
			return nil, err
		}
		if err := Verify(data, digest); err != nil {
			return nil, err
		}
		return data, nil
	}
	var data []byte
	var err error
	if f.Cache != nil {
		data, err = f.Cache.get(digest, download)
	} else {
		data, err = download()
	}
	if err != nil {
		return nil, err
	}
	return Unpack(data, f.Limits)
}

// Download returns the bytes at rawURL, at most Limits.MaxSize of them.
func (f *Fetcher) Download(ctx context.Context, rawURL string, size int64) ([]byte, error) {
	limit := f.Limits.MaxSize
	if size > limit {
		return nil, invalid("the artifact is %d bytes, more than the limit of %d (--max-artifact-size)", size, limit)
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, invalid("artifact URL %q: want an http or https URL", rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, invalid("artifact URL %q: %v", rawURL, err)
	}
	c := f.Client
	if c == nil {
		c = defaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, &FetchError{URL: rawURL, Err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, &FetchError{URL: rawURL, Err: fmt.Errorf("the server answered %s", resp.Status)}
	}
	if resp.ContentLength > limit {
		return nil, invalid("the artifact is %d bytes, more than the limit of %d (--max-artifact-size)", resp.ContentLength, limit)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, &FetchError{URL: rawURL, Err: err}
	}
	if int64(len(data)) > limit {
		return nil, invalid("the artifact is more than the limit of %d bytes (--max-artifact-size)", limit)
	}
	return data, nil
}
