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

package chart

import (
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// rendered is the output of one `helm template`, decoded.
type rendered struct {
	objs []*unstructured.Unstructured
	// typed holds every object of a kind that client-go or apiextensions
	// knows, decoded strictly (an unknown or duplicate field is an error).
	typed map[string]runtime.Object
}

// strictDecoder decodes built-in kinds and CRDs, failing on unknown fields.
var strictDecoder = func() runtime.Decoder {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := apiextensionsv1.AddToScheme(s); err != nil {
		panic(err)
	}
	return serializer.NewCodecFactory(s, serializer.EnableStrict).UniversalDeserializer()
}()

// monitoringKinds have no Go types here; they are checked field by field.
var monitoringKinds = []string{"ServiceMonitor", "PrometheusRule"}

func render(t *testing.T, h *helm, args ...string) *rendered {
	t.Helper()
	r := &rendered{objs: h.templateT(t, args...), typed: map[string]runtime.Object{}}
	for _, u := range r.objs {
		key := objKey(u)
		if _, dup := r.typed[key]; dup {
			t.Fatalf("%s is rendered twice", key)
		}
		if slices.Contains(monitoringKinds, u.GetKind()) {
			if u.GetAPIVersion() != "monitoring.coreos.com/v1" {
				t.Fatalf("%s has apiVersion %s", key, u.GetAPIVersion())
			}
			r.typed[key] = u
			continue
		}
		data, err := json.Marshal(u.Object)
		if err != nil {
			t.Fatal(err)
		}
		obj, _, err := strictDecoder.Decode(data, nil, nil)
		if err != nil {
			t.Fatalf("decode %s: %v", key, err)
		}
		r.typed[key] = obj
	}
	return r
}

// objKey is Kind/name for objects that are cluster-scoped or in the
// release namespace, and Kind/namespace/name for the others.
func objKey(u *unstructured.Unstructured) string {
	if ns := u.GetNamespace(); ns != "" && ns != "syncwave-system" {
		return u.GetKind() + "/" + ns + "/" + u.GetName()
	}
	return u.GetKind() + "/" + u.GetName()
}

// get returns the object kind/name decoded into T, or fails the test.
func get[T runtime.Object](t *testing.T, r *rendered, kind, name string) T {
	t.Helper()
	obj, ok := r.typed[kind+"/"+name]
	if !ok {
		t.Fatalf("%s/%s is not rendered; rendered: %v", kind, name, r.keys())
	}
	out, ok := obj.(T)
	if !ok {
		t.Fatalf("%s/%s is a %T", kind, name, obj)
	}
	return out
}

func (r *rendered) keys() []string {
	var out []string
	for _, u := range r.objs {
		out = append(out, objKey(u))
	}
	return out
}

func (r *rendered) has(kind, name string) bool {
	_, ok := r.typed[kind+"/"+name]
	return ok
}

// clusterRolesBound returns the names of the ClusterRoles bound to the controller
// cluster-wide.
func (r *rendered) clusterRolesBound() []string {
	var out []string
	for _, obj := range r.typed {
		if b, ok := obj.(*rbacv1.ClusterRoleBinding); ok {
			out = append(out, b.RoleRef.Name)
		}
	}
	slices.Sort(out)
	return out
}

func TestLint(t *testing.T) {
	h := newHelm(t)
	out := h.runT(t, "lint", "--strict", chartDir)
	if !strings.Contains(out, "0 chart(s) failed") {
		t.Fatalf("helm lint:\n%s", out)
	}
	out = h.runT(t, "lint", "--strict", chartDir, "-f", filepath.Join("testdata", "all-features.yaml"))
	if !strings.Contains(out, "0 chart(s) failed") {
		t.Fatalf("helm lint with every feature:\n%s", out)
	}
}

func TestTemplateDefaults(t *testing.T) {
	g := NewWithT(t)
	r := render(t, newHelm(t))

	g.Expect(r.keys()).To(ConsistOf(
		"CustomResourceDefinition/syncoperations.syncwave.dev",
		"ServiceAccount/sw-syncwave",
		"ConfigMap/syncwave-health",
		"ClusterRole/sw-syncwave-controller", "ClusterRoleBinding/sw-syncwave-controller",
		"ClusterRole/sw-syncwave-sources", "ClusterRoleBinding/sw-syncwave-sources",
		"ClusterRoleBinding/sw-syncwave-target",
		"ClusterRole/sw-syncwave-metrics-reader",
		"Role/sw-syncwave-leader-election", "RoleBinding/sw-syncwave-leader-election",
		"Service/sw-syncwave-metrics",
		"Deployment/sw-syncwave",
	))
	for _, u := range r.objs {
		if u.GetKind() == "CustomResourceDefinition" || strings.HasPrefix(u.GetKind(), "Cluster") {
			continue
		}
		g.Expect(u.GetNamespace()).To(Equal("syncwave-system"), "%s/%s is in the release namespace", u.GetKind(), u.GetName())
	}

	dep := get[*appsv1.Deployment](t, r, "Deployment", "sw-syncwave")
	g.Expect(*dep.Spec.Replicas).To(Equal(int32(1)))
	pod := dep.Spec.Template.Spec
	g.Expect(pod.ServiceAccountName).To(Equal("sw-syncwave"))
	g.Expect(pod.Containers).To(HaveLen(1))
	c := pod.Containers[0]
	g.Expect(c.Args).NotTo(ContainElement("--leader-elect"), "one replica needs no leader election")
	g.Expect(c.Args).NotTo(ContainElement("--no-cross-namespace-refs"), "cross-namespace references are allowed by default, as in Flux")
	g.Expect(c.Args).To(ContainElements("--metrics-bind-address=:8443", "--metrics-secure=true",
		"--health-probe-bind-address=:8081", "--health-configmap=syncwave-health", "--default-timeout=1h"))
	g.Expect(c.Image).To(Equal("syncwave/controller:0.1.0"), "the tag defaults to the appVersion")
	expectRestricted(g, pod)
	g.Expect(c.Env).To(ContainElement(corev1.EnvVar{Name: "POD_NAMESPACE",
		ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}}))
	g.Expect(c.LivenessProbe.HTTPGet.Path).To(Equal("/healthz"))
	g.Expect(c.ReadinessProbe.HTTPGet.Path).To(Equal("/readyz"))
	g.Expect(c.LivenessProbe.HTTPGet.Port.String()).To(Equal("health"))
	g.Expect(c.Ports).To(ContainElement(corev1.ContainerPort{Name: "health", ContainerPort: 8081, Protocol: corev1.ProtocolTCP}))
	g.Expect(c.Resources.Requests).NotTo(BeEmpty())
	g.Expect(c.Resources.Limits).NotTo(BeEmpty())

	svc := get[*corev1.Service](t, r, "Service", "sw-syncwave-metrics")
	g.Expect(svc.Spec.Ports).To(HaveLen(1))
	g.Expect(svc.Spec.Ports[0].Name).To(Equal("https-metrics"))
	g.Expect(svc.Spec.Ports[0].Port).To(Equal(int32(8443)))
	g.Expect(svc.Spec.Selector).To(Equal(dep.Spec.Selector.MatchLabels))

	// The default target access is cluster-admin (values.yaml says why).
	g.Expect(r.clusterRolesBound()).To(Equal([]string{"cluster-admin", "sw-syncwave-controller", "sw-syncwave-sources"}))
	expectControllerRole(g, get[*rbacv1.ClusterRole](t, r, "ClusterRole", "sw-syncwave-controller"), true)
	sources := get[*rbacv1.ClusterRole](t, r, "ClusterRole", "sw-syncwave-sources")
	g.Expect(sources.Rules).To(Equal([]rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps", "secrets"}, Verbs: []string{"get", "create"}},
		{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"list", "watch"}}}))
	role := get[*rbacv1.Role](t, r, "Role", "sw-syncwave-leader-election")
	g.Expect(role.Rules).To(ContainElement(rbacv1.PolicyRule{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"},
		Verbs: []string{"get", "list", "watch", "create", "update", "patch", "delete"}}))

	cm := get[*corev1.ConfigMap](t, r, "ConfigMap", "syncwave-health")
	g.Expect(cm.Data).To(BeEmpty())
	g.Expect(r.has("ServiceMonitor", "sw-syncwave")).To(BeFalse())
	g.Expect(r.has("PrometheusRule", "sw-syncwave")).To(BeFalse())
}

