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

// Package cluster starts a real, local Kubernetes control plane for tests,
// benchmarks and the demo, from binaries that hack/k8s-binaries.sh builds
// from source (`make k8s-binaries`). It has two levels, each started with
// one call and stopped with one call:
//
//   - envtest (Options{}): kube-apiserver and etcd through controller-runtime's
//     envtest. Fast (~3 s), for API-level tests: server-side apply, dry-run,
//     validation, field managers, status patches. No controllers run, so
//     Deployments never become Available and Jobs never run.
//   - simulated (Options{Simulated: true}): the same plus
//     kube-controller-manager, kube-scheduler and kwok with fake nodes, so
//     Deployments roll out, ReplicaSets and Pods exist, and Job pods run to
//     Succeeded or Failed without a container runtime. Admission is as in a
//     real cluster: the ServiceAccount admission plugin is on (envtest turns
//     it off) and kube-controller-manager creates each namespace's default
//     ServiceAccount, so a pod that names a missing ServiceAccount is
//     rejected and its Job creates no pod.
//
// In tests, use StartT; it stops the cluster in t.Cleanup and keeps the logs
// (printing where) when the test failed:
//
//	c := cluster.StartT(t, cluster.Options{Simulated: true, CRDDirectoryPaths: []string{"../../config/crd/bases"}})
//	cl := c.ClientT(t, scheme)
//	ns := c.NamespaceT(t, "hooks-")
//
// Elsewhere (the demo, a TestMain shared by a package) use Start and Stop.
// envtest logs through controller-runtime's logger: set one
// (ctrllog.SetLogger, e.g. logr.Discard()) or controller-runtime warns that
// none was set.
//
// # Pod fates
//
// On the simulated level, the pod lifecycle is kwok's, driven by the Stage
// objects in kwok-stages.yaml (embedded). A test chooses a pod's fate with
// annotations on the pod template: AnnotationFate (FateFail,
// FateNeverReady), AnnotationRunDuration and AnnotationExitCode. By default
// pods become Ready at once and pods with restartPolicy Never or OnFailure
// (Job pods) succeed at once.
//
// # Pod logs
//
// On the simulated level, pods/log works as on a real cluster: the API
// server asks the fake node's kubelet, which is kwok's server. A test gives
// the pods of its namespace a log with ServePodLogs (kwok selects pods by
// namespace and name only, so the log is per namespace, not per label).
//
// # Binaries, ports, logs
//
// The binaries are read from $SYNCWAVE_K8S_ASSETS, else from
// ${XDG_CACHE_HOME:-$HOME/.cache}/syncwave/k8s/v<K8sVersion>. Every start
// uses a fresh temporary directory (Cluster.LogDir) for the logs of each
// process (<name>.log), the kubeconfig, certificates and etcd data. etcd and
// kube-apiserver listen on free loopback ports that envtest picks by binding
// port 0 and reserves in a file-based cache shared by all processes;
// kube-controller-manager and kube-scheduler serve no port (--secure-port=0);
// kwok serves the fake nodes' kubelet API on a free loopback port.
//
// # No leftover processes
//
// Every process of a cluster is started from one OS thread that is locked
// for the cluster's lifetime, runs in its own process group, and carries the
// Linux parent-death signal SIGKILL. So when the test binary exits for any
// reason (a -timeout panic, a crash, SIGKILL), the kernel kills the whole
// control plane. envtest starts kube-apiserver and etcd itself, without a
// parent-death signal; it is given a bin directory whose kube-apiserver and
// etcd are links to the running executable: this package's init function
// recognises them, sets the parent-death signal, records the PID and
// start time, and execs the real binary in the same process (see
// wrapper.go). Stop ends kwok, kube-scheduler and kube-controller-manager
// first (SIGTERM to the process group, SIGKILL after 5 s), then
// kube-apiserver and etcd last, and then checks that every recorded PID is
// gone (Cluster.Processes).
package cluster
