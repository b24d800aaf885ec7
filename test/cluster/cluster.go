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

package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Options configure a cluster. The zero value is the envtest level.
type Options struct {
	// Simulated adds kube-controller-manager, kube-scheduler and kwok with
	// fake nodes, and turns the ServiceAccount admission plugin on.
	Simulated bool
	// Nodes is the number of fake nodes of a simulated cluster (default 1).
	Nodes int
	// CRDDirectoryPaths are directories (or files) of CustomResourceDefinitions
	// to install before Start returns, e.g. config/crd/bases. A missing path
	// is an error.
	CRDDirectoryPaths []string
	// KeepLogs keeps LogDir after Stop. StartT keeps it when the test failed.
	KeepLogs bool
	// EtcdProxy puts a Proxy between kube-apiserver and etcd
	// (Cluster.EtcdProxy), so that a test can make etcd slow.
	EtcdProxy bool
	// APIServerArgs are extra kube-apiserver flags ("request-timeout": "5s").
	APIServerArgs map[string]string
}

// Timeouts of starting and stopping. The simulated level starts in ~5 s on
// an idle 2-core machine; the start timeout leaves room for a busy one.
const (
	startTimeout      = 90 * time.Second
	childStopTimeout  = 5 * time.Second
	envtestStopTimout = 15 * time.Second
)

// Cluster is a running control plane. Stop it with Stop (StartT does).
type Cluster struct {
	// Config connects as a system:masters user (no rate limits).
	Config *rest.Config
	// KubeconfigPath is a kubeconfig file for the same user, for
	// processes and for people (KUBECONFIG=...).
	KubeconfigPath string
	// LogDir holds <name>.log of every process, the kubeconfig, the
	// certificates and the etcd data. Stop removes it unless KeepLogs.
	LogDir string
	// AssetsDir is where the binaries come from (kubectl is there too).
	AssetsDir string

	opts     Options
	env      *envtest.Environment
	thread   *lockedThread
	children []*child // kube-controller-manager, kube-scheduler, kwok
	proxy    *Proxy   // between kube-apiserver and etcd (Options.EtcdProxy)
	pidFile  string

	stopOnce sync.Once
	stopErr  error
}

