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
	"fmt"
	"net/http"
	"sync"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/syncwave/syncwave/internal/hook"
	"github.com/syncwave/syncwave/internal/operation"
	"github.com/syncwave/syncwave/internal/workload"
)

// The controller reads a finished hook's pod and the end of its log (SPEC
// §6 "Hook outcome kept"), and the pods and Warning events of a workload a
// failed step waited for (package workload), with the identity of the
// operation: with its own for operations without a ServiceAccount, which
// the target access grants.
// +kubebuilder:rbac:groups="",resources=pods,verbs=get;list
// +kubebuilder:rbac:groups="",resources=pods/log,verbs=get
// +kubebuilder:rbac:groups="",resources=events,verbs=list

// HookLogs makes the readers of hook outcomes: clientsets of the core API
// that act as the controller or as an operation's ServiceAccount, so that
// an impersonated operation reads pods and logs only as far as its
// ServiceAccount may.
type HookLogs struct {
	// Config is the controller's own connection.
	Config *rest.Config
	// HTTPClient, when set, carries the controller's own requests.
	HTTPClient *http.Client

	mu      sync.Mutex
	clients map[string]kubernetes.Interface
}

// core returns the clientset of user, made once.
func (h *HookLogs) core(user string) (kubernetes.Interface, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	cs, ok := h.clients[user]
	if !ok {
		var err error
		if cs, err = h.clientset(user); err != nil {
			return nil, err
		}
		if h.clients == nil {
			h.clients = map[string]kubernetes.Interface{}
		}
		h.clients[user] = cs
	}
	return cs, nil
}

func (h *HookLogs) clientset(user string) (kubernetes.Interface, error) {
	cfg := rest.CopyConfig(h.Config)
	if user == "" {
		if h.HTTPClient != nil {
			return kubernetes.NewForConfigAndClient(cfg, h.HTTPClient)
		}
		return kubernetes.NewForConfig(cfg)
	}
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("pods client for %s: %w", user, err)
	}
	return cs, nil
}

// podReaders are the readers of an operation's pods acting as its user:
// the outcomes of its hooks and what blocks its workloads; both nil when
// the reconciler has no HookLogs.
func (r *SyncOperationReconciler) podReaders(tg *target) (operation.OutcomeReader, operation.Explainer, error) {
	logs := r.HookLogs
	if tg.remote != nil {
		logs = tg.remote.logs
	}
	if logs == nil {
		return nil, nil, nil
	}
	cs, err := logs.core(tg.user)
	if err != nil {
		return nil, nil, err
	}
	return &hook.Outcomes{Pods: cs.CoreV1(), User: tg.user}, &workload.Explainer{Core: cs.CoreV1()}, nil
}
