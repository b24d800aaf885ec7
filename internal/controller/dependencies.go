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
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health/cel"
	"github.com/syncwave/syncwave/internal/operation"
)

// IndexDependsOn is the field index of SyncOperations by the applications
// of their spec.dependsOn, as "namespace/application": an operation that
// finishes finds the ones waiting for it without an API call.
const IndexDependsOn = "spec.dependsOn"

// maxDependencyWalk bounds the applications a cycle search visits.
const maxDependencyWalk = 256

// readyExprs evaluates the readyExpr of spec.dependsOn: compiled once,
// with the cost limit of CEL health checks.
var readyExprs = cel.NewEngine(cel.DefaultOptions())

// indexDependsOn registers IndexDependsOn.
func indexDependsOn(ctx context.Context, mgr ctrl.Manager) error {
	return mgr.GetFieldIndexer().IndexField(ctx, &syncv1alpha1.SyncOperation{}, IndexDependsOn, func(o client.Object) []string {
		op, ok := o.(*syncv1alpha1.SyncOperation)
		if !ok {
			return nil
		}
		return depKeys(op)
	})
}

// dependency returns the namespace (op's unless d names one) and the name
// of the application d names.
func dependency(op *syncv1alpha1.SyncOperation, d syncv1alpha1.ApplicationDependency) (ns, app string) {
	ns = d.Namespace
	if ns == "" {
		ns = op.Namespace
	}
	return ns, d.Application
}

// dependencyKey is "namespace/application" of what d names: the key of
// IndexDependsOn and a node of the dependency graph.
func dependencyKey(op *syncv1alpha1.SyncOperation, d syncv1alpha1.ApplicationDependency) string {
	ns, app := dependency(op, d)
	return ns + "/" + app
}

// latest returns the newest operation (creation time, then name) of
// application app in namespace ns, or nil when it has none. Dry runs are
// left out: a preview does not change what the application is.
func (r *SyncOperationReconciler) latest(ctx context.Context, ns, app string) (*syncv1alpha1.SyncOperation, error) {
	ops, err := r.ofApplication(ctx, ns, app)
	if err != nil {
		return nil, err
	}
	var best *syncv1alpha1.SyncOperation
	for i := range ops {
		p := &ops[i]
		if p.DeletionTimestamp.IsZero() && !p.Spec.DryRun && (best == nil || operation.Before(best, p)) {
			best = p
		}
	}
	return best, nil
}

// waitDependencies keeps an operation with spec.dependsOn Pending until the
// latest operation of each named application has Succeeded and its
// readyExpr holds (SPEC §13). It returns true when op must not start now;
// op's status then says what it waits for, or why it failed: a cycle, a
// readyExpr that does not compile, or the operation's timeout.
func (r *SyncOperationReconciler) waitDependencies(ctx context.Context, op *syncv1alpha1.SyncOperation, out *operation.Outcome) (bool, error) {
	st := &op.Status
	if len(op.Spec.DependsOn) == 0 || (st.Phase != "" && st.Phase != syncv1alpha1.OperationPending) {
		return false, nil
	}
	if msg := r.crossNamespaceDependency(op); msg != "" {
		r.end(op, out, syncv1alpha1.ReasonInvalidDependencies, msg)
		return true, nil
	}
	cycle, err := r.dependencyCycle(ctx, op)
	if err != nil {
		return true, err
	}
	if cycle != "" {
		r.end(op, out, syncv1alpha1.ReasonInvalidDependencies, "spec.dependsOn forms a cycle: "+cycle+"; none of them could ever start")
		return true, nil
	}
	var waiting []string
	var blocked []syncv1alpha1.BlockedResource
	for i, d := range op.Spec.DependsOn {
		ns, app := dependency(op, d)
		dep, err := r.latest(ctx, ns, app)
		if err != nil {
			return true, err
		}
		msg, err := dependencyReady(ctx, op, d, dep)
		var invalid *invalidError
		switch {
		case errors.As(err, &invalid):
			r.end(op, out, syncv1alpha1.ReasonInvalidDependencies, fmt.Sprintf("spec.dependsOn[%d].readyExpr: %v", i, invalid))
			return true, nil
		case err != nil:
			return true, err
		case msg == "":
			continue
		}
		waiting = append(waiting, msg)
		blocked = append(blocked, dependencyBlocker(ns, app, dep, msg))
	}
	if len(waiting) == 0 {
		clearOperationBlockers(st)
		return false, nil
	}
	msg := "waiting for dependencies: " + strings.Join(waiting, "; ")
	timeout := r.timing(op).Timeout
	if timeout > 0 {
		deadline := op.CreationTimestamp.Add(timeout)
		now := r.Clock.Now()
		if !now.Before(deadline) {
			r.end(op, out, syncv1alpha1.ReasonTimeout, fmt.Sprintf("never started: dependencies not ready within the operation's timeout of %s: %s", timeout, strings.Join(waiting, "; ")))
			st.BlockedBy = blocked[:min(len(blocked), syncv1alpha1.MaxBlockedBy)]
			return true, nil
		}
		out.RequeueAfter = deadline.Sub(now)
	}
	st.Phase, st.Message = syncv1alpha1.OperationPending, operation.Truncate(msg, operation.MaxMessage)
	st.BlockedBy = blocked[:min(len(blocked), syncv1alpha1.MaxBlockedBy)]
	return true, nil
}