// Start starts a cluster and returns when it is usable: the API server
// answers, the CRDs are installed and, on the simulated level, every fake
// node is Ready and the default namespace has its default ServiceAccount.
// On error, everything started is stopped again and the logs are kept.
func Start(ctx context.Context, opts Options) (_ *Cluster, retErr error) {
	if opts.Simulated && opts.Nodes <= 0 {
		opts.Nodes = 1
	}
	assets, err := AssetsDir()
	if err != nil {
		return nil, err
	}
	need := envtestBinaries
	if opts.Simulated {
		need = simulatedBinaries
	}
	if err := checkAssets(assets, need); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "syncwave-cluster-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{LogDir: dir, AssetsDir: assets, opts: opts, pidFile: filepath.Join(dir, "pids"), thread: newLockedThread()}
	defer func() {
		if retErr != nil {
			retErr = fmt.Errorf("%w (logs in %s)", retErr, dir)
			_ = c.stop(true)
		}
	}()
	if err := c.startEnvtest(); err != nil {
		return nil, err
	}
	if opts.Simulated {
		if err := c.startSimulation(ctx); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// startEnvtest starts etcd and kube-apiserver through envtest.
func (c *Cluster) startEnvtest() error {
	binDir := filepath.Join(c.LogDir, "bin")
	if err := writeWrapperDir(binDir, c.AssetsDir, c.pidFile); err != nil {
		return fmt.Errorf("prepare %s: %w", binDir, err)
	}
	logs := map[string]*os.File{}
	for _, name := range []string{"kube-apiserver", "etcd"} {
		f, err := os.Create(filepath.Join(c.LogDir, name+".log"))
		if err != nil {
			return err
		}
		defer f.Close() // the processes have their own descriptors
		logs[name] = f
	}
	certDir := filepath.Join(c.LogDir, "apiserver")
	if err := os.MkdirAll(certDir, 0o700); err != nil {
		return err
	}
	// Explicit paths: KUBEBUILDER_ASSETS would otherwise win over
	// BinaryAssetsDirectory and bypass the wrappers that reap the processes.
	api := &envtest.APIServer{CertDir: certDir, Out: logs["kube-apiserver"], Err: logs["kube-apiserver"],
		Path: filepath.Join(binDir, "kube-apiserver")}
	args := api.Configure()
	// Without them, kube-apiserver needs a default route (gotcha 2 in
	// shared/notes/k8s-binaries.md), and 127.0.0.1 needs the reconciler off.
	args.Set("advertise-address", "127.0.0.1")
	args.Set("endpoint-reconciler-type", "none")
	var crds []*apiextensionsv1.CustomResourceDefinition
	if c.opts.Simulated {
		// envtest disables it; a real cluster rejects pods that name a
		// missing ServiceAccount.
		args.Disable("disable-admission-plugins")
		// pods/log goes to kwok at the node's InternalIP (podlogs.go).
		args.Set("kubelet-preferred-address-types", "InternalIP")
		crd, err := clusterLogsCRD()
		if err != nil {
			return err
		}
		crds = append(crds, crd)
	}
	for k, v := range c.opts.APIServerArgs {
		args.Set(k, v)
	}
	etcdURL, err := c.etcdURL(args)
	if err != nil {
		return err
	}
	c.env = &envtest.Environment{
		BinaryAssetsDirectory:    binDir,
		UseExistingCluster:       ptr.To(false), // whatever USE_EXISTING_CLUSTER says
		CRDDirectoryPaths:        c.opts.CRDDirectoryPaths,
		CRDs:                     crds,
		ErrorIfCRDPathMissing:    true,
		ControlPlaneStartTimeout: startTimeout,
		ControlPlaneStopTimeout:  envtestStopTimout,
		ControlPlane: envtest.ControlPlane{
			APIServer: api,
			Etcd: &envtest.Etcd{
				URL:     etcdURL,
				Path:    filepath.Join(binDir, "etcd"),
				DataDir: filepath.Join(c.LogDir, "etcd"),
				Out:     logs["etcd"],
				Err:     logs["etcd"],
			},
		},
	}
	// Forked from the locked thread, so that the parent-death signal that
	// the wrapper sets fires only when this cluster's thread ends.
	c.thread.do(func() { _, err = c.env.Start() })
	if err != nil {
		return fmt.Errorf("start envtest (kube-apiserver, etcd): %w", err)
	}
	user, err := c.env.AddUser(envtest.User{Name: "syncwave-admin", Groups: []string{"system:masters"}}, &rest.Config{QPS: 1000, Burst: 2000})
	if err != nil {
		return fmt.Errorf("add admin user: %w", err)
	}
	c.Config = user.Config()
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return err
	}
	c.KubeconfigPath = filepath.Join(c.LogDir, "kubeconfig")
	return os.WriteFile(c.KubeconfigPath, kubeconfig, 0o600)
}

// etcdURL is nil (envtest picks etcd's port) unless Options.EtcdProxy:
// then etcd gets a free port of its own, a Proxy forwards to it, and
// kube-apiserver talks to the proxy.
func (c *Cluster) etcdURL(args *envtest.Arguments) (*url.URL, error) {
	if !c.opts.EtcdProxy {
		return nil, nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("pick a port for etcd: %w", err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	if c.proxy, err = NewProxy(addr); err != nil {
		return nil, err
	}
	args.Set("etcd-servers", "http://"+c.proxy.Addr())
	return &url.URL{Scheme: "http", Host: addr}, nil
}

// Client returns a new uncached controller-runtime client as the admin
// user. A nil scheme means client-go's scheme (the built-in kinds).
func (c *Cluster) Client(scheme *runtime.Scheme) (client.Client, error) {
	if scheme == nil {
		scheme = clientgoscheme.Scheme
	}
	return client.New(c.Config, client.Options{Scheme: scheme})
}

// Processes returns every process the cluster started, including envtest's
// short `--help` runs, in start order.
func (c *Cluster) Processes() ([]Process, error) {
	return readPIDs(c.pidFile)
}

// Stop stops every process of the cluster (kwok, kube-scheduler,
// kube-controller-manager, then kube-apiserver, then etcd), checks that none
// is left, and removes LogDir unless Options.KeepLogs. Later calls return
// the first result.
func (c *Cluster) Stop() error {
	return c.stop(c.opts.KeepLogs)
}

func (c *Cluster) stop(keepLogs bool) error {
	c.stopOnce.Do(func() {
		var errs []error
		// The controllers and kwok first: with the API server gone they
		// would retry and log for a while, and an apiserver stopping while
		// clients hammer it can hang (gotcha 4).
		for _, ch := range slices.Backward(c.children) {
			errs = append(errs, ch.stop(childStopTimeout))
		}
		if c.env != nil {
			c.thread.do(func() { errs = append(errs, c.env.Stop()) })
		}
		if c.proxy != nil {
			errs = append(errs, c.proxy.Close())
		}
		errs = append(errs, c.killLeftovers())
		c.thread.close()
		if err := errors.Join(errs...); err != nil {
			keepLogs = true
			c.stopErr = fmt.Errorf("stop cluster (logs in %s): %w", c.LogDir, err)
		}
		if !keepLogs {
			c.stopErr = os.RemoveAll(c.LogDir)
		}
	})
	return c.stopErr
}

// killLeftovers kills (SIGKILL, whole process group) every recorded
// process that still runs, and reports them.
func (c *Cluster) killLeftovers() error {
	ps, err := c.Processes()
	if err != nil {
		return err
	}
	var left []string
	for _, p := range ps {
		if p.Running() {
			left = append(left, fmt.Sprintf("%s (pid %d)", p.Name, p.PID))
			_ = killGroup(p.PID)
		}
	}
	if len(left) > 0 {
		return fmt.Errorf("still running after stop, killed: %v", left)
	}
	return nil
}

// CPUSeconds is the CPU time that the running processes of the cluster
// (kube-apiserver, etcd and any others it started) have used so far:
// compare two readings to see what a piece of work cost the control plane.
func (c *Cluster) CPUSeconds() (float64, error) {
	ps, err := c.Processes()
	if err != nil {
		return 0, err
	}
	var sum float64
	for _, p := range ps {
		if !p.Running() {
			continue
		}
		s, err := CPUSeconds(p.PID)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", p.Name, err)
		}
		sum += s
	}
	return sum, nil
}