// expectRestricted checks the fields that Pod Security "restricted" asks for,
// and the read-only root filesystem.
func expectRestricted(g Gomega, pod corev1.PodSpec) {
	psc := pod.SecurityContext
	g.Expect(psc).NotTo(BeNil())
	g.Expect(psc.RunAsNonRoot).To(HaveValue(BeTrue()))
	g.Expect(psc.RunAsUser).To(HaveValue(Equal(int64(65532))))
	g.Expect(psc.SeccompProfile).To(HaveValue(HaveField("Type", corev1.SeccompProfileTypeRuntimeDefault)))
	for _, c := range pod.Containers {
		sc := c.SecurityContext
		g.Expect(sc).NotTo(BeNil())
		g.Expect(sc.RunAsNonRoot).To(HaveValue(BeTrue()))
		g.Expect(sc.ReadOnlyRootFilesystem).To(HaveValue(BeTrue()))
		g.Expect(sc.AllowPrivilegeEscalation).To(HaveValue(BeFalse()))
		g.Expect(sc.Capabilities).NotTo(BeNil())
		g.Expect(sc.Capabilities.Drop).To(Equal([]corev1.Capability{"ALL"}))
		g.Expect(sc.Capabilities.Add).To(BeEmpty())
		g.Expect(sc.SeccompProfile).To(HaveValue(HaveField("Type", corev1.SeccompProfileTypeRuntimeDefault)))
		g.Expect(c.VolumeMounts).To(ContainElement(HaveField("MountPath", "/tmp")), "a writable /tmp for the metrics certificate")
	}
}