// dependencyReady returns "" when dep, the latest operation of the
// application d names, lets op start, else what op waits for: a Sync
// that Succeeded lets it, a teardown that Succeeded does not (the
// application is gone). A readyExpr that does not compile is an
// *invalidError.
func dependencyReady(ctx context.Context, op *syncv1alpha1.SyncOperation, d syncv1alpha1.ApplicationDependency, dep *syncv1alpha1.SyncOperation) (string, error) {
	ns, app := dependency(op, d)
	var prog *cel.Program
	if d.ReadyExpr != "" {
		p, err := readyExprs.Compile(d.ReadyExpr)
		if err != nil {
			return "", invalid("%w", err)
		}
		prog = p
	}
	switch {
	case dep == nil:
		return fmt.Sprintf("application %s in namespace %s has no SyncOperation", app, ns), nil
	case dep.Status.Phase == syncv1alpha1.OperationFailed:
		return fmt.Sprintf("the latest SyncOperation %s/%s of application %s Failed (%s: %s); a new one must succeed",
			dep.Namespace, dep.Name, app, dep.Status.Reason, operation.Truncate(dep.Status.Message, 200)), nil
	case dep.Status.Phase == syncv1alpha1.OperationSucceeded && dep.Spec.IsDelete():
		return fmt.Sprintf("application %s was torn down by SyncOperation %s/%s (action Delete); a new Sync of it must succeed",
			app, dep.Namespace, dep.Name), nil
	case dep.Status.Phase != syncv1alpha1.OperationSucceeded:
		phase := string(dep.Status.Phase)
		if phase == "" {
			phase = string(syncv1alpha1.OperationPending)
		}
		return fmt.Sprintf("the latest SyncOperation %s/%s of application %s is %s", dep.Namespace, dep.Name, app, phase), nil
	case prog == nil:
		return "", nil
	}
	vars, err := readyVars(dep, op)
	if err != nil {
		return "", err
	}
	ok, err := readyExprs.EvalBool(ctx, prog, vars)
	switch {
	case err != nil:
		return fmt.Sprintf("readyExpr of application %s: %v", app, err), nil
	case !ok:
		return fmt.Sprintf("the latest SyncOperation %s/%s of application %s Succeeded but readyExpr %q is false", dep.Namespace, dep.Name, app, d.ReadyExpr), nil
	}
	return "", nil
}

