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

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manager"
	"github.com/syncwave/syncwave/test/cluster"
)

var managerBinary string

func TestMain(m *testing.M) {
	ctrllog.SetLogger(logr.Discard())
	dir, err := os.MkdirTemp("", "syncwave-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	managerBinary = filepath.Join(dir, "manager")
	build := exec.Command("go", "build", "-o", managerBinary, "github.com/syncwave/syncwave/cmd/manager")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build manager:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// env is one simulated cluster shared by the scenarios of a test.
type env struct {
	c      *cluster.Cluster
	cl     client.Client
	dyn    dynamic.Interface
	scheme *runtime.Scheme
}

func newEnv(t *testing.T) *env {
	t.Helper()
	c := cluster.StartT(t, cluster.Options{Simulated: true, CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}})
	s := manager.Scheme()
	return &env{c: c, cl: c.ClientT(t, s), dyn: dynamic.NewForConfigOrDie(c.Config), scheme: s}
}

// controllerProc is the manager binary running against the cluster.
type controllerProc struct {
	cmd     *exec.Cmd
	metrics string
	log     string
	done    chan struct{}
}

// startController runs the manager binary; it is killed at the end of the
// test. The metrics port is chosen free, then bound by the manager: should
// another process take it in between, the manager exits at once and is
// started again on another port (startManager).
func (e *env) startController(t *testing.T, args ...string) *controllerProc {
	t.Helper()
	for attempt := 1; ; attempt++ {
		p := e.startManager(t, args...)
		if attempt == 3 || !p.lostItsPort() {
			return p
		}
		t.Logf("manager could not bind its metrics port (taken meanwhile); starting it again: %s", p.log)
	}
}

func (e *env) startManager(t *testing.T, args ...string) *controllerProc {
	t.Helper()
	port := freePort(t)
	logPath := filepath.Join(e.c.LogDir, fmt.Sprintf("manager-%s-%d.log", strings.ReplaceAll(t.Name(), "/", "_"), port))
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all := append([]string{"--metrics-bind-address", fmt.Sprintf("127.0.0.1:%d", port), "--metrics-secure=false",
		"--health-probe-bind-address", "0", "--kubeconfig", e.c.KubeconfigPath}, args...)
	cmd := exec.Command(managerBinary, all...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), "POD_NAMESPACE=default")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &controllerProc{cmd: cmd, metrics: fmt.Sprintf("http://127.0.0.1:%d/metrics", port), log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(p.kill)
	return p
}

// kill ends the manager at once (SIGKILL), as a crash would.
func (p *controllerProc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// scrape returns the manager's metrics as "name{labels} value" lines.
func (p *controllerProc) scrape(t *testing.T) string {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, p.metrics, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
	}
	return b.String()
}

// manifests reads the guide's example for namespace ns, with edit applied
// to each object (by name) before it is packed.
func manifests(t *testing.T, ns string, edit map[string]func(u *unstructured.Unstructured)) []runtime.RawExtension {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "guide", "*.yaml"))
	sort.Strings(files)
	var out []runtime.RawExtension
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(data), "namespace: production", "namespace: "+ns)
		for _, doc := range strings.Split(text, "\n---") {
			m := map[string]any{}
			if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
				t.Fatal(err)
			}
			if len(m) == 0 {
				continue
			}
			u := &unstructured.Unstructured{Object: m}
			if fn := edit[u.GetName()]; fn != nil {
				fn(u)
			}
			raw, _ := json.Marshal(u.Object)
			out = append(out, runtime.RawExtension{Raw: raw})
		}
	}
	return out
}

type runtimeRaw = runtime.RawExtension

func toRaw(t *testing.T, obj map[string]any) runtime.RawExtension {
	t.Helper()
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return runtime.RawExtension{Raw: raw}
}

// podAnnotation sets an annotation on a pod template.
func podAnnotation(k, v string) func(u *unstructured.Unstructured) {
	return func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(u.Object, v, "spec", "template", "metadata", "annotations", k)
	}
}

func field(value any, path ...string) func(u *unstructured.Unstructured) {
	return func(u *unstructured.Unstructured) { _ = unstructured.SetNestedField(u.Object, value, path...) }
}

func both(fs ...func(u *unstructured.Unstructured)) func(u *unstructured.Unstructured) {
	return func(u *unstructured.Unstructured) {
		for _, f := range fs {
			f(u)
		}
	}
}

