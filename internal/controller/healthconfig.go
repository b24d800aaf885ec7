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
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
	"github.com/syncwave/syncwave/internal/health"
	"github.com/syncwave/syncwave/internal/health/cel"
	"github.com/syncwave/syncwave/internal/health/lua"
)

// HealthConfig supplies the Lua and CEL layers of the health chain, most
// specific first: an operation's spec.healthChecks (Lua) and
// spec.healthCheckExprs (CEL), the global health ConfigMap (Argo CD's keys,
// and the health.cel.* keys), the script tree of --health-dir (Argo CD's
// resource_customizations layout), and the library of scripts shipped with
// syncwave. The ConfigMap is read from the cache on every use, so a change
// takes effect without a restart; its parsed form is kept per
// resourceVersion. The tree is read again when its files change, checked at
// most every DirRefresh.
//
// A ConfigMap key that does not parse is never dropped silently: it is
// logged with its key, it gives a Warning event on the ConfigMap (with a
// Recorder), once per version of the ConfigMap, and the objects of the kinds
// it was meant for are Unknown with "health ConfigMap key K does not parse:
// ..." (see lua.ParseConfigMap).
type HealthConfig struct {
	Engine *lua.Engine
	// Reader reads the ConfigMap (a cache restricted to that one object).
	Reader client.Reader
	// ConfigMap names the health ConfigMap.
	ConfigMap types.NamespacedName
	// Dir is a directory holding a script tree (--health-dir); "" for none.
	Dir string
	// DirRefresh is how often Dir is checked for changes; 0 for
	// defaultDirRefresh.
	DirRefresh time.Duration
	// Library holds the shipped scripts; nil for none.
	Library *lua.Overrides
	// CEL runs spec.healthCheckExprs and the ConfigMap's health.cel.* keys
	// (healthcel.go); nil disables CEL health checks.
	CEL *cel.Engine
	// StatusWait makes custom resources wait for their first status write
	// (crdstatus.go); nil never waits.
	StatusWait *StatusWait
	// Recorder emits the Warning events on the ConfigMap; nil for none.
	Recorder events.EventRecorder

	mu        sync.Mutex
	version   string
	parsed    *lua.Overrides
	parsedCEL *cel.Checks

	dirMu      sync.Mutex
	dirTree    *lua.Overrides
	dirStamp   string
	dirChecked time.Time
}

// defaultDirRefresh is how often the tree of Dir is checked for changes.
const defaultDirRefresh = 10 * time.Second

// The event a ConfigMap key that does not parse gives.
const (
	reasonHealthKeyInvalid = "HealthKeyInvalid"
	actionParseHealth      = "ParseHealthConfig"
)

