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

// charSet is a set of bytes: every single-byte item of a pattern (a byte,
// '.', a %class, a [set]) is compiled into one, so that matching a byte is
// a bit test.
type charSet [4]uint64

func (cs *charSet) has(c byte) bool { return cs[c>>6]&(1<<(c&63)) != 0 }
func (cs *charSet) add(c int)       { cs[c>>6] |= 1 << (c & 63) }

func (cs *charSet) union(o *charSet) {
	for i := range cs {
		cs[i] |= o[i]
	}
}

func (cs *charSet) invert() {
	for i := range cs {
		cs[i] = ^cs[i]
	}
}

// single returns the byte of a one-byte set, or -1.
func (cs *charSet) single() int {
	found := -1
	for c := range 256 {
		if cs.has(byte(c)) {
			if found >= 0 {
				return -1
			}
			found = c
		}
	}
	return found
}

// escapes[k] is what %k matches: a class of the C locale for the letters
// of Lua's classes (and %z, NUL, which gopher-lua keeps from Lua 5.0), its
// complement for their upper case, and k itself for any other byte.
var escapes = func() (t [256]charSet) {
	for k := range 256 {
		for c := range 256 {
			if escapeHas(byte(k), byte(c)) {
				t[k].add(c)
			}
		}
	}
	return t
}()

func escapeHas(k, c byte) bool {
	in, isClass := classHas(k|0x20, c)
	switch {
	case !isClass:
		return c == k
	case k < 'a':
		return !in
	}
	return in
}

// classHas tells whether c is in the class of the lower-case letter k, and
// whether k names a class at all.
func classHas(k, c byte) (in, isClass bool) {
	switch k {
	case 'a':
		return isLower(c) || isUpper(c), true
	case 'c':
		return c < 0x20 || c == 0x7f, true
	case 'd':
		return isDigit(c), true
	case 'l':
		return isLower(c), true
	case 'p':
		return c > 0x20 && c < 0x7f && !isAlnum(c), true
	case 's':
		return c == ' ' || ('\t' <= c && c <= '\r'), true
	case 'u':
		return isUpper(c), true
	case 'w':
		return isAlnum(c), true
	case 'x':
		return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'f'), true
	case 'z':
		return c == 0, true
	}
	return false, false
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isAlnum(c byte) bool { return isLower(c) || isUpper(c) || isDigit(c) }
