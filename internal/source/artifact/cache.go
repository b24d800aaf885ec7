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
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
	"k8s.io/utils/clock"
)

// DefaultCacheTTL is how long a Cache keeps an artifact after its last use.
const DefaultCacheTTL = 2 * time.Minute

// Cache keeps the verified bytes of recently fetched artifacts, by digest,
// so that a download is not repeated while an operation retries (another
// of its sources is not served yet) or while several operations start from
// the same revision. It is bounded twice: an artifact is dropped TTL after
// its last use (a timer, not a sweep), and the least recently used ones are
// dropped when the bytes held would pass MaxBytes. Concurrent fetches of
// one digest share one download. The zero value is not usable: use
// NewCache.
type Cache struct {
	maxBytes int64
	ttl      time.Duration
	clock    clock.WithDelayedExecution

	group singleflight.Group

	mu      sync.Mutex
	entries map[string]*cached
	held    int64
	uses    uint64 // a counter that orders entries by last use
}

// cached is one verified artifact.
type cached struct {
	data    []byte
	lastUse uint64
	timer   clock.Timer
}

// NewCache returns a cache of at most maxBytes of artifacts, each kept ttl
// after its last use; clk is nil for the real clock.
func NewCache(maxBytes int64, ttl time.Duration, clk clock.WithDelayedExecution) *Cache {
	if clk == nil {
		clk = clock.RealClock{}
	}
	return &Cache{maxBytes: maxBytes, ttl: ttl, clock: clk, entries: map[string]*cached{}}
}

// get returns the bytes of the artifact of digest: held ones, else those
// that download returns (verified), which it then holds.
func (c *Cache) get(digest string, download func() ([]byte, error)) ([]byte, error) {
	if data, ok := c.lookup(digest); ok {
		return data, nil
	}
	v, err, _ := c.group.Do(digest, func() (any, error) {
		if data, ok := c.lookup(digest); ok { // another call just stored it
			return data, nil
		}
		data, err := download()
		if err != nil {
			return nil, err
		}
		c.store(digest, data)
		return data, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// Len returns how many artifacts are held.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *Cache) lookup(digest string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[digest]
	if !ok {
		return nil, false
	}
	c.touch(digest, e)
	return e.data, true
}

func (c *Cache) store(digest string, data []byte) {
	size := int64(len(data))
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[digest]; ok {
		return
	}
	for c.held+size > c.maxBytes {
		c.evictOldest()
	}
	e := &cached{data: data}
	c.entries[digest] = e
	c.held += size
	c.touch(digest, e)
}

// touch marks e used now and restarts its expiry; c.mu is held.
func (c *Cache) touch(digest string, e *cached) {
	c.uses++
	e.lastUse = c.uses
	if e.timer != nil {
		e.timer.Stop()
	}
	use := e.lastUse
	e.timer = c.clock.AfterFunc(c.ttl, func() { c.expire(digest, use) })
}

// expire drops the entry of digest unless it was used again since use.
func (c *Cache) expire(digest string, use uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[digest]; ok && e.lastUse == use {
		e.timer = nil // it fired
		c.drop(digest, e)
	}
}

// evictOldest drops the least recently used entry; c.mu is held.
func (c *Cache) evictOldest() {
	var oldest string
	var e *cached
	for d, x := range c.entries {
		if e == nil || x.lastUse < e.lastUse {
			oldest, e = d, x
		}
	}
	if e != nil {
		c.drop(oldest, e)
	}
}

func (c *Cache) drop(digest string, e *cached) {
	if e.timer != nil {
		e.timer.Stop()
	}
	delete(c.entries, digest)
	c.held -= int64(len(e.data))
}
