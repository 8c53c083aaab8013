package check

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// manifests is one kustomization built and decoded into API types.
type manifests struct {
	deployments map[string]*appsv1.Deployment
	services    []*corev1.Service
	pdbs        []*policyv1.PodDisruptionBudget
	hpas        []*autoscalingv2.HorizontalPodAutoscaler
	configMaps  map[string]*corev1.ConfigMap
	namespaces  []string
}

// build runs kustomize on dir and decodes every object strictly: a field
// the Kubernetes API does not have is an error, as the API server would
// reject it.
func build(t *testing.T, dir string) manifests {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	res, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	m := manifests{deployments: map[string]*appsv1.Deployment{}, configMaps: map[string]*corev1.ConfigMap{}}
	for _, r := range res.Resources() {
		data, err := r.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		var obj any
		switch r.GetKind() {
		case "Deployment":
			d := &appsv1.Deployment{}
			m.deployments[r.GetName()], obj = d, d
		case "Service":
			s := &corev1.Service{}
			m.services, obj = append(m.services, s), s
		case "PodDisruptionBudget":
			p := &policyv1.PodDisruptionBudget{}
			m.pdbs, obj = append(m.pdbs, p), p
		case "HorizontalPodAutoscaler":
			h := &autoscalingv2.HorizontalPodAutoscaler{}
			m.hpas, obj = append(m.hpas, h), h
		case "ConfigMap":
			c := &corev1.ConfigMap{}
			m.configMaps[r.GetName()], obj = c, c
		case "Namespace":
			m.namespaces, obj = append(m.namespaces, r.GetName()), &corev1.Namespace{}
		default:
			t.Errorf("%s: unexpected kind %s %s", dir, r.GetKind(), r.GetName())
			continue
		}
		if err := yaml.UnmarshalStrict(data, obj); err != nil {
			t.Errorf("%s: %s %s does not decode strictly: %v", dir, r.GetKind(), r.GetName(), err)
		}
	}
	return m
}

// Both kustomizations build, decode strictly and hold together.
func TestKustomizations(t *testing.T) {
	for _, dir := range []string{"../k8s/base", "../k8s/overlays/production"} {
		t.Run(strings.TrimPrefix(dir, "../k8s/"), func(t *testing.T) {
			m := build(t, dir)
			for _, name := range []string{"mianshi-api", "mianshi-worker"} {
				d := m.deployments[name]
				if d == nil {
					t.Fatalf("no Deployment %s", name)
				}
				checkDeployment(t, d, m.configMaps)
			}
			checkSelectors(t, m)
			checkGrace(t, m)
		})
	}
}

func TestProductionOverlay(t *testing.T) {
	m := build(t, "../k8s/overlays/production")
	if !slices.Equal(m.namespaces, []string{"mianshi"}) {
		t.Errorf("namespaces = %v", m.namespaces)
	}
	for name, d := range m.deployments {
		if d.Namespace != "mianshi" || *d.Spec.Replicas < 3 {
			t.Errorf("%s: namespace %q replicas %d, want mianshi and at least 3", name, d.Namespace, *d.Spec.Replicas)
		}
		if img := d.Spec.Template.Spec.Containers[0].Image; strings.HasSuffix(img, ":latest") || !strings.Contains(img, ":") {
			t.Errorf("%s: image %q is not pinned", name, img)
		}
	}
	if len(m.hpas) != 1 || m.deployments[m.hpas[0].Spec.ScaleTargetRef.Name] == nil {
		t.Errorf("the HPA does not scale a Deployment of the overlay: %+v", m.hpas)
	}
	if got := m.configMaps["mianshi-config"].Data["TEMPORAL_ADDRESS"]; got == "" {
		t.Error("the production ConfigMap lost TEMPORAL_ADDRESS in the merge")
	}
}

