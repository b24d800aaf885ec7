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

package controller

import (
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

func TestImpersonatedUser(t *testing.T) {
	op := func(sa string) *syncv1alpha1.SyncOperation {
		return &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a"},
			Spec: syncv1alpha1.SyncOperationSpec{ServiceAccountName: sa}}
	}
	cases := []struct {
		name, def, sa, want string
		nilImp              bool
	}{
		{name: "own identity", want: ""},
		{name: "spec.serviceAccountName", sa: "deployer", want: "system:serviceaccount:team-a:deployer"},
		{name: "--default-service-account", def: "syncwave-tenant", want: "system:serviceaccount:team-a:syncwave-tenant"},
		{name: "the spec wins over the default", def: "syncwave-tenant", sa: "deployer", want: "system:serviceaccount:team-a:deployer"},
		{name: "no impersonator", nilImp: true, want: ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var imp *Impersonator
			if !c.nilImp {
				imp = &Impersonator{DefaultServiceAccount: c.def}
			}
			NewWithT(t).Expect(imp.User(op(c.sa))).To(Equal(c.want))
		})
	}
}