// readyVars are the variables of a readyExpr: dep and self as objects.
func readyVars(dep, self *syncv1alpha1.SyncOperation) (map[string]any, error) {
	d, err := runtime.DefaultUnstructuredConverter.ToUnstructured(dep)
	if err != nil {
		return nil, fmt.Errorf("convert SyncOperation %s/%s for readyExpr: %w", dep.Namespace, dep.Name, err)
	}
	s, err := runtime.DefaultUnstructuredConverter.ToUnstructured(self)
	if err != nil {
		return nil, fmt.Errorf("convert SyncOperation %s/%s for readyExpr: %w", self.Namespace, self.Name, err)
	}
	return map[string]any{"dep": d, "self": s}, nil
}

// dependencyBlocker is the status.blockedBy entry of a dependency that
// is not ready: its latest SyncOperation, or, when the application has
// none, the application's name with health Missing.
func dependencyBlocker(ns, app string, dep *syncv1alpha1.SyncOperation, msg string) syncv1alpha1.BlockedResource {
	b := syncv1alpha1.BlockedResource{Message: operation.Truncate(msg, operation.MaxMessage), ResourceRef: syncv1alpha1.ResourceRef{
		Group: syncv1alpha1.GroupVersion.Group, Version: syncv1alpha1.GroupVersion.Version, Kind: "SyncOperation", Namespace: ns, Name: app}}
	if dep == nil {
		// No SyncOperation of the application exists: the entry names
		// the application, Missing.
		b.Health = syncv1alpha1.HealthMissing
		return b
	}
	b.Name = dep.Name
	return b
}

// dependencyCycle looks for a cycle among applications reachable from op:
// op's own application depends on what op names; every other application
// on what its latest operation names. It returns the cycle as
// "ns/a -> ns/b -> ns/a", or "".
func (r *SyncOperationReconciler) dependencyCycle(ctx context.Context, op *syncv1alpha1.SyncOperation) (string, error) {
	self := ""
	if op.Spec.Application != "" {
		self = applicationKey(op)
	}
	edges := func(node string) ([]string, error) {
		if node == self || node == "" {
			return depKeys(op), nil
		}
		ns, app, _ := strings.Cut(node, "/")
		l, err := r.latest(ctx, ns, app)
		if err != nil || l == nil {
			return nil, err
		}
		return depKeys(l), nil
	}
	state := map[string]int{} // 1: on the path, 2: done
	var path []string
	var visit func(node string) (string, error)
	visit = func(node string) (string, error) {
		if len(state) > maxDependencyWalk {
			return "", nil
		}
		state[node] = 1
		path = append(path, node)
		next, err := edges(node)
		if err != nil {
			return "", err
		}
		for _, n := range next {
			switch state[n] {
			case 1:
				c := append(slices.Clone(path[slices.Index(path, n):]), n)
				return strings.Join(c, " -> "), nil
			case 0:
				if c, err := visit(n); c != "" || err != nil {
					return c, err
				}
			}
		}
		path = path[:len(path)-1]
		state[node] = 2
		return "", nil
	}
	return visit(self)
}

func depKeys(op *syncv1alpha1.SyncOperation) []string {
	out := make([]string, 0, len(op.Spec.DependsOn))
	for _, d := range op.Spec.DependsOn {
		out = append(out, dependencyKey(op, d))
	}
	return out
}

// enqueueDependents wakes the operations whose spec.dependsOn names op's
// application, so that they start the moment op finishes.
func (r *SyncOperationReconciler) enqueueDependents(ctx context.Context, op *syncv1alpha1.SyncOperation, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	list := &syncv1alpha1.SyncOperationList{}
	if err := r.Client.List(ctx, list, client.MatchingFields{IndexDependsOn: applicationKey(op)}); err != nil {
		return
	}
	for i := range list.Items {
		p := &list.Items[i]
		if !p.Status.Phase.Terminal() {
			q.Add(reconcile.Request{NamespacedName: client.ObjectKeyFromObject(p)})
		}
	}
}
