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

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/syncwave/syncwave/internal/manifest"
	"github.com/syncwave/syncwave/internal/plan"
)

// The JSON shape of `plan -o json` (SPEC §10). Lists are never null.
type (
	planJSON struct {
		Steps  []planStepJSON `json:"steps"`
		OnFail []planStepJSON `json:"onFail"`
		// OnDelete are the PreDelete and PostDelete steps, which only a
		// Delete operation runs (SPEC §13).
		OnDelete []planStepJSON     `json:"onDelete"`
		Skipped  []planResourceJSON `json:"skipped"`
		Warnings []planWarningJSON  `json:"warnings"`
		Errors   []planErrorJSON    `json:"errors"`
	}
	planStepJSON struct {
		Phase     string             `json:"phase"`
		Wave      int32              `json:"wave"`
		Resources []planResourceJSON `json:"resources"`
	}
	planResourceJSON struct {
		Group          string   `json:"group"`
		Version        string   `json:"version"`
		Kind           string   `json:"kind"`
		Namespace      string   `json:"namespace"`
		Name           string   `json:"name"`
		Hook           string   `json:"hook"`
		HookTypes      []string `json:"hookTypes"`
		DeletePolicies []string `json:"deletePolicies"`
		// DependsOn are the objects of the step this one waits for
		// (syncwave.dev/depends-on), as group/Kind/namespace/name.
		DependsOn []string `json:"dependsOn"`
	}
	planWarningJSON struct {
		Code     string `json:"code"`
		Resource string `json:"resource"`
		Message  string `json:"message"`
	}
	planErrorJSON struct {
		Resource string `json:"resource,omitempty"`
		Source   string `json:"source,omitempty"`
		Field    string `json:"field,omitempty"`
		Message  string `json:"message"`
	}
)

func writePlanJSON(w io.Writer, p *plan.Plan, planErr error) error {
	out := planJSON{
		Steps: []planStepJSON{}, OnFail: []planStepJSON{}, OnDelete: []planStepJSON{}, Skipped: []planResourceJSON{},
		Warnings: []planWarningJSON{}, Errors: planErrors(planErr),
	}
	if p != nil {
		out.Steps = stepsJSON(p.Steps)
		out.OnFail = stepsJSON(p.OnFail)
		out.OnDelete = stepsJSON(p.OnDelete)
		for i := range p.Skipped {
			out.Skipped = append(out.Skipped, resourceJSON(&p.Skipped[i]))
		}
		for _, wn := range p.Warnings {
			out.Warnings = append(out.Warnings, planWarningJSON{Code: wn.Code, Resource: wn.Resource.String(), Message: wn.Message})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func stepsJSON(steps []plan.Step) []planStepJSON {
	out := make([]planStepJSON, 0, len(steps))
	for _, s := range steps {
		js := planStepJSON{Phase: string(s.Phase), Wave: s.Wave, Resources: make([]planResourceJSON, 0, len(s.Tasks))}
		for i := range s.Tasks {
			js.Resources = append(js.Resources, resourceJSON(&s.Tasks[i]))
		}
		out = append(out, js)
	}
	return out
}

func resourceJSON(t *plan.Task) planResourceJSON {
	r := planResourceJSON{
		Group: t.ID.Group, Version: t.Version, Kind: t.ID.Kind, Namespace: t.ID.Namespace, Name: t.ID.Name,
		HookTypes: []string{}, DeletePolicies: []string{}, DependsOn: []string{},
	}
	for _, d := range t.DependsOn {
		r.DependsOn = append(r.DependsOn, d.String())
	}
	if h := t.Hook; h != nil {
		r.Hook = string(h.Type)
		for _, ht := range h.Types {
			r.HookTypes = append(r.HookTypes, string(ht))
		}
		for _, dp := range h.DeletePolicies {
			r.DeletePolicies = append(r.DeletePolicies, string(dp))
		}
	}
	return r
}

// planErrors flattens the errors of planning into JSON entries: one per
// bad document or field.
func planErrors(err error) []planErrorJSON {
	out := []planErrorJSON{}
	if err == nil {
		return out
	}
	var ve *plan.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Errs {
			e := planErrorJSON{Source: fe.Origin, Field: fe.Field, Message: fe.Msg}
			if fe.ID.Kind != "" || fe.ID.Name != "" {
				e.Resource = fe.ID.String()
			}
			out = append(out, e)
		}
		return out
	}
	for _, e := range unjoin(err) {
		var me *manifest.Error
		if errors.As(e, &me) {
			source := me.Where()
			msg := me.Msg
			if me.Err != nil {
				msg += ": " + me.Err.Error()
			}
			out = append(out, planErrorJSON{Source: source, Field: me.Field, Message: msg})
			continue
		}
		out = append(out, planErrorJSON{Message: e.Error()})
	}
	return out
}

// unjoin returns the leaves of errors.Join trees.
func unjoin(err error) []error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, unjoin(e)...)
	}
	return out
}

