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
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/manager"
	"github.com/syncwave/syncwave/test/cluster"
)

func main() {
	crdDir := flag.String("crd-dir", "config/crd/bases", "directory of the CRDs to install")
	sample := flag.String("sample", "config/samples/syncwave_v1alpha1_syncoperation.yaml",
		"YAML file whose documents are applied in order (a Namespace, then the SyncOperation)")
	timeout := flag.Duration("timeout", 5*time.Minute, "how long to follow the operation")
	exit := flag.Bool("exit", false, "stop once the operation has finished instead of waiting for Ctrl-C")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first Ctrl-C, a second one kills the demo at once; the
		// cluster's processes then die with it (parent-death signal).
		<-ctx.Done()
		stop()
	}()
	if err := run(ctx, *crdDir, *sample, *timeout, *exit); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, crdDir, sample string, timeout time.Duration, exit bool) (retErr error) {
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.Level(zapcore.WarnLevel)))
	objs, err := readObjects(sample)
	if err != nil {
		return err
	}

	start := time.Now()
	say("starting a simulated cluster: kube-apiserver, etcd, kube-controller-manager, kube-scheduler, kwok (fake node)")
	c, err := cluster.Start(ctx, cluster.Options{Simulated: true, CRDDirectoryPaths: []string{crdDir}})
	if err != nil {
		return err
	}
	defer func() {
		say("stopping the cluster")
		retErr = errors.Join(retErr, c.Stop())
	}()
	say("cluster up in %s, CRDs from %s installed; logs in %s", time.Since(start).Round(100*time.Millisecond), crdDir, c.LogDir)

	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := syncv1alpha1.AddToScheme(scheme); err != nil {
		return err
	}
	cl, err := client.NewWithWatch(c.Config, client.Options{Scheme: scheme})
	if err != nil {
		return err
	}

	ctrlCtx, stopController := context.WithCancel(ctx)
	defer stopController()
	ctrlDone := make(chan error, 1)
	go func() { ctrlDone <- runController(ctrlCtx, c.Config) }()

	op, err := apply(ctx, c, cl, objs)
	if err != nil {
		return err
	}
	if op == nil {
		say("%s holds no SyncOperation: nothing to follow", sample)
	} else {
		phase, err := follow(ctx, cl, op, timeout)
		if err != nil {
			return err
		}
		if exit && phase != syncv1alpha1.OperationSucceeded {
			return fmt.Errorf("SyncOperation %s/%s ended %s", op.Namespace, op.Name, phase)
		}
	}
	if exit {
		return nil
	}

	printHints(c, op)
	select {
	case <-ctx.Done():
		fmt.Println()
		return nil
	case err := <-ctrlDone:
		if err != nil {
			return fmt.Errorf("controller: %w", err)
		}
		<-ctx.Done()
		fmt.Println()
		return nil
	}
}

// runController runs the syncwave controller in this process against cfg
// until ctx ends, with its metrics on a free loopback port.
func runController(ctx context.Context, cfg *rest.Config) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	_ = l.Close()
	o := manager.DefaultOptions()
	o.MetricsBindAddress, o.MetricsSecure, o.HealthProbeBindAddress = addr, false, "0"
	say("controller running; metrics at http://%s/metrics", addr)
	return manager.Run(ctx, cfg, o)
}

// readObjects decodes every document of a YAML file.
func readObjects(path string) ([]*unstructured.Unstructured, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read sample (run the demo from the repository root): %w", err)
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for i := 0; ; i++ {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
			return objs, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", path, i, err)
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
}

// apply creates objs in order, waits after each Namespace for its default
// ServiceAccount (pods are rejected without it), and returns the last
// SyncOperation, if any.
func apply(ctx context.Context, c *cluster.Cluster, cl client.Client, objs []*unstructured.Unstructured) (*syncv1alpha1.SyncOperation, error) {
	var op *syncv1alpha1.SyncOperation
	for _, u := range objs {
		if err := cl.Create(ctx, u); err != nil {
			return nil, fmt.Errorf("create %s %s: %w", u.GetKind(), name(u), err)
		}
		say("created %s %s", u.GetKind(), name(u))
		switch u.GroupVersionKind() {
		case corev1.SchemeGroupVersion.WithKind("Namespace"):
			if err := c.WaitForDefaultServiceAccount(ctx, u.GetName()); err != nil {
				return nil, err
			}
		case syncv1alpha1.GroupVersion.WithKind("SyncOperation"):
			op = &syncv1alpha1.SyncOperation{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, op); err != nil {
				return nil, err
			}
		}
	}
	return op, nil
}

// follow prints the operation's phase, step, progress and message whenever
// they change, until it reaches a terminal phase.
func follow(ctx context.Context, cl client.WithWatch, op *syncv1alpha1.SyncOperation, timeout time.Duration) (syncv1alpha1.OperationPhase, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	var last string
	for {
		w, err := cl.Watch(ctx, &syncv1alpha1.SyncOperationList{},
			client.InNamespace(op.Namespace), client.MatchingFields{"metadata.name": op.Name})
		if err != nil {
			return "", fmt.Errorf("watch SyncOperation %s/%s: %w", op.Namespace, op.Name, err)
		}
		for ev := range w.ResultChan() {
			cur, ok := ev.Object.(*syncv1alpha1.SyncOperation)
			if !ok {
				continue
			}
			s := cur.Status
			msg := s.Message
			if s.Phase == "" && msg == "" {
				msg = "created; the controller has not picked it up yet"
			}
			line := fmt.Sprintf("%-9s %-14s %-6s %s", orDash(string(s.Phase)), orDash(s.Step), orDash(s.Progress), msg)
			if line != last {
				fmt.Printf("  [%6.1fs] %s\n", time.Since(start).Seconds(), line)
				last = line
			}
			if s.Phase.Terminal() {
				w.Stop()
				say("SyncOperation %s/%s %s%s", cur.Namespace, cur.Name, s.Phase, reason(s.Reason))
				return s.Phase, nil
			}
		}
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("SyncOperation %s/%s did not finish: %w", op.Namespace, op.Name, err)
		}
		// The server closed the watch: watch again.
	}
}

func printHints(c *cluster.Cluster, op *syncv1alpha1.SyncOperation) {
	fmt.Printf(`
The cluster keeps running until you press Ctrl-C. To look around:

  export KUBECONFIG=%s
  export PATH=%s:$PATH   # kubectl v%s
  kubectl get nodes,all -A
`, c.KubeconfigPath, c.AssetsDir, cluster.K8sVersion)
	if op != nil {
		fmt.Printf("  kubectl get syncop -n %s %s -o yaml\n", op.Namespace, op.Name)
	}
	fmt.Println()
}

func say(format string, args ...any) {
	fmt.Printf("==> "+format+"\n", args...)
}

func name(u *unstructured.Unstructured) string {
	if u.GetNamespace() == "" {
		return u.GetName()
	}
	return filepath.Join(u.GetNamespace(), u.GetName())
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func reason(r string) string {
	if r == "" {
		return ""
	}
	return " (" + r + ")"
}
