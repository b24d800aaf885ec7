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
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// The safe os library: os.time, os.date and os.clock, with Lua 5.1's
// semantics, reading the clock of Options.Now. Nothing else of os exists.

// maxDateFormat bounds the format of os.date, whose result is a few times
// larger than its format.
const maxDateFormat = 4096

// osTime is os.time([table]).
func (st *state) osTime(L *lua.LState) int {
	if L.GetTop() == 0 || L.Get(1) == lua.LNil {
		st.readClock = true
		L.Push(lua.LNumber(st.opts.Now().Unix()))
		return 1
	}
	t := L.CheckTable(1)
	field := func(name string, def int, required bool) int {
		switch v := t.RawGetString(name).(type) {
		case lua.LNumber:
			return int(v)
		case lua.LString:
			if n, err := strconv.Atoi(strings.TrimSpace(string(v))); err == nil {
				return n
			}
		}
		if required {
			L.RaiseError("field '%s' missing in date table", name)
		}
		return def
	}
	year, month, day := field("year", 0, true), field("month", 0, true), field("day", 0, true)
	hour, minute, sec := field("hour", 12, false), field("min", 0, false), field("sec", 0, false)
	when := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.Local)
	L.Push(lua.LNumber(when.Unix()))
	return 1
}

// osDate is os.date([format [, time]]).
func (st *state) osDate(L *lua.LState) int {
	format := L.OptString(1, "%c")
	if len(format) > maxDateFormat {
		L.RaiseError("os.date: format of %d bytes is too long", len(format))
	}
	var when time.Time
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		when = time.Unix(L.CheckInt64(2), 0)
	} else {
		st.readClock = true
		when = st.opts.Now()
	}
	when = when.In(time.Local)
	if strings.HasPrefix(format, "!") {
		format = format[1:]
		when = when.UTC()
	}
	if strings.HasPrefix(format, "*t") {
		t := L.CreateTable(0, 9)
		t.RawSetString("year", lua.LNumber(when.Year()))
		t.RawSetString("month", lua.LNumber(when.Month()))
		t.RawSetString("day", lua.LNumber(when.Day()))
		t.RawSetString("hour", lua.LNumber(when.Hour()))
		t.RawSetString("min", lua.LNumber(when.Minute()))
		t.RawSetString("sec", lua.LNumber(when.Second()))
		t.RawSetString("wday", lua.LNumber(int(when.Weekday())+1))
		t.RawSetString("yday", lua.LNumber(when.YearDay()))
		t.RawSetString("isdst", lua.LBool(when.IsDST()))
		L.Push(t)
		return 1
	}
	L.Push(lua.LString(strftime(when, format)))
	return 1
}

// osClock is os.clock(): seconds since the first os.clock call of this
// evaluation, which is what differences of os.clock() measure.
func (st *state) osClock(L *lua.LState) int {
	st.readClock = true
	now := float64(st.opts.Now().UnixNano()) / 1e9
	if !st.clockSet {
		st.clockStart, st.clockSet = now, true
	}
	L.Push(lua.LNumber(now - st.clockStart))
	return 1
}

// dateLayouts maps the C conversions of the "C" locale to Go layouts.
var dateLayouts = map[byte]string{
	'a': "Mon", 'A': "Monday", 'b': "Jan", 'h': "Jan", 'B': "January",
	'c': "Mon Jan _2 15:04:05 2006", 'd': "02", 'D': "01/02/06", 'x': "01/02/06",
	'e': "_2", 'F': "2006-01-02", 'H': "15", 'I': "03", 'm': "01", 'M': "04",
	'p': "PM", 'S': "05", 'T': "15:04:05", 'X': "15:04:05", 'y': "06",
	'Y': "2006", 'z': "-0700", 'Z': "MST",
}

// strftime formats t with the C conversions of the "C" locale; an unknown
// conversion is copied as is.
func strftime(t time.Time, format string) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b.WriteByte(c)
			continue
		}
		i++
		c = format[i]
		if layout, ok := dateLayouts[c]; ok {
			b.WriteString(t.Format(layout))
			continue
		}
		switch c {
		case 'j':
			b.WriteString(pad3(t.YearDay()))
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 'w':
			b.WriteString(strconv.Itoa(int(t.Weekday())))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(c)
		}
	}
	return b.String()
}

func pad3(n int) string {
	s := strconv.Itoa(n)
	return strings.Repeat("0", max(0, 3-len(s))) + s
}
