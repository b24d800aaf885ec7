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

package v1alpha1

// This file holds the references of a SyncOperation to other objects:
// where its manifests come from (ConfigMaps, Secrets, Flux sources) and
// the kubeconfig Secret of the cluster it acts on.

// ManifestSource references one object that holds manifests. Exactly one of
// configMapRef, secretRef and sourceRef is set.
// +kubebuilder:validation:XValidation:rule="(has(self.configMapRef) ? 1 : 0) + (has(self.secretRef) ? 1 : 0) + (has(self.sourceRef) ? 1 : 0) == 1",message="exactly one of configMapRef, secretRef or sourceRef is required"
type ManifestSource struct {
	// configMapRef names a ConfigMap in the operation's namespace.
	// +optional
	ConfigMapRef *KeyReference `json:"configMapRef,omitempty"`

	// secretRef names a Secret in the operation's namespace.
	// +optional
	SecretRef *KeyReference `json:"secretRef,omitempty"`

	// sourceRef names a Flux source (source.toolkit.fluxcd.io) whose
	// artifact holds the manifests (SPEC §12).
	// +optional
	SourceRef *FluxSourceReference `json:"sourceRef,omitempty"`
}

// FluxSourceReference names a Flux source object and a directory of its
// artifact.
type FluxSourceReference struct {
	// kind of the source.
	// +required
	// +kubebuilder:validation:Enum=GitRepository;OCIRepository;Bucket;ExternalArtifact
	Kind string `json:"kind"`

	// name of the source.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// namespace of the source; defaults to the operation's namespace.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Namespace string `json:"namespace,omitempty"`

	// path is the directory of the artifact whose YAML and JSON files are
	// read, recursively and sorted by path; defaults to the root.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Path string `json:"path,omitempty"`
}

// KubeConfigReference names the kubeconfig of another cluster (Flux's
// field of the same name, same meaning).
type KubeConfigReference struct {
	// secretRef names a Secret in the operation's namespace that holds the
	// kubeconfig.
	// +required
	SecretRef SecretKeyReference `json:"secretRef"`
}

// SecretKeyReference names a Secret in the operation's namespace and,
// optionally, its key.
type SecretKeyReference struct {
	// name of the Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// key of the kubeconfig in the Secret; default `value`, else
	// `value.yaml`.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]*$`
	Key string `json:"key,omitempty"`
}

// KeyReference names an object in the operation's namespace and one of its
// data keys.
type KeyReference struct {
	// name of the ConfigMap or Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// key of the data entry to read. Empty means every key, in sorted order.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]*$`
	Key string `json:"key,omitempty"`
}
