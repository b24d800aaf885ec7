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
	"testing"

	. "github.com/onsi/gomega"
)

// TestAMissingArgumentIsNamed: a command run without its NAME (or with
// too many arguments) says which argument it needs and how it is used,
// not cobra's "accepts 1 arg(s), received 0"; nothing is contacted.
func TestAMissingArgumentIsNamed(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"create", "-f", "x.yaml"}, "Error: create needs NAME, got no argument (usage: kubectl syncwave create NAME -f PATH... [-k DIR] [--wait] [flags])\n"},
		{[]string{"delete"}, "Error: delete needs APPLICATION, got no argument (usage: kubectl syncwave delete APPLICATION [-f PATH... | --no-hooks] [--dry-run] [--wait] [flags])\n"},
		{[]string{"get", "a", "b"}, "Error: get needs NAME, got 2 arguments (a b) (usage: kubectl syncwave get NAME [-o table|json] [flags])\n"},
		{[]string{"logs"}, "Error: logs needs NAME [HOOK], got no argument (usage: kubectl syncwave logs NAME [HOOK] [flags])\n"},
		{[]string{"health", "import"}, "Error: import needs DIR, got no argument (usage: kubectl syncwave health import DIR [-n NS] [--name syncwave-health] [-o yaml|json] [flags])\n"},
		{[]string{"history"}, "Error: history needs APPLICATION, got no argument (usage: kubectl syncwave history APPLICATION [flags])\n"},
		{[]string{"terminate"}, "Error: terminate needs NAME, got no argument (usage: kubectl syncwave terminate NAME [flags])\n"},
		{[]string{"watch"}, "Error: watch needs NAME, got no argument (usage: kubectl syncwave watch NAME [flags])\n"},
	} {
		t.Run(tc.args[0], func(t *testing.T) {
			g := NewWithT(t)
			code, out, errOut := runPlan(t, "", tc.args...)
			g.Expect(code).To(Equal(1))
			g.Expect(out).To(BeEmpty())
			g.Expect(errOut).To(Equal(tc.want))
		})
	}
}