// expectControllerRole checks the controller's own ClusterRole: its
// SyncOperations, events, impersonation, and nothing on target objects,
// hooks' pods and logs included (those come with the target access, or
// from the ServiceAccount an operation impersonates).
func expectControllerRole(g Gomega, cr *rbacv1.ClusterRole, secureMetrics bool) {
	var grants []string
	for _, rule := range cr.Rules {
		g.Expect(rule.NonResourceURLs).To(BeEmpty())
		g.Expect(rule.ResourceNames).To(BeEmpty())
		for _, group := range rule.APIGroups {
			for _, res := range rule.Resources {
				for _, verb := range rule.Verbs {
					g.Expect([]string{group, res, verb}).NotTo(ContainElement("*"), "no wildcards")
					grants = append(grants, group+"/"+res+":"+verb)
				}
			}
		}
	}
	want := []string{
		"syncwave.dev/syncoperations:get", "syncwave.dev/syncoperations:list", "syncwave.dev/syncoperations:watch",
		"syncwave.dev/syncoperations:update", "syncwave.dev/syncoperations:patch", "syncwave.dev/syncoperations:delete",
		"syncwave.dev/syncoperations/status:get", "syncwave.dev/syncoperations/status:update", "syncwave.dev/syncoperations/status:patch",
		"syncwave.dev/syncoperations/finalizers:update",
		"events.k8s.io/events:create", "events.k8s.io/events:patch", "/events:create", "/events:patch",
		"/serviceaccounts:impersonate",
		// Whether a CRD declares a status subresource (SPEC §7, --status-grace).
		"apiextensions.k8s.io/customresourcedefinitions:get", "apiextensions.k8s.io/customresourcedefinitions:list",
		"apiextensions.k8s.io/customresourcedefinitions:watch",
	}
	if secureMetrics {
		want = append(want, "authentication.k8s.io/tokenreviews:create", "authorization.k8s.io/subjectaccessreviews:create")
	}
	g.Expect(grants).To(ConsistOf(want))
}