// global returns the parsed health ConfigMap, its Lua keys and (with CEL)
// its health.cel.* keys; nil when it does not exist or cannot be read
// (which is logged). Both are parsed once per resourceVersion, and the keys
// of both languages that do not parse are reported together.
func (h *HealthConfig) global(ctx context.Context) (*lua.Overrides, *cel.Checks) {
	if h.Reader == nil {
		return nil, nil
	}
	cm := &corev1.ConfigMap{}
	if err := h.Reader.Get(ctx, h.ConfigMap, cm); err != nil {
		if !apierrors.IsNotFound(err) {
			ctrl.LoggerFrom(ctx).Error(err, "health ConfigMap ignored: cannot read it", "configMap", h.ConfigMap.String())
		}
		return nil, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if cm.ResourceVersion != h.version {
		var errs, celErrs []error
		h.parsed, errs = lua.ParseConfigMap(cm.Data)
		h.parsedCEL = nil
		if h.CEL != nil {
			h.parsedCEL, celErrs = cel.ParseConfigMap(h.CEL, cm.Data)
		}
		h.version = cm.ResourceVersion
		h.report(ctx, cm, append(errs, celErrs...))
	}
	return h.parsed, h.parsedCEL
}

// report logs the keys of cm that do not parse, and records them in one
// Warning event on cm (events of one object and reason are merged into a
// series that keeps the first note, so one event per version of cm says
// everything).
func (h *HealthConfig) report(ctx context.Context, cm *corev1.ConfigMap, errs []error) {
	if len(errs) == 0 {
		return
	}
	log := ctrl.LoggerFrom(ctx)
	notes := make([]string, 0, len(errs))
	for _, err := range errs {
		var ke *lua.KeyError
		if !errors.As(err, &ke) {
			// A CEL key's error starts with the key.
			log.Error(err, "health ConfigMap key does not parse", "configMap", h.ConfigMap.String())
			notes = append(notes, "key "+err.Error())
			continue
		}
		log.Error(ke.Err, "health ConfigMap key does not parse", "configMap", h.ConfigMap.String(), "key", ke.Where())
		notes = append(notes, fmt.Sprintf("key %s does not parse: %v", ke.Where(), ke.Err))
	}
	if h.Recorder != nil {
		h.Recorder.Eventf(cm, nil, corev1.EventTypeWarning, reasonHealthKeyInvalid, actionParseHealth, "%s", truncateNote(strings.Join(notes, "; ")))
	}
}

// maxNoteBytes keeps an event's note under the API's limit of 1 kB.
const maxNoteBytes = 1000

func truncateNote(s string) string {
	if len(s) <= maxNoteBytes {
		return s
	}
	cut := maxNoteBytes - len("...")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// dir returns the script tree of Dir, read again when its files changed.
func (h *HealthConfig) dir(ctx context.Context) *lua.Overrides {
	if h.Dir == "" {
		return nil
	}
	h.dirMu.Lock()
	defer h.dirMu.Unlock()
	refresh := h.DirRefresh
	if refresh <= 0 {
		refresh = defaultDirRefresh
	}
	if h.dirTree != nil && time.Since(h.dirChecked) < refresh {
		return h.dirTree
	}
	h.dirChecked = time.Now()
	fsys := os.DirFS(h.Dir)
	stamp := lua.Fingerprint(fsys)
	if h.dirTree != nil && stamp == h.dirStamp {
		return h.dirTree
	}
	tree, errs := lua.LoadTree(fsys)
	log := ctrl.LoggerFrom(ctx)
	for _, err := range errs {
		log.Error(err, "health script tree: a script is broken; its kinds are Unknown", "dir", h.Dir)
	}
	log.Info("health script tree read", "dir", h.Dir, "patterns", tree.Len())
	h.dirTree, h.dirStamp = tree, stamp
	return tree
}

// layers returns the Lua overrides for op, most specific first.
func (h *HealthConfig) layers(ctx context.Context, op *syncv1alpha1.SyncOperation) []*lua.Overrides {
	var out []*lua.Overrides
	if len(op.Spec.HealthChecks) > 0 {
		out = append(out, lua.FromHealthChecks(op.Spec.HealthChecks))
	}
	if g, _ := h.global(ctx); g != nil {
		out = append(out, g)
	}
	if d := h.dir(ctx); d != nil {
		out = append(out, d)
	}
	if h.Library != nil {
		out = append(out, h.Library)
	}
	return out
}

// hasCheck tells the planner's lint whether a kind has a health check.
func (h *HealthConfig) hasCheck(ctx context.Context, op *syncv1alpha1.SyncOperation) func(schema.GroupKind) bool {
	var layers []*lua.Overrides
	if h != nil && h.Engine != nil {
		layers = h.layers(ctx, op)
	}
	celLayers := h.celLayers(ctx, op)
	return func(gk schema.GroupKind) bool {
		return health.IsBuiltinKind(gk) || lua.HasScript(gk, layers...) || cel.HasCheck(gk, celLayers...)
	}
}

// mapConfigMapToOperations wakes every running operation when the health
// ConfigMap changes, so that a waiting step is judged again.
func (r *SyncOperationReconciler) mapConfigMapToOperations(ctx context.Context, obj client.Object) []reconcile.Request {
	if r.HealthConfig == nil || obj.GetName() != r.HealthConfig.ConfigMap.Name || obj.GetNamespace() != r.HealthConfig.ConfigMap.Namespace {
		return nil
	}
	list := &syncv1alpha1.SyncOperationList{}
	if err := r.Client.List(ctx, list); err != nil {
		return nil
	}
	var out []reconcile.Request
	for _, op := range list.Items {
		if !op.Status.Phase.Terminal() {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&op)})
		}
	}
	return out
}