// writePlanTable prints the plan for people: a header a step, a line a
// task with its hook types and delete policies, aligned across the whole
// plan, then skipped objects, warnings and a summary.
func writePlanTable(w io.Writer, p *plan.Plan) error {
	var rows [][]string // nil row: a step header follows in headers
	var headers []string
	addStep := func(title string, tasks []plan.Task) {
		headers = append(headers, title)
		rows = append(rows, nil)
		for i := range tasks {
			rows = append(rows, taskCells(&tasks[i]))
		}
	}
	for _, s := range p.Steps {
		addStep(fmt.Sprintf("%s wave %d", s.Phase, s.Wave), s.Tasks)
	}
	for _, s := range p.OnFail {
		addStep(fmt.Sprintf("%s wave %d (runs only on failure)", s.Phase, s.Wave), s.Tasks)
	}
	for _, s := range p.OnDelete {
		addStep(fmt.Sprintf("%s wave %d (runs only when the application is torn down: kubectl syncwave delete)", s.Phase, s.Wave), s.Tasks)
	}
	if len(p.Skipped) > 0 {
		addStep("Skipped (never applied)", p.Skipped)
	}
	var b strings.Builder
	widths := columnWidths(rows)
	h := 0
	for _, row := range rows {
		if row == nil {
			b.WriteString(headers[h] + "\n")
			h++
			continue
		}
		line := "  "
		for i, cell := range row {
			if i < len(row)-1 {
				cell += strings.Repeat(" ", widths[i]-len(cell)+2)
			}
			line += cell
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	if len(p.Warnings) > 0 {
		fmt.Fprintf(&b, "\nWarnings:\n")
		for _, wn := range p.Warnings {
			fmt.Fprintf(&b, "  %s %s: %s\n", wn.Code, wn.Resource, wn.Message)
		}
	}
	fmt.Fprintf(&b, "\n%s\n", summary(p))
	_, err := io.WriteString(w, b.String())
	return err
}

func taskCells(t *plan.Task) []string {
	kind := t.ID.Kind
	if t.ID.Group != "" {
		kind = t.ID.Group + "/" + kind
	}
	name := t.ID.Name
	if t.ID.Namespace != "" {
		name = t.ID.Namespace + "/" + name
	}
	cells := []string{kind, name, "", ""}
	if h := t.Hook; h != nil {
		if h.GenerateName {
			cells[1] += "*"
		}
		if h.Type != "Skip" {
			types := make([]string, len(h.Types))
			for i, ht := range h.Types {
				types[i] = string(ht)
			}
			cells[2] = "hook " + strings.Join(types, ",")
			policies := make([]string, len(h.DeletePolicies))
			for i, dp := range h.DeletePolicies {
				policies[i] = string(dp)
			}
			cells[3] = "delete " + strings.Join(policies, ",")
		}
	}
	if t.MovedAheadOf != nil {
		cells = append(cells, "(moved ahead of "+t.MovedAheadOf.String()+")")
	}
	if len(t.DependsOn) > 0 {
		deps := make([]string, len(t.DependsOn))
		for i, d := range t.DependsOn {
			deps[i] = d.String()
		}
		cells = append(cells, "waits for "+strings.Join(deps, ", "))
	}
	return cells
}

func columnWidths(rows [][]string) []int {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], len(cell))
		}
	}
	return widths
}

func summary(p *plan.Plan) string {
	tasks, hooks := 0, 0
	for _, s := range p.Steps {
		for i := range s.Tasks {
			tasks++
			if s.Tasks[i].IsHook() {
				hooks++
			}
		}
	}
	s := fmt.Sprintf("%s, %s (%s)", count(len(p.Steps), "step"), count(tasks, "task"), count(hooks, "hook"))
	if len(p.OnFail) > 0 {
		s += ", " + count(len(p.OnFail), "SyncFail step")
	}
	if len(p.OnDelete) > 0 {
		s += ", " + count(len(p.OnDelete), "teardown hook step")
	}
	if len(p.Skipped) > 0 {
		s += fmt.Sprintf(", %d skipped", len(p.Skipped))
	}
	if n := len(p.Warnings); n > 0 {
		s += ", " + count(n, "warning")
	} else {
		s += ", no warnings"
	}
	return s
}

// count renders "1 step" or "2 steps".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
