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

package lua

import (
	"context"
	"errors"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The matcher: a backtracking search over a compiled pattern, trying the
// choices of each quantifier in the order gopher-lua's pm tries them, so
// that it finds the same match. Backtracking can take exponential time
// ((.-)(.-)(.-)b against a long string), and one Go call never lets the Lua
// VM look at the deadline, so the matcher counts its steps and looks at the
// evaluation's context every pollSteps of them.
const (
	pollSteps = 1 << 12
	// maxMatchDepth bounds the nesting of backtracking points (one per
	// quantifier being tried), so that a pattern of thousands of x? cannot
	// exhaust the Go stack. Captures do not nest: they are not backtracking
	// points.
	maxMatchDepth = 10000
	// capOpen and capPosition are the ends of a capture still open and of a
	// position capture.
	capOpen     = -1
	capPosition = -2
	// keptFound is the largest record of matches a pooled state keeps.
	keptFound = 1 << 12
)

type capture struct{ start, end int }

// matcher holds one search. A state keeps one and reuses it: no Lua code
// runs while it searches, so calls cannot overlap.
type matcher struct {
	L      *lua.LState
	ctx    context.Context
	done   <-chan struct{}
	src    string
	pat    *pattern
	caps   []capture // by capture number, 0 unused
	depth  int
	budget int
	// found is where scan records the matches when asked to: start and end
	// of the match, then start and end of each capture.
	found []int32
	// start and end of the last match.
	start, end int
}

func (m *matcher) reset(L *lua.LState, src string, pat *pattern) {
	m.L, m.src, m.pat = L, src, pat
	m.ctx, m.done = L.Context(), nil
	if m.ctx != nil {
		m.done = m.ctx.Done()
	}
	// No zeroing: a match sets every capture before reading it.
	if n := pat.ncap + 1; cap(m.caps) >= n {
		m.caps = m.caps[:n]
	} else {
		m.caps = make([]capture, n)
	}
	m.depth, m.budget = 0, pollSteps
	m.found = m.found[:0]
}

// release drops what the matcher holds of the last evaluation when its
// state goes back to the pool: the subject may be large, and the context
// belongs to an evaluation that is over.
func (m *matcher) release() {
	m.L, m.ctx, m.done, m.src, m.pat = nil, nil, nil, "", nil
	if cap(m.found) > keptFound {
		m.found = nil
	}
}

// scan tries the pattern from init on as gopher-lua's string functions do:
// after a match at [s, e) the next try is at max(s+1, e); it stops after
// limit matches or, when the pattern is anchored, after the first try. As
// in gopher-lua, limit is compared after every try, so 0 stops after a
// failed first try and otherwise means no limit. It returns the number of
// matches; keep records them in found.
func (m *matcher) scan(init, limit int, keep bool) int {
	if keep && len(m.src) > math.MaxInt32 {
		m.L.RaiseError("string too long for pattern matching")
	}
	n := 0
	for sp := init; sp <= len(m.src); {
		if m.pat.first != nil && !m.pat.anchorStart && (limit != 0 || n > 0) {
			// No try can succeed before the next byte a match can begin
			// with, and skipping failed tries changes nothing: only a
			// failed first try with limit 0 ends the scan.
			j := m.skip(sp)
			if j < 0 {
				break
			}
			m.spend(j - sp)
			sp = j
		}
		next := sp + 1
		if e := m.match(sp, 0); e >= 0 {
			n++
			m.start, m.end = sp, e
			if keep {
				m.record(sp, e)
			}
			next = max(next, e)
		}
		if n == limit || m.pat.anchorStart {
			break
		}
		sp = next
	}
	return n
}

// skip returns the first position from sp on where a match can begin, or
// -1.
func (m *matcher) skip(sp int) int {
	if m.pat.firstByte >= 0 {
		if j := strings.IndexByte(m.src[sp:], byte(m.pat.firstByte)); j >= 0 {
			return sp + j
		}
		return -1
	}
	for ; sp < len(m.src); sp++ {
		if m.pat.first.has(m.src[sp]) {
			return sp
		}
	}
	return -1
}

func (m *matcher) record(s, e int) {
	m.spend(len(m.caps))
	m.found = append(m.found, int32(s), int32(e))
	for _, c := range m.caps[1:] {
		m.found = append(m.found, int32(c.start), int32(c.end))
	}
}

// spend counts n steps and polls the context when the budget is used up.
func (m *matcher) spend(n int) {
	if m.budget -= n; m.budget <= 0 {
		m.poll()
	}
}

func (m *matcher) poll() {
	m.budget = pollSteps
	select {
	case <-m.done:
		if cause := context.Cause(m.ctx); errors.Is(cause, errDeadline) || errors.Is(cause, context.DeadlineExceeded) {
			m.L.RaiseError("pattern matching stopped: the evaluation's deadline passed")
		} else {
			m.L.RaiseError("pattern matching stopped: the evaluation was stopped (%v)", cause)
		}
	default:
	}
}

// sub matches the rest of the pattern from item pc at sp, one level deeper.
func (m *matcher) sub(sp, pc int) int {
	if m.depth >= maxMatchDepth {
		m.L.RaiseError("pattern too complex: more than %d nested repetitions to backtrack into", maxMatchDepth)
	}
	m.depth++
	e := m.match(sp, pc)
	m.depth--
	return e
}

// match matches items[pc:] at sp and returns the end of the match, or -1.
// Captures need no undoing on backtracking: every path to an item sets all
// the captures before it, so what a failed path left is overwritten before
// it is read.
func (m *matcher) match(sp, pc int) int {
	src, items := m.src, m.pat.items
	for ; ; pc++ {
		if m.budget--; m.budget <= 0 {
			m.poll()
		}
		it := &items[pc]
		switch it.kind {
		case itemEnd:
			if m.pat.anchorEnd && sp != len(src) {
				return -1
			}
			return sp
		case itemOne:
			if sp >= len(src) || !it.set.has(src[sp]) {
				return -1
			}
			sp++
		case itemStar, itemPlus, itemLazy, itemOpt:
			var e int
			if sp, e = m.repeat(sp, pc, it); e != goOn {
				return e
			}
		case itemOpen:
			m.caps[it.n] = capture{sp, capOpen}
		case itemClose:
			m.caps[it.n].end = sp
		case itemPosition:
			m.caps[it.n] = capture{sp, capPosition}
		case itemBalance:
			if sp = m.balance(sp, it.open, it.close); sp < 0 {
				return -1
			}
		default:
			if sp = m.backref(sp, it); sp < 0 {
				return -1
			}
		}
	}
}

// goOn is what repeat returns when the rest of the pattern is to be matched
// at the position it returns, without going deeper.
const goOn = -2

// repeat matches the quantified item items[pc] at sp, trying the counts of
// bytes in the order pm does and the rest of the pattern after each. It
// returns the end of a match or -1, or goOn and the position of the last
// count, which the caller tries itself.
func (m *matcher) repeat(sp, pc int, it *patItem) (int, int) {
	src := m.src
	switch it.kind {
	case itemStar, itemPlus:
		least := 0
		if it.kind == itemPlus {
			least = 1
		}
		n := m.run(sp, &it.set)
		if n < least {
			return sp, -1
		}
		// Longest first.
		for i := n; i > least; i-- {
			if e := m.sub(sp+i, pc+1); e >= 0 {
				return sp, e
			}
		}
		return sp + least, goOn
	case itemLazy:
		for {
			if e := m.sub(sp, pc+1); e >= 0 {
				return sp, e
			}
			if sp >= len(src) || !it.set.has(src[sp]) {
				return sp, -1
			}
			sp++
			m.spend(1)
		}
	default: // itemOpt: with the byte first
		if sp < len(src) && it.set.has(src[sp]) {
			if e := m.sub(sp+1, pc+1); e >= 0 {
				return sp, e
			}
		}
		return sp, goOn
	}
}

// run counts the bytes of set from sp on.
func (m *matcher) run(sp int, set *charSet) int {
	i := sp
	for i < len(m.src) && set.has(m.src[i]) {
		i++
	}
	m.spend(i - sp)
	return i - sp
}

// balance matches %bxy at sp: x, then bytes up to the y that balances it.
func (m *matcher) balance(sp, x, y int) int {
	if sp >= len(m.src) || int(m.src[sp]) != x {
		return -1
	}
	depth := 1
	for i := sp + 1; i < len(m.src); i++ {
		switch int(m.src[i]) {
		case y:
			if depth--; depth == 0 {
				m.spend(i - sp)
				return i + 1
			}
		case x:
			depth++
		}
	}
	m.spend(len(m.src) - sp)
	return -1
}

// backref matches %n at sp. gopher-lua reads a capture that is still open,
// or a position capture, as a slice of its subject that may be out of
// range; it then fails with Go's runtime error, which is reproduced here.
func (m *matcher) backref(sp int, it *patItem) int {
	if it.kind == itemBackBad {
		m.L.RaiseError("invalid capture index")
	}
	c := m.caps[it.n]
	var text string
	switch {
	case it.kind == itemBackOpen:
		if c.start > 0 {
			goPanic(m.L, "runtime error: slice bounds out of range [%d:0]", c.start)
		}
	case c.end == capPosition:
		if c.start+1 > len(m.src) {
			goPanic(m.L, "runtime error: slice bounds out of range [:%d] with capacity %d", c.start+1, len(m.src))
		}
	default:
		text = m.src[c.start:c.end]
	}
	if len(m.src)-sp < len(text) || m.src[sp:sp+len(text)] != text {
		return -1
	}
	m.spend(len(text))
	return sp + len(text)
}
