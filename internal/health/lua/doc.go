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

// Package lua runs health checks written in Lua in Argo CD's format: the
// script sees the live object as the global obj and returns a table
// {status = "...", message = "..."}. A script that Argo CD runs gives the same
// status here.
//
// # Where scripts come from
//
// Overrides holds scripts by group and kind. ParseConfigMap reads the health
// ConfigMap with Argo CD's keys (resource.customizations.health.<group>_<Kind>,
// resource.customizations.useOpenLibs.<group>_<Kind> and the YAML
// resource.customizations key, whose entries hold health.lua and
// health.lua.useOpenLibs, with * wildcards in the group or kind); a key
// that does not parse is a *KeyError naming it, and the kinds it was meant
// for get a broken Script (Script.Err) that judges their objects Unknown
// with that error, so that nothing is dropped silently. FromHealthChecks
// reads spec.healthChecks of a SyncOperation. LoadTree reads a directory
// tree laid out as Argo CD's resource_customizations
// (<group>/<Kind>/health.lua, a _ in a name being the wildcard) and looks
// up as Argo CD does for its built-in scripts: the exact directory, then the
// wildcard directories in byte order of their paths; LoadLibrary reads
// syncwave's own tree (config/health) that way. ConfigMapData writes any
// Overrides back in the ConfigMap format (kubectl syncwave health import).
//
// In a ConfigMap, an exact group/kind wins over a wildcard and, among
// wildcards, the one with the most literal characters. Engine.Assessor asks
// its layers in order, so the first layer with a script for the object's
// kind wins. RunFixtures runs Argo CD-style health_test.yaml fixtures,
// picking each object's script from the tree by the object's group and kind,
// as Argo CD's own test driver does.
//
// # The sandbox
//
// Every evaluation gets a fresh global environment (states are pooled, their
// globals are not shared between evaluations) holding:
//
//   - base: assert, error, getmetatable, ipairs, next, pairs, pcall,
//     rawequal, rawget, rawset, select, setmetatable (tables only),
//     tonumber, tostring, type, unpack, xpcall, _G, _VERSION, print (to
//     Options.Print, discarded by default), collectgarbage (a no-op) and
//     require (only of the libraries below; never of files). There is no
//     dofile, loadfile, load, loadstring, getfenv, setfenv, module or
//     newproxy, and no package library.
//   - table.
//   - os with only time, date and clock. A script that reads the time
//     (os.time(), os.date() of now, os.clock()) and does not find the object
//     Healthy is judged again after ClockRecheck: its answer may change with
//     no event of the object (a deadline in the script).
//   - with useOpenLibs: also string (without dump) and math.
//
// useOpenLibs follows Argo CD: without it Argo CD gives a health script the
// base, table and package libraries and a safe os only, so string.* and
// math.* (and the s:find method syntax) fail there and fail here the same way;
// with it Argo CD opens all of gopher-lua's standard libraries. We open string
// and math for it, never io, debug, the unsafe os functions (execute, remove,
// exit, ...), coroutine or channel, so a script that reaches for those gets an
// error where Argo CD would run it.
//
// Each evaluation has a deadline (Options.Timeout, 1 s by default), a
// bounded call stack and data stack, a cap on the strings that one library
// call may build (string.rep, string.format, string.gsub, table.concat) and a
// watchdog that stops an evaluation running longer than a few milliseconds
// while the heap grows past Options.MaxMemoryBytes. A script that fails in any
// way gives Unknown with a message saying why, and an error wrapping one of
// ErrCompile, ErrRuntime, ErrTimeout, ErrMemoryLimit or ErrInvalidResult, so
// that the caller can count script errors; nothing panics out of Eval.
//
// string.find, string.match, string.gmatch and string.gsub are our own
// (pattern.go, match.go, strlib.go): gopher-lua's pattern matcher never
// looks at the deadline, so one call on a hostile pattern ((.-)(.-)(.-)b,
// or .*x on a large annotation) would hold a worker for hours. Ours give
// gopher-lua's results and errors, including where gopher-lua departs from
// Lua 5.1 (no %f frontier, for one), but stop at the deadline, and fail with
// "pattern too complex" beyond 10000 nested repetitions to backtrack into
// instead of growing the Go stack.
//
// The package is pure with respect to clusters: it reads objects, never an
// API server, and keeps no clock of its own (scripts get the wall clock
// through os.time and os.date only).
package lua
