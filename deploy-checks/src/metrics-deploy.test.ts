import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { mergeValues, readChart, valuesProblems } from './helm-chart';
import { kustomizeBuild } from './kustomize';
import { type K8sObject, podTemplates, type Loose, assertValidK8sObjects, k8sObjectProblems } from '@dcl-enas/k8s-testing';

/**
 * Prometheus scrape and the Grafana dashboard as deployed: pod annotations naming each service's
 * metrics port, the optional ServiceMonitor and metrics Services (k8s/extras/monitoring.yaml and
 * the chart's values "metrics"), NetworkPolicies that let the scrape through the default deny,
 * and the Grafana dashboard ConfigMap for the sidecar (checked without helm, like the rest).
 */
const repoRoot = resolve(__dirname, '../..');
const chartDir = join(repoRoot, 'helm/dcl-enas');
const chart = readChart(chartDir);
const SERVICES = { orchestrator: 8080, encoder: 8081, predictor: 8082, trainer: 8083 } as const;
const PROMETHEUS_NAMESPACE = 'monitoring';

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

/** Label selector semantics (matchLabels and the In / NotIn / Exists / DoesNotExist expressions). */
function selects(selector: Selector, labels: Record<string, string>): boolean {
  const pairs = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const expressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    if (operator === 'In') return key in labels && values.includes(labels[key]!);
    if (operator === 'NotIn') return !(key in labels) || !values.includes(labels[key]!);
    if (operator === 'Exists') return key in labels;
    if (operator === 'DoesNotExist') return !(key in labels);
    throw new Error(`unknown operator ${operator}`);
  });
  return pairs && expressions;
}

/** Whether the NetworkPolicies let a pod in `fromNamespace` reach `port` of a pod with `labels` (no policy selecting it: open). */
function ingressAllowed(policies: K8sObject[], labels: Record<string, string>, port: number, fromNamespace: string): boolean {
  const applying = policies.filter((p) => {
    const spec = p['spec'] as Loose;
    return selects(spec.podSelector, labels) && (spec.policyTypes ?? ['Ingress']).includes('Ingress');
  });
  if (applying.length === 0) return true;
  return applying.some((p) =>
    ((p['spec'] as Loose).ingress ?? []).some((rule: Loose) => {
      const portOk = !rule.ports || rule.ports.some((r: Loose) => r.port === port);
      const fromOk =
        !rule.from ||
        rule.from.some((peer: Loose) => peer.namespaceSelector && !peer.podSelector && selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': fromNamespace }));
      return portOk && fromOk;
    }),
  );
}

function servicePods(objects: K8sObject[]) {
  return podTemplates(objects).filter(({ labels }) => labels['app.kubernetes.io/name']! in SERVICES);
}

describe.each(['k8s/base', 'k8s/overlays/dev', 'k8s/overlays/gpu'])('%s: Prometheus scrape', (dir) => {
  const objects = kustomizeBuild(join(repoRoot, dir));

  it('every service pod carries prometheus.io annotations naming its HTTP port and /metrics', () => {
    const pods = servicePods(objects);
    expect(pods.map(({ labels }) => labels['app.kubernetes.io/name']).sort()).toEqual(Object.keys(SERVICES).sort());
    for (const { owner, spec } of pods) {
      const deployment = objects.find((o) => `${o.kind}/${o.metadata.name}` === owner)!;
      const annotations = (deployment['spec'] as Loose).template.metadata.annotations as Record<string, string>;
      const http = (spec['containers'][0].ports as Loose[]).find((p) => p.name === 'http')!.containerPort as number;
      expect({ owner, annotations }).toEqual({ owner, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(http), 'prometheus.io/path': '/metrics' } });
    }
  });

  it(`the NetworkPolicies let Prometheus (namespace ${PROMETHEUS_NAMESPACE}) reach every metrics port, and nothing else through`, () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    for (const { labels } of servicePods(objects)) {
      const port = SERVICES[labels['app.kubernetes.io/name'] as keyof typeof SERVICES];
      expect({ pod: labels['app.kubernetes.io/name'], allowed: ingressAllowed(policies, labels, port, PROMETHEUS_NAMESPACE) }).toEqual({ pod: labels['app.kubernetes.io/name'], allowed: true });
      // the default deny still holds for other ports and (except the orchestrator's API) other namespaces
      expect(ingressAllowed(policies, labels, 9999, PROMETHEUS_NAMESPACE)).toBe(false);
      if (labels['app.kubernetes.io/name'] !== 'orchestrator') expect(ingressAllowed(policies, labels, port, 'default')).toBe(false);
    }
    const nats = podTemplates(objects).find(({ labels }) => labels['app.kubernetes.io/name'] === 'nats')!;
    expect(ingressAllowed(policies, nats.labels, 4222, PROMETHEUS_NAMESPACE)).toBe(false);
  });
});

