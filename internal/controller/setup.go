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
	"fmt"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	syncv1alpha1 "github.com/syncwave/syncwave/api/v1alpha1"
)

// SetupWithManager registers the controller. Managed objects are watched
// through w, whose informers start when first needed.
func (r *SyncOperationReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if err := indexApplication(context.Background(), mgr); err != nil {
		return fmt.Errorf("index SyncOperations by %s: %w", IndexApplication, err)
	}
	if err := indexDependsOn(context.Background(), mgr); err != nil {
		return fmt.Errorf("index SyncOperations by %s: %w", IndexDependsOn, err)
	}
	b := ctrl.NewControllerManagedBy(mgr).
		// Every update counts: the controller's own status writes drive the
		// next transition (e.g. a hook result recorded, then released).
		For(&syncv1alpha1.SyncOperation{}, r.shardFor()).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.MaxConcurrentReconciles}).
		Named("syncoperation").
		Watches(&corev1.ConfigMap{}, handler.EnqueueRequestsFromMapFunc(r.mapConfigMapToOperations)).
		// An operation that finishes wakes the queued ones of its application.
		Watches(&syncv1alpha1.SyncOperation{}, r.peerHandler())
	if r.Watcher != nil {
		// The informers of a CRD that is deleted go with it.
		b = b.Watches(crdMetadata(), r.Watcher.crdDeletions())
	}
	if r.Sources != nil {
		b = b.WatchesRawSource(r.Sources.Source())
	}
	if r.Remotes != nil {
		b = b.WatchesRawSource(r.Remotes.Source())
	}
	if r.Shard != nil {
		b = b.WatchesRawSource(r.Shard.Source())
	}
	c, err := b.Build(r)
	if err != nil {
		return err
	}
	r.Watcher.setController(c)
	return nil
}