func TestTemplateAllFeatures(t *testing.T) {
	g := NewWithT(t)
	r := render(t, newHelm(t), "-f", filepath.Join("testdata", "all-features.yaml"))

	dep := get[*appsv1.Deployment](t, r, "Deployment", "sw-syncwave")
	g.Expect(*dep.Spec.Replicas).To(Equal(int32(2)))
	pod := dep.Spec.Template.Spec
	c := pod.Containers[0]
	g.Expect(c.Args).To(ContainElement("--leader-elect"), "two replicas elect a leader")
	g.Expect(c.Args).To(ContainElements("--metrics-bind-address=:9443", "--health-probe-bind-address=:9081",
		"--health-configmap=team-health", "--default-timeout=30m", "--max-concurrent-reconciles=8",
		"--watch-namespace=apps", "--default-service-account=deployer", "--no-cross-namespace-refs", "--zap-log-level=debug", "--zap-encoder=console"))
	g.Expect(c.Args[len(c.Args)-1]).To(Equal("--zap-stacktrace-level=panic"), "extraArgs come last, so they win")
	g.Expect(c.Image).To(Equal("registry.example.com/syncwave/controller@sha256:0000000000000000000000000000000000000000000000000000000000000000"))
	g.Expect(c.ImagePullPolicy).To(Equal(corev1.PullAlways))
	g.Expect(c.Env).To(ContainElement(corev1.EnvVar{Name: "GOMEMLIMIT", Value: "400MiB"}))
	expectRestricted(g, pod)
	g.Expect(pod.ServiceAccountName).To(Equal("syncwave-controller"))
	g.Expect(pod.ImagePullSecrets).To(Equal([]corev1.LocalObjectReference{{Name: "regcred"}}))
	g.Expect(pod.PriorityClassName).To(Equal("system-cluster-critical"))
	g.Expect(pod.NodeSelector).To(Equal(map[string]string{"kubernetes.io/os": "linux"}))
	g.Expect(pod.Tolerations).To(HaveLen(1))
	g.Expect(pod.Affinity).NotTo(BeNil())
	g.Expect(pod.Affinity.PodAntiAffinity).NotTo(BeNil())
	g.Expect(pod.TopologySpreadConstraints).To(HaveLen(1))
	g.Expect(dep.Spec.Template.Annotations).To(HaveKeyWithValue("example.com/team", "platform"))
	g.Expect(dep.Spec.Template.Annotations).To(HaveKey("checksum/health"))
	g.Expect(dep.Spec.Template.Labels).To(HaveKeyWithValue("example.com/tier", "control"))
	g.Expect(dep.Spec.Selector.MatchLabels).NotTo(HaveKey("example.com/tier"), "podLabels stay out of the immutable selector")

	sa := get[*corev1.ServiceAccount](t, r, "ServiceAccount", "syncwave-controller")
	g.Expect(sa.Annotations).To(HaveKeyWithValue("example.com/role", "syncwave"))

	// targetAccess rules: the target ClusterRole is targetRules, bound cluster-wide.
	target := get[*rbacv1.ClusterRole](t, r, "ClusterRole", "sw-syncwave-target")
	g.Expect(target.Rules).To(Equal([]rbacv1.PolicyRule{{
		APIGroups: []string{"", "apps", "batch"},
		Resources: []string{"configmaps", "services", "deployments", "jobs"},
		Verbs:     []string{"get", "list", "watch", "create", "update", "patch", "delete"},
	},
		// Hook outcomes: the pod of a finished hook and the end of its log.
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}},
		{APIGroups: []string{""}, Resources: []string{"pods/log"}, Verbs: []string{"get"}},
		// What blocked a failed step's workload: its pods, else its events.
		{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"list"}},
	}))
	g.Expect(r.clusterRolesBound()).To(Equal([]string{"sw-syncwave-controller", "sw-syncwave-target"}),
		"no cluster-admin, and sources only in sourceNamespaces")
	controllerSA := []rbacv1.Subject{{Kind: "ServiceAccount", Name: "syncwave-controller", Namespace: "syncwave-system"}}
	for _, ns := range []string{"apps", "tools"} {
		rb := get[*rbacv1.RoleBinding](t, r, "RoleBinding", ns+"/sw-syncwave-sources")
		g.Expect(rb.RoleRef.Name).To(Equal("sw-syncwave-sources"), "sources are readable in %s", ns)
		g.Expect(rb.Subjects).To(Equal(controllerSA))
	}
	for _, obj := range r.typed {
		if b, ok := obj.(*rbacv1.ClusterRoleBinding); ok {
			g.Expect(b.Subjects).To(Equal(controllerSA))
		}
	}

	cm := get[*corev1.ConfigMap](t, r, "ConfigMap", "team-health")
	g.Expect(cm.Data).To(HaveKeyWithValue("resource.customizations.useOpenLibs.example.com_Widget", "true"))
	g.Expect(cm.Data).To(HaveKeyWithValue("resource.customizations.health.example.com_Widget",
		"hs = {status = \"Healthy\", message = \"ok\"}\nreturn hs\n"))

	svc := get[*corev1.Service](t, r, "Service", "sw-syncwave-metrics")
	g.Expect(svc.Annotations).To(HaveKeyWithValue("example.com/scrape", "true"))

	sm := get[*unstructured.Unstructured](t, r, "ServiceMonitor", "sw-syncwave")
	g.Expect(sm.GetLabels()).To(HaveKeyWithValue("release", "prometheus"))
	endpoints, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
	g.Expect(endpoints).To(HaveLen(1))
	ep := endpoints[0].(map[string]any)
	g.Expect(ep).To(HaveKeyWithValue("port", svc.Spec.Ports[0].Name))
	g.Expect(ep).To(HaveKeyWithValue("scheme", "https"))
	g.Expect(ep).To(HaveKeyWithValue("honorLabels", true))
	g.Expect(ep).To(HaveKeyWithValue("interval", "15s"))
	sel, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
	for k, v := range sel {
		g.Expect(svc.Labels).To(HaveKeyWithValue(k, v), "the ServiceMonitor selects the metrics Service")
	}

	expectRules(t, get[*unstructured.Unstructured](t, r, "PrometheusRule", "sw-syncwave"))
}