// checkDeployment: probes on declared ports, requests and a memory limit,
// a non-root read-only container, and every setting mianshi needs from the
// ConfigMap or a Secret.
func checkDeployment(t *testing.T, d *appsv1.Deployment, cms map[string]*corev1.ConfigMap) {
	t.Helper()
	spec := d.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("%s: %d containers, want 1", d.Name, len(spec.Containers))
	}
	c := spec.Containers[0]
	ports := map[string]bool{}
	for _, p := range c.Ports {
		ports[p.Name] = true
	}
	for kind, p := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
		switch {
		case p == nil:
			t.Errorf("%s: no %s probe", d.Name, kind)
		case p.HTTPGet != nil && !ports[p.HTTPGet.Port.String()]:
			t.Errorf("%s: %s probe on port %s, which the container does not declare", d.Name, kind, p.HTTPGet.Port.String())
		case p.TCPSocket != nil && !ports[p.TCPSocket.Port.String()]:
			t.Errorf("%s: %s probe on port %s, which the container does not declare", d.Name, kind, p.TCPSocket.Port.String())
		}
	}
	if c.ReadinessProbe != nil && (c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz") {
		t.Errorf("%s: readiness is not GET /readyz", d.Name)
	}
	if c.LivenessProbe != nil && (c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/livez") {
		t.Errorf("%s: liveness is not GET /livez", d.Name)
	}
	req := c.Resources.Requests
	if req.Cpu().IsZero() || req.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("%s: want cpu and memory requests and a memory limit, got %+v", d.Name, c.Resources)
	}
	if sc := spec.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Errorf("%s: may run as root", d.Name)
	}
	if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("%s: root filesystem is writable", d.Name)
	}
	have := map[string]string{}
	for _, e := range c.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			have[e.Name] = "secret " + e.ValueFrom.SecretKeyRef.Name
		}
	}
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef == nil {
			continue
		}
		cm := cms[from.ConfigMapRef.Name]
		if cm == nil {
			t.Errorf("%s: reads ConfigMap %s, which the kustomization does not make", d.Name, from.ConfigMapRef.Name)
			continue
		}
		for k := range cm.Data {
			have[k] = "configmap"
		}
	}
	want := map[string]string{
		"TEMPORAL_ADDRESS": "configmap", "DATABASE_URL": "secret mianshi-secrets",
		"REDIS_URL": "secret mianshi-secrets", "MIANSHI_CODEC_KEYS": "secret mianshi-secrets",
		"MIANSHI_LLM_API_KEY": "secret mianshi-secrets",
		// Shared by every process: without them api and worker refuse to start.
		"MIANSHI_CAMPAIGN_SECRET": "secret mianshi-secrets", "MIANSHI_PUBLIC_URL": "configmap",
	}
	if d.Name == "mianshi-api" {
		want["MIANSHI_HR_TOKEN"] = "secret mianshi-secrets"
	}
	for k, from := range want {
		if have[k] != from {
			t.Errorf("%s: %s comes from %q, want %s", d.Name, k, have[k], from)
		}
	}
}

// checkSelectors: each Deployment's selector matches its pods, each PDB
// and Service selects the pods of exactly one Deployment.
func checkSelectors(t *testing.T, m manifests) {
	t.Helper()
	selects := func(sel *metav1.LabelSelector) []string {
		s, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil || s.Empty() {
			t.Errorf("selector %v: %v (empty: %v)", sel, err, s != nil && s.Empty())
			return nil
		}
		var out []string
		for name, d := range m.deployments {
			if s.Matches(labels.Set(d.Spec.Template.Labels)) {
				out = append(out, name)
			}
		}
		return out
	}
	for name, d := range m.deployments {
		if got := selects(d.Spec.Selector); !slices.Equal(got, []string{name}) {
			t.Errorf("Deployment %s selects the pods of %v", name, got)
		}
	}
	for _, p := range m.pdbs {
		if got := selects(p.Spec.Selector); len(got) != 1 || got[0] != p.Name {
			t.Errorf("PDB %s covers %v, want [%s]", p.Name, got, p.Name)
		}
	}
	for _, s := range m.services {
		got := selects(&metav1.LabelSelector{MatchLabels: s.Spec.Selector})
		if !slices.Equal(got, []string{"mianshi-api"}) {
			t.Errorf("Service %s routes to %v, want the API", s.Name, got)
		}
	}
	if len(m.pdbs) != 2 {
		t.Errorf("%d PDBs, want one for the API and one for the worker", len(m.pdbs))
	}
}

// checkGrace: the pods get long enough to stop as mianshi stops. The
// figures are the code's: the API ends streams and gives requests 10 s
// (cmd/mianshi shutdownGrace) after a preStop sleep; the worker lets
// activities finish for 30 s (worker.StopTimeout).
func checkGrace(t *testing.T, m manifests) {
	t.Helper()
	for name, min := range map[string]int64{"mianshi-api": 10 + 5 + 5, "mianshi-worker": 30 + 5} {
		spec := m.deployments[name].Spec.Template.Spec
		got := spec.TerminationGracePeriodSeconds
		if got == nil || *got < min {
			t.Errorf("%s: terminationGracePeriodSeconds %v, want at least %d", name, fmt.Sprint(got), min)
		}
	}
}
