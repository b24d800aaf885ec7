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
	"encoding/json"
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/syncwave/syncwave/internal/health"
)

// toLua converts a JSON-like Go value (an unstructured object) the way Argo
// CD does: objects become tables with string keys, arrays tables indexed
// from 1 (a null element is skipped, so later elements move down, as in Argo
// CD), numbers numbers, null nil. A json.Number becomes a number too (Argo
// CD makes it a string; the API machinery never produces one).
func toLua(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case string:
		return lua.LString(x)
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return lua.LNumber(f)
		}
		return lua.LString(x)
	case map[string]any:
		t := L.CreateTable(0, len(x))
		for k, item := range x {
			if lv := toLua(L, item); lv != lua.LNil {
				t.RawSetString(k, lv)
			}
		}
		return t
	case []any:
		t := L.CreateTable(len(x), 0)
		for _, item := range x {
			t.Append(toLua(L, item))
		}
		return t
	}
	if n, ok := number(v); ok {
		return lua.LNumber(n)
	}
	return lua.LNil
}

// number converts the numeric types an unstructured object may hold.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case float32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case uint32:
		return float64(x), true
	}
	return 0, false
}

// validStatus lists the statuses a script may return.
var validStatus = map[health.Status]bool{
	health.Healthy: true, health.Progressing: true, health.Degraded: true,
	health.Suspended: true, health.Missing: true, health.Unknown: true,
}

// decodeResult reads the table a script returned. Like Argo CD it reads the
// raw fields status and message (both strings or absent) and ignores the rest.
func decodeResult(ret lua.LValue) (health.Result, error) {
	t, ok := ret.(*lua.LTable)
	if !ok {
		return health.Result{}, fmt.Errorf("%w: the script returned %s, want a table {status = ..., message = ...}", ErrInvalidResult, typeName(ret))
	}
	status, err := stringField(t, "status")
	if err != nil {
		return health.Result{}, err
	}
	message, err := stringField(t, "message")
	if err != nil {
		return health.Result{}, err
	}
	if status == "" {
		return health.Result{}, fmt.Errorf("%w: the script returned no status (want Healthy, Progressing, Degraded, Suspended, Missing or Unknown)", ErrInvalidResult)
	}
	if !validStatus[health.Status(status)] {
		return health.Result{}, fmt.Errorf("%w: the script returned the invalid health status %q (want Healthy, Progressing, Degraded, Suspended, Missing or Unknown)", ErrInvalidResult, status)
	}
	return health.Result{Status: health.Status(status), Message: message, Source: health.SourceLua}, nil
}

func stringField(t *lua.LTable, name string) (string, error) {
	switch v := t.RawGetString(name).(type) {
	case lua.LString:
		return string(v), nil
	case *lua.LNilType:
		return "", nil
	default:
		return "", fmt.Errorf("%w: the field %s of the returned table is a %s, want a string", ErrInvalidResult, name, typeName(v))
	}
}

func typeName(v lua.LValue) string {
	if v == nil {
		return "nil"
	}
	return v.Type().String()
}