// expectRules checks that the PrometheusRule carries exactly the groups of
// config/prometheus/rules.yaml, and that Prometheus accepts them.
func expectRules(t *testing.T, rule *unstructured.Unstructured) {
	t.Helper()
	g := NewWithT(t)
	g.Expect(rule.GetLabels()).To(HaveKeyWithValue("release", "prometheus"))
	source := map[string]any{}
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "prometheus", "rules.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(yaml.Unmarshal(data, &source)).To(Succeed())
	want, _, _ := unstructured.NestedSlice(source, "spec", "groups")
	got, _, _ := unstructured.NestedSlice(rule.Object, "spec", "groups")
	g.Expect(got).NotTo(BeEmpty())
	g.Expect(got).To(Equal(want), "the chart's rules are config/prometheus/rules.yaml")

	spec, err := yaml.Marshal(rule.Object["spec"])
	g.Expect(err).NotTo(HaveOccurred())
	groups, errs := rulefmt.Parse(spec, false, model.UTF8Validation,
		parser.NewParser(parser.Options{}), slog.New(slog.NewTextHandler(io.Discard, nil)))
	g.Expect(errs).To(BeEmpty())
	var alerts []string
	for _, group := range groups.Groups {
		for _, r := range group.Rules {
			alerts = append(alerts, r.Alert)
		}
	}
	g.Expect(alerts).To(ContainElements("SyncwaveOperationFailed", "SyncwaveOperationRunningTooLong", "SyncwaveHookFailureRatioHigh"))
}
