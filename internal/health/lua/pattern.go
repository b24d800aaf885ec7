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
	"fmt"
)

// Lua patterns, parsed as gopher-lua's pattern package (pm) parses them.
// Argo CD runs gopher-lua, so a script must find what it finds there, and
// pm differs from Lua 5.1 in places; we follow pm:
//
//   - '^' anchors only at the very start and '$' only as the last byte of the
//     pattern outside any capture; elsewhere both are literal. A pattern
//     anchored with '^' is tried at one position only, in gmatch and gsub too.
//   - A quantifier (* + - ?) applies to the single-byte item just before it;
//     after nothing, a capture, a back-reference or %b it is a literal byte.
//   - %z is the NUL byte. %f is a literal 'f' (pm has no frontier pattern). A
//     '%' before any other byte (or none) is that byte (or never matches);
//     %b with missing delimiters never matches. None of these is an error.
//   - In a set, a range needs a plain byte at both ends: [%a-z] or [a-%z]
//     hold neither end, only what the set's other members hold.
//   - A back-reference is checked when the matcher reaches it: one to a
//     capture not yet opened (or to the capture it is inside of, when that is
//     the last opened) is "invalid capture index".
//
// The errors pm reports for a malformed pattern are reproduced with their
// positions ("unfinished capture at EOS", "unexpected EOS at 3", ...).

type itemKind uint8

const (
	itemOne      itemKind = iota // one byte of set
	itemStar                     // set*: greedy
	itemPlus                     // set+: greedy, at least one
	itemLazy                     // set-: as few as possible
	itemOpt                      // set?: one if possible
	itemOpen                     // ( of capture n
	itemClose                    // ) of capture n
	itemPosition                 // () as capture n
	itemBalance                  // %bxy, x and y in open, close (-1: missing)
	itemBackref                  // %n, capture n closed here
	itemBackOpen                 // %n inside capture n, which is still open
	itemBackBad                  // %n that pm finds invalid when reached
	itemEnd
)

type patItem struct {
	set         charSet
	kind        itemKind
	n           int
	open, close int
}

// pattern is a compiled pattern; it is immutable and may be cached.
type pattern struct {
	items       []patItem
	ncap        int
	anchorStart bool
	anchorEnd   bool
	// first holds the bytes a match can begin with (nil: any, or none),
	// firstByte the only one or -1: the matcher skips to them instead of
	// trying every position.
	first     *charSet
	firstByte int
}

// patternError is a malformed pattern, worded as pm words it.
type patternError struct {
	msg string
	pos int // -1: at the end of the pattern
}

func (e *patternError) Error() string {
	if e.pos < 0 {
		return e.msg + " at EOS"
	}
	return fmt.Sprintf("%s at %d", e.msg, e.pos)
}

const eos = -1

type patParser struct {
	p string
	i int
	// overrun is set once a byte was read past the end; error positions are
	// then "EOS", as in pm.
	overrun bool
	out     pattern
	open    []int // captures opened and not closed, innermost last
	closed  []bool
}

func (ps *patParser) peek() int {
	if ps.i < len(ps.p) {
		return int(ps.p[ps.i])
	}
	return eos
}

func (ps *patParser) next() int {
	if ps.i < len(ps.p) {
		ps.i++
		return int(ps.p[ps.i-1])
	}
	ps.overrun = true
	return eos
}

// fail reports msg at pm's position: the last byte read (0 before any).
func (ps *patParser) fail(msg string) error {
	if ps.overrun {
		return &patternError{msg, -1}
	}
	return &patternError{msg, max(ps.i-1, 0)}
}

func (ps *patParser) add(it patItem) { ps.out.items = append(ps.out.items, it) }

// compilePattern parses p into a list of items ending in itemEnd. Captures
// are numbered in the order they open; the parser follows pm's order of
// reading, so that an error is reported at the position pm reports it.
func compilePattern(p string) (*pattern, error) {
	ps := &patParser{p: p, out: pattern{firstByte: -1}}
	if ps.peek() == '^' {
		ps.next()
		ps.out.anchorStart = true
	}
	for {
		var err error
		switch c := ps.peek(); c {
		case eos:
			return ps.end()
		case '%':
			err = ps.percent()
		case '.', '[':
			var cs charSet
			cs, err = ps.class(true)
			ps.add(patItem{kind: itemOne, set: cs})
		case '(':
			ps.openCapture()
		case ')':
			err = ps.closeCapture()
		case '*', '+', '-', '?':
			ps.next()
			if last := len(ps.out.items) - 1; last >= 0 && ps.out.items[last].kind == itemOne {
				ps.out.items[last].kind = quantifier(c)
			} else {
				ps.add(literal(c))
			}
		case '$':
			if len(ps.open) == 0 && ps.i == len(ps.p)-1 {
				ps.out.anchorEnd = true
			} else {
				ps.add(literal(c))
			}
			ps.next()
		default:
			ps.next()
			ps.add(literal(c))
		}
		if err != nil {
			return nil, err
		}
	}
}

