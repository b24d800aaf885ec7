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
	"fmt"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

func TestOsWithFixedClock(t *testing.T) {
	g := NewWithT(t)
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	e := NewEngine(Options{Now: func() time.Time { return at }})
	got, err := e.Eval(context.Background(), `return {status = "Healthy",
		message = os.time() .. " " .. os.date("!%Y-%m-%dT%H:%M:%SZ") .. " " .. os.time({year = 2026, month = 3, day = 4, hour = 5, min = 6, sec = 7}) - os.time() .. " " .. os.date("!%j %A", 0)}`, false, dbInstance(nil))
	g.Expect(err).NotTo(HaveOccurred())
	_, offset := at.In(time.Local).Zone()
	g.Expect(got.Message).To(Equal(fmt.Sprintf("%d 2026-03-04T05:06:07Z %d 001 Thursday", at.Unix(), -offset)))
}

// A script that reads the time and is not Healthy may change its mind with
// no event of the object (a deadline): it asks to be judged again. One that
// reads no clock, or only formats a time it was given, waits for events;
// the state of one evaluation does not leak into the next.
func TestClockReadingScriptsAreRechecked(t *testing.T) {
	e := NewEngine(Options{Now: func() time.Time { return time.Unix(1000, 0) }})
	cases := []struct {
		name, script string
		recheck      time.Duration
	}{
		{"os.time()", `if os.time() < 2000 then return {status = "Progressing"} end return {status = "Degraded"}`, ClockRecheck},
		{"os.date() of now", `return {status = "Progressing", message = os.date("!%H")}`, ClockRecheck},
		{"os.clock()", `local c = os.clock() return {status = "Degraded", message = tostring(c)}`, ClockRecheck},
		{"Healthy needs no recheck", `return {status = "Healthy", message = tostring(os.time())}`, 0},
		{"no clock read", `return {status = "Progressing"}`, 0},
		{"a given time is no clock", `return {status = "Progressing", message = os.date("!%Y", 0) .. os.time({year = 2026, month = 1, day = 1})}`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewWithT(t)
			got, err := e.Eval(context.Background(), c.script, false, dbInstance(nil))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got.RecheckAfter).To(Equal(c.recheck))
		})
	}
}