// createRBAC creates the guide's hook ServiceAccount, Role and RoleBinding
// beforehand, as scenario 1 asks.
func (e *env) createRBAC(t *testing.T, ns string) {
	t.Helper()
	for _, raw := range manifests(t, ns, nil) {
		u := &unstructured.Unstructured{}
		_ = json.Unmarshal(raw.Raw, &u.Object)
		switch u.GetKind() {
		case "ServiceAccount", "Role", "RoleBinding":
			if err := e.cl.Create(context.Background(), u); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func (e *env) createOp(t *testing.T, ns string, spec syncv1alpha1.SyncOperationSpec) *syncv1alpha1.SyncOperation {
	t.Helper()
	op := &syncv1alpha1.SyncOperation{ObjectMeta: metav1.ObjectMeta{Name: "op", Namespace: ns}, Spec: spec}
	if err := e.cl.Create(context.Background(), op); err != nil {
		t.Fatalf("create SyncOperation: %v", err)
	}
	return op
}

// waitPhase waits until op is terminal and returns it.
func (e *env) waitDone(t *testing.T, op *syncv1alpha1.SyncOperation, timeout time.Duration) *syncv1alpha1.SyncOperation {
	t.Helper()
	g := NewWithT(t)
	got := &syncv1alpha1.SyncOperation{}
	g.Eventually(func() bool {
		if err := e.cl.Get(context.Background(), client.ObjectKeyFromObject(op), got); err != nil {
			return false
		}
		return got.Status.Phase.Terminal()
	}, timeout, 50*time.Millisecond).Should(BeTrue(), func() string {
		return fmt.Sprintf("operation %s did not finish: %s %s", op.Name, got.Status.Phase, got.Status.Message)
	})
	return got
}

// writes records, from watches, every write to objects of some kinds in a
// namespace, with the resourceVersion etcd gave it: one global order.
type writes struct {
	mu     sync.Mutex
	events []write
}

type write struct {
	kind, name string
	typ        watch.EventType
	rv         int64
}

var watchedKinds = []schema.GroupVersionResource{
	{Version: "v1", Resource: "serviceaccounts"},
	{Version: "v1", Resource: "configmaps"},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "roles"},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "rolebindings"},
	{Group: "apps", Version: "v1", Resource: "deployments"},
	{Group: "batch", Version: "v1", Resource: "jobs"},
}

// watchFrom watches kinds in ns from now on and calls seen, from one
// goroutine per kind, for every object event, with its resourceVersion.
func (e *env) watchFrom(t *testing.T, ns string, kinds []schema.GroupVersionResource, seen func(ev watch.Event, u *unstructured.Unstructured, rv int64)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	for _, gvr := range kinds {
		list, err := e.dyn.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wi, err := e.dyn.Resource(gvr).Namespace(ns).Watch(ctx, metav1.ListOptions{ResourceVersion: list.GetResourceVersion()})
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for ev := range wi.ResultChan() {
				u, ok := ev.Object.(*unstructured.Unstructured)
				if !ok {
					continue
				}
				rv, _ := strconv.ParseInt(u.GetResourceVersion(), 10, 64)
				seen(ev, u, rv)
			}
		}()
	}
}

// record starts watching the namespace from now on.
func (e *env) record(t *testing.T, ns string) *writes {
	t.Helper()
	w := &writes{}
	e.watchFrom(t, ns, watchedKinds, func(ev watch.Event, u *unstructured.Unstructured, rv int64) {
		w.mu.Lock()
		w.events = append(w.events, write{kind: u.GetKind(), name: u.GetName(), typ: ev.Type, rv: rv})
		w.mu.Unlock()
	})
	return w
}

// first is the resourceVersion of the first write to kind/name, or 0.
func (w *writes) first(kind, name string) int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	var best int64
	for _, e := range w.events {
		if e.kind == kind && e.name == name && e.typ != watch.Deleted && (best == 0 || e.rv < best) {
			best = e.rv
		}
	}
	return best
}

// added counts the creations of kind/name.
func (w *writes) added(kind, name string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, e := range w.events {
		if e.kind == kind && e.name == name && e.typ == watch.Added {
			n++
		}
	}
	return n
}

// writes counts the creations and changes of kind/name.
func (w *writes) writes(kind, name string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, e := range w.events {
		if e.kind == kind && e.name == name && (e.typ == watch.Added || e.typ == watch.Modified) {
			n++
		}
	}
	return n
}

// order asserts that the first writes of the named objects ("Kind/name")
// happened in the given order; objects in one group may come in any order.
func (w *writes) order(t *testing.T, groups ...[]string) {
	t.Helper()
	var prevMax int64
	prevName := ""
	for _, group := range groups {
		var lo, hi int64
		for _, ref := range group {
			kind, name, _ := strings.Cut(ref, "/")
			rv := w.first(kind, name)
			if rv == 0 {
				t.Fatalf("no write of %s was observed", ref)
			}
			if lo == 0 || rv < lo {
				lo = rv
			}
			if rv > hi {
				hi = rv
			}
		}
		if lo <= prevMax {
			t.Fatalf("%v was written (rv %d) before %s finished (rv %d)", group, lo, prevName, prevMax)
		}
		prevMax, prevName = hi, strings.Join(group, ",")
	}
}