func (ps *patParser) end() (*pattern, error) {
	ps.next()
	if len(ps.open) > 0 {
		return nil, ps.fail("unfinished capture")
	}
	ps.add(patItem{kind: itemEnd})
	ps.out.ncap = len(ps.closed)
	if ps.out.first = firstSet(ps.out.items); ps.out.first != nil {
		ps.out.firstByte = ps.out.first.single()
	}
	return &ps.out, nil
}

// percent reads an item that begins with '%'.
func (ps *patParser) percent() error {
	ps.next()
	switch d := ps.peek(); {
	case d == '0':
		return ps.fail("invalid capture index")
	case '1' <= d && d <= '9':
		ps.next()
		ps.add(ps.backref(d - '0'))
	case d == 'b':
		ps.next()
		ps.add(patItem{kind: itemBalance, open: ps.next(), close: ps.next()})
	default:
		ps.add(patItem{kind: itemOne, set: ps.escaped()})
	}
	return nil
}

// openCapture reads '(' or '()'. Captures are numbered in the order they
// open, position captures included.
func (ps *patParser) openCapture() {
	ps.next()
	n := len(ps.closed) + 1
	if ps.peek() == ')' {
		ps.next()
		ps.closed = append(ps.closed, true)
		ps.add(patItem{kind: itemPosition, n: n})
		return
	}
	ps.closed = append(ps.closed, false)
	ps.open = append(ps.open, n)
	ps.add(patItem{kind: itemOpen, n: n})
}

func (ps *patParser) closeCapture() error {
	if len(ps.open) == 0 {
		return ps.fail("invalid ')'")
	}
	ps.next()
	n := ps.open[len(ps.open)-1]
	ps.open = ps.open[:len(ps.open)-1]
	ps.closed[n-1] = true
	ps.add(patItem{kind: itemClose, n: n})
	return nil
}

func quantifier(c int) itemKind {
	switch c {
	case '*':
		return itemStar
	case '+':
		return itemPlus
	case '-':
		return itemLazy
	}
	return itemOpt
}

func literal(c int) patItem {
	it := patItem{kind: itemOne}
	it.set.add(c)
	return it
}

// backref classifies %n where it stands, as pm's check at match time will:
// valid once the capture has been opened, except inside itself when it is
// the capture opened last.
func (ps *patParser) backref(n int) patItem {
	opened := len(ps.closed)
	switch {
	case n > opened || (n == opened && !ps.closed[n-1]):
		return patItem{kind: itemBackBad, n: n}
	case !ps.closed[n-1]:
		return patItem{kind: itemBackOpen, n: n}
	}
	return patItem{kind: itemBackref, n: n}
}

// escaped reads the byte after a '%' (none: the empty set).
func (ps *patParser) escaped() charSet {
	if k := ps.next(); k != eos {
		return escapes[k]
	}
	return charSet{}
}

// class reads one single-byte class; '.' and '[' are special at the top
// level only (inside a set they are literal).
func (ps *patParser) class(top bool) (charSet, error) {
	switch c := ps.next(); {
	case c == '%':
		return ps.escaped(), nil
	case c == '.' && top:
		var all charSet
		all.invert()
		return all, nil
	case c == '[' && top:
		return ps.set()
	default:
		return literal(c).set, nil
	}
}

// set reads a set after its '['. A member ends a range only when it and the
// member before are plain bytes (see the type's comment); a range of
// anything else matches nothing.
func (ps *patParser) set() (charSet, error) {
	var acc, last charSet
	lastByte, members, ranging := -1, 0, false
	negate := ps.peek() == '^'
	if negate {
		ps.next()
	}
	for {
		c := ps.peek()
		switch {
		case c == eos:
			return charSet{}, ps.fail("unexpected EOS")
		case c == ']' && members > 0:
			ps.next()
			acc.union(&last)
			if ranging {
				acc.add('-')
			}
			if negate {
				acc.invert()
			}
			return acc, nil
		case c == '-' && members > 0:
			ps.next()
			ranging = true
			continue
		}
		b := -1
		if c != '%' {
			b = c
		}
		cs, _ := ps.class(false) // no error: '[' is literal here
		members++
		if !ranging {
			acc.union(&last)
			last, lastByte = cs, b
			continue
		}
		ranging = false
		last = charSet{}
		if lastByte >= 0 && b >= 0 {
			for x := lastByte; x <= b; x++ {
				last.add(x)
			}
		}
		lastByte = -1
	}
}

// firstSet is the set of the bytes a match can begin with, when the first
// item that consumes input is a one-byte set (alone or with +).
func firstSet(items []patItem) *charSet {
	for i := range items {
		switch items[i].kind {
		case itemOpen, itemPosition:
			continue
		case itemOne, itemPlus:
			return &items[i].set
		}
		return nil
	}
	return nil
}