describe('k8s/extras/monitoring.yaml (Prometheus Operator)', () => {
  const extras = parseAllDocuments(readFileSync(join(repoRoot, 'k8s/extras/monitoring.yaml'), 'utf8')).map((d) => d.toJS() as K8sObject);
  const base = kustomizeBuild(join(repoRoot, 'k8s/base'));

  it('its Services and ServiceMonitor validate against their schemas (monitoring.coreos.com/v1 included)', () => {
    expect(extras.map((o) => o.kind).sort()).toEqual(['Service', 'Service', 'Service', 'Service', 'ServiceMonitor']);
    assertValidK8sObjects(extras, 'k8s/extras/monitoring.yaml');
    // and the ServiceMonitor schema is real: a wrong type is reported
    const broken = structuredClone(extras.find((o) => o.kind === 'ServiceMonitor')!) as Loose;
    broken.spec.endpoints = { port: 'http' };
    expect(k8sObjectProblems(broken).map((p) => p.problem).join('\n')).toMatch(/endpoints must be array/);
  });

  it('the ServiceMonitor selects one metrics Service per service, each selecting that service\'s pods on its HTTP port', () => {
    const monitor = extras.find((o) => o.kind === 'ServiceMonitor')!['spec'] as Loose;
    expect(monitor.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    const services = [...extras, ...base].filter((o) => o.kind === 'Service');
    const selected = services.filter((s) => selects(monitor.selector, s.metadata.labels ?? {}));
    expect(selected.map((s) => s.metadata.name).sort()).toEqual(Object.keys(SERVICES).map((n) => `${n}-metrics`).sort());
    const pods = servicePods(base);
    for (const service of selected) {
      const spec = service['spec'] as Loose;
      expect(spec.clusterIP).toBe('None');
      expect(service.metadata.labels?.[monitor.jobLabel]).toBeDefined();
      const targets = pods.filter(({ labels }) => selects({ matchLabels: spec.selector }, labels));
      expect(targets).toHaveLength(1);
      const http = (targets[0]!.spec['containers'][0].ports as Loose[]).find((p) => p.name === 'http')!;
      expect(spec.ports).toEqual([{ name: 'http', port: http.containerPort, targetPort: 'http' }]);
    }
  });
});

describe('helm/dcl-enas: metrics values and templates', () => {
  const values = chart.values as Loose;

  it('pod annotations are on by default; ServiceMonitor and Grafana ConfigMap are opt-in', () => {
    expect(values.metrics.podAnnotations).toBe(true);
    expect(values.metrics.serviceMonitor.enabled).toBe(false);
    expect(values.metrics.grafanaDashboard.enabled).toBe(false);
    expect(values.metrics.grafanaDashboard.labels).toEqual({ grafana_dashboard: '1' });
  });

  it('the schema refuses a bad interval, a bad label key, a misspelt flag and a bad namespace', () => {
    const problems = valuesProblems(
      chart,
      mergeValues(values, {
        metrics: { serviceMonitor: { interval: 'soon', labels: { 'bad key!': 'x' } }, grafanaDashboard: { enable: true, namespace: 'Monitoring' } },
        networkPolicy: { metricsAllowedNamespaces: ['-x'] },
      }),
    ).join('\n');
    expect(problems).toMatch(/\/metrics\/serviceMonitor\/interval must match pattern/);
    expect(problems).toMatch(/\/metrics\/serviceMonitor\/labels property name must be valid/);
    expect(problems).toMatch(/\/metrics\/grafanaDashboard must NOT have additional properties \(enable\)/);
    expect(problems).toMatch(/\/metrics\/grafanaDashboard\/namespace/);
    expect(problems).toMatch(/\/networkPolicy\/metricsAllowedNamespaces\/0 must match pattern/);
  });

  it('every service Deployment gets the annotations (behind metrics.podAnnotations) with its own port', () => {
    const helpers = chart.templates.get('_helpers.tpl')!;
    expect(helpers).toMatch(
      /annotations:\n\s+checksum\/config: .*\n\s+\{\{- if \$root\.Values\.metrics\.podAnnotations \}\}\n\s+prometheus\.io\/scrape: "true"\n\s+prometheus\.io\/port: \{\{ \.port \| quote \}\}\n\s+prometheus\.io\/path: \/metrics\n\s+\{\{- end \}\}/,
    );
    const ports = [...chart.templates.get('services.yaml')!.matchAll(/"name" "(\w+)" .*?"port" (\d+)/g)].map((m) => [m[1], Number(m[2])]);
    expect(Object.fromEntries(ports)).toEqual(SERVICES);
  });

  it('the ServiceMonitor, its metrics Services and the dashboard ConfigMap are behind their flags', () => {
    const text = chart.templates.get('monitoring.yaml')!;
    const monitorBlock = text.slice(text.indexOf('{{- if .Values.metrics.serviceMonitor.enabled }}'), text.indexOf('{{- if .Values.metrics.grafanaDashboard.enabled }}'));
    expect(monitorBlock).toContain('kind: ServiceMonitor');
    expect(monitorBlock).toMatch(/\$services := dict "orchestrator" 8080 "encoder" 8081 "predictor" 8082 \}\}/);
    expect(monitorBlock).toMatch(/set \$services "trainer" 8083/);
    expect(monitorBlock).toMatch(/endpoints:\n\s+- port: http\n\s+path: \/metrics/);
    expect(monitorBlock).toMatch(/app\.kubernetes\.io\/component: metrics[\s\S]*app\.kubernetes\.io\/component: metrics/);
    const dashboardBlock = text.slice(text.indexOf('{{- if .Values.metrics.grafanaDashboard.enabled }}'));
    expect(dashboardBlock).toContain('kind: ConfigMap');
    expect(dashboardBlock).toContain('{{- toYaml .Values.metrics.grafanaDashboard.labels | nindent 4 }}');
    expect(dashboardBlock).toContain('.Files.Get "dashboards/dcl-enas-dashboard.json" | replace "${DS_PROMETHEUS}" .Values.metrics.grafanaDashboard.datasourceUid');
  });

  it('ships the repository\'s Grafana dashboard unchanged, and binding its data source leaves valid JSON with no input left', () => {
    const shipped = readFileSync(join(chartDir, 'dashboards/dcl-enas-dashboard.json'), 'utf8');
    expect(shipped).toBe(readFileSync(join(repoRoot, 'k8s/grafana/dcl-enas-dashboard.json'), 'utf8'));
    const bound = shipped.split('${DS_PROMETHEUS}').join(values.metrics.grafanaDashboard.datasourceUid);
    expect(bound).not.toContain('${');
    const dashboard = JSON.parse(bound) as { uid: string; panels: { datasource?: { uid: string } }[] };
    expect(dashboard.uid).toBe('dcl-enas');
    expect(dashboard.panels.filter((p) => p.datasource).every((p) => p.datasource!.uid === 'prometheus')).toBe(true);
    // The ConfigMap stays well under the 1 MiB object limit.
    expect(bound.length).toBeLessThan(256 * 1024);
  });

  it('the metrics NetworkPolicy opens the four HTTP ports of the services to metricsAllowedNamespaces (every namespace when empty)', () => {
    const text = chart.templates.get('networkpolicy.yaml')!;
    const block = text.slice(text.indexOf('{{- if or .Values.metrics.podAnnotations .Values.metrics.serviceMonitor.enabled }}'));
    expect(block).toMatch(/values: \[orchestrator, encoder, predictor, trainer\]/);
    expect(block).toMatch(/\{\{- range \.Values\.networkPolicy\.metricsAllowedNamespaces \}\}\n\s+- namespaceSelector:\n\s+matchLabels:\n\s+kubernetes\.io\/metadata\.name: \{\{ \. \}\}/);
    const ports = [...block.matchAll(/port: (\d+) \}/g)].map((m) => Number(m[1]));
    expect(ports).toEqual(Object.values(SERVICES));
    // inside the enabled block of the file
    expect(text.trimEnd().endsWith('{{- end }}\n{{- end }}')).toBe(true);
  });

  it('examples/monitoring.yaml turns on the ServiceMonitor (with a release label) and the dashboard', () => {
    const example = parse(readFileSync(join(chartDir, 'examples/monitoring.yaml'), 'utf8')) as Loose;
    const merged = mergeValues(chart.values, example) as Loose;
    expect(valuesProblems(chart, merged)).toEqual([]);
    expect(merged.metrics.serviceMonitor).toMatchObject({ enabled: true, labels: { release: 'kube-prometheus-stack' } });
    expect(merged.metrics.grafanaDashboard).toMatchObject({ enabled: true, namespace: 'monitoring', labels: { grafana_dashboard: '1' } });
    expect(merged.networkPolicy.metricsAllowedNamespaces).toEqual(['monitoring']);
  });
});
