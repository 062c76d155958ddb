import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SERVICE_NAMES, ensureJetStream, freePort } from '@dcl-enas/cluster';
import { buildTrialJob, parseTrialTemplate } from '@dcl-enas/k8s-launcher';
import { testTemplate } from '@dcl-enas/k8s-launcher/testing';
import { renderChart } from './chart-render';
import { mergeValues, readChart, valuesProblems } from './helm-chart';
import { kustomizeBuild } from './kustomize';
import { type K8sObject, podTemplates, type Loose, assertValidK8sObjects } from '@dcl-enas/k8s-testing';

/**
 * Three deployment defects, checked on what k8s/ and the chart render to:
 * 1. the shared data claim names its storage class: ReadWriteMany never silently falls to the
 *    cluster's default class (usually block storage, which leaves the claim and every pod Pending);
 * 2. nothing selects on nvidia.com/gpu.present (set by GPU feature discovery only after a node
 *    joined, so autoscalers never scale a GPU group up from zero for it): GPU pods are placed by
 *    their nvidia.com/gpu request and the nvidia.com/gpu:NoSchedule toleration;
 * 3. NATS: a headless governing Service, a PodDisruptionBudget, an optional three-node JetStream
 *    cluster (routes), store limits that fit the volume and the memory limit, and the services'
 *    stream replicas (ENAS_JS_REPLICAS) equal to the number of NATS servers.
 */
const repoRoot = resolve(__dirname, '../..');
const chartDir = join(repoRoot, 'helm/dcl-enas');
const chart = readChart(chartDir);
const BUILDS = ['k8s/base', 'k8s/overlays/dev', 'k8s/overlays/gpu', 'k8s/overlays/nats-cluster'];
const EXAMPLES = readdirSync(join(chartDir, 'examples')).filter((file) => file.endsWith('.yaml'));
const example = (file: string) => parse(readFileSync(join(chartDir, 'examples', file), 'utf8')) as Record<string, unknown>;
/** What a site values file adds to the partial examples: the storage class it chose (docs/deploy.md). */
const SITE = { data: { storageClass: 'rwx-test' } };
const STORAGE_MESSAGE = /data\.storageClass is required/;
const PLACEHOLDER_CLASS = 'choose-an-rwx-storage-class';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
const natsServer = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => existsSync(p));
const tmp = mkdtempSync(join(tmpdir(), 'enas-storage-gpu-nats-'));
const children: ChildProcess[] = [];
const connections: NatsConnection[] = [];
afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

interface Install {
  name: string;
  objects: K8sObject[];
  namespace: string;
}

function k8sInstall(dir: string): Install {
  const objects = kustomizeBuild(join(repoRoot, dir));
  return { name: dir, objects, namespace: objects.find((o) => o.kind === 'Namespace')!.metadata.name };
}

function chartInstall(name: string, ...overrides: Record<string, unknown>[]): Install {
  const values = overrides.reduce((merged, override) => mergeValues(merged, override), chart.values);
  return { name, objects: renderChart(chart, values).objects, namespace: 'dcl-enas' };
}

/** Every chart install the tests look at: the defaults and each example, with a storage class where the file leaves it to the site. */
function chartInstalls(): Install[] {
  const installs = [chartInstall('chart defaults', SITE)];
  for (const file of EXAMPLES) {
    const override = example(file);
    let install: Install;
    try {
      install = chartInstall(`chart examples/${file}`, override);
    } catch (error) {
      // a partial example (combined with the site's values): it must ask for the class, nothing else
      expect({ file, error: (error as Error).message }).toEqual({ file, error: expect.stringMatching(STORAGE_MESSAGE) });
      install = chartInstall(`chart examples/${file} + data.storageClass`, override, SITE);
    }
    installs.push(install);
  }
  return installs;
}

const k8sInstalls = () => BUILDS.map(k8sInstall);
const of = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const named = (objects: K8sObject[], kind: string, name: RegExp) => objects.find((o) => o.kind === kind && name.test(o.metadata.name));

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
/** Bytes of a Kubernetes quantity (the forms the manifests use). */
function quantityBytes(quantity: unknown): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(quantity));
  if (!match) throw new Error(`unexpected quantity ${String(quantity)}`);
  return Number(match[1]) * (match[2] ? (BINARY[match[2]] ?? DECIMAL[match[2]]!) : 1);
}
/** Bytes of a nats.conf size: nats-server reads KB, MB, GB and TB as powers of 1024 (its log prints 7680MB as "7.50 GB"). */
function natsBytes(size: string | undefined): number {
  const match = /^(\d+)(KB|MB|GB|TB)$/.exec(size ?? '');
  if (!match) throw new Error(`unexpected nats.conf size ${String(size)} (write e.g. 7680MB)`);
  return Number(match[1]) * 1024 ** (['KB', 'MB', 'GB', 'TB'].indexOf(match[2]!) + 1);
}

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const pairs = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const expressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) =>
    operator === 'In' ? values.includes(labels[key]!) : operator === 'NotIn' ? !values.includes(labels[key]!) : operator === 'Exists' ? key in labels : !(key in labels),
  );
  return pairs && expressions;
}

/** Whether the NetworkPolicies of one namespace let a pod with `from` labels open `port` on a pod with `to` labels (egress and ingress). */
function trafficAllowed(policies: K8sObject[], from: Record<string, string>, to: Record<string, string>, port: number): boolean {
  const peerMatches = (peers: Loose[] | undefined, labels: Record<string, string>) =>
    !peers || peers.some((peer) => !peer['ipBlock'] && !peer['namespaceSelector'] && selects(peer['podSelector'], labels));
  const portMatches = (ports: Loose[] | undefined) => !ports || ports.some((p) => p['port'] === port);
  const direction = (type: 'Ingress' | 'Egress', pod: Record<string, string>, peer: Record<string, string>) => {
    const applying = policies.filter((p) => {
      const spec = p['spec'] as Loose;
      return selects(spec['podSelector'], pod) && (spec['policyTypes'] ?? ['Ingress']).includes(type);
    });
    const key = type === 'Ingress' ? 'ingress' : 'egress';
    const peersKey = type === 'Ingress' ? 'from' : 'to';
    return applying.length === 0 || applying.some((p) => ((p['spec'] as Loose)[key] ?? []).some((rule: Loose) => peerMatches(rule[peersKey], peer) && portMatches(rule['ports'])));
  };
  return direction('Egress', from, to) && direction('Ingress', to, from);
}

describe('1. the shared data claim names its storage class', () => {
  it.each(BUILDS)('%s: no ReadWriteMany claim is left to the default class; base names a placeholder an overlay must replace', (dir) => {
    const { objects } = k8sInstall(dir);
    const claim = named(objects, 'PersistentVolumeClaim', /^dcl-enas-data$/)!;
    const spec = claim['spec'] as Loose;
    if ((spec['accessModes'] as string[]).includes('ReadWriteMany')) {
      expect(spec['storageClassName'], `${dir}: storageClassName`).toEqual(expect.stringMatching(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/));
    } else {
      // one node (the dev overlay): ReadWriteOnce on the cluster's default class, said so in the overlay
      expect(dir).toBe('k8s/overlays/dev');
      expect(spec['storageClassName']).toBeUndefined();
    }
    expect(spec['storageClassName'] === PLACEHOLDER_CLASS, `${dir} keeps the base placeholder`).toBe(dir === 'k8s/base');
  });

  it.skipIf(!hasKubectl)('k8s/overlays/nats-cluster (new) resolves as `kubectl kustomize` builds it', () => {
    const run = spawnSync('kubectl', ['kustomize', join(repoRoot, 'k8s/overlays/nats-cluster')], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
    const theirs = new Map(run.stdout.split(/^---$/m).map((text) => parse(text) as K8sObject).map((o) => [key(o), o]));
    const ours = new Map(k8sInstall('k8s/overlays/nats-cluster').objects.map((o) => [key(o), o]));
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [id, object] of theirs) expect({ id, object: ours.get(id) }).toEqual({ id, object });
  });

  it('the gpu overlay sets the class in one clearly named patch, documented in base/data.yaml', () => {
    const overlay = parse(readFileSync(join(repoRoot, 'k8s/overlays/gpu/kustomization.yaml'), 'utf8')) as Loose;
    expect(overlay['patches']).toContainEqual({ path: 'data-storage-class.yaml', target: { kind: 'PersistentVolumeClaim', name: 'dcl-enas-data' } });
    const patch = parse(readFileSync(join(repoRoot, 'k8s/overlays/gpu/data-storage-class.yaml'), 'utf8')) as Loose[];
    expect(patch).toEqual([{ op: 'replace', path: '/spec/storageClassName', value: expect.any(String) }]);
    expect(readFileSync(join(repoRoot, 'k8s/base/data.yaml'), 'utf8')).toMatch(/data-storage-class\.yaml/);
  });

  it('the chart refuses to render a ReadWriteMany data claim without data.storageClass, with what to set', () => {
    expect(chart.values['data']).toMatchObject({ storageClass: '', accessModes: ['ReadWriteMany'] });
    expect(() => renderChart(chart, chart.values)).toThrow(STORAGE_MESSAGE);
    expect(() => renderChart(chart, chart.values)).toThrow(/data\.existingClaim|ReadWriteOnce/);
    const claim = (install: Install) => named(install.objects, 'PersistentVolumeClaim', /-data$/)?.['spec'] as Loose | undefined;
    expect(claim(chartInstall('class', { data: { storageClass: 'efs-sc' } }))).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'efs-sc' });
    // one node: ReadWriteOnce on the default class; an existing claim: nothing to provision
    expect(claim(chartInstall('rwo', { data: { accessModes: ['ReadWriteOnce'] } }))).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } });
    expect(claim(chartInstall('existing', { data: { existingClaim: 'shared-data' } }))).toBeUndefined();
    expect(valuesProblems(chart, mergeValues(chart.values, { data: { storageClass: 'Not A Class' } })).join('\n')).toMatch(/\/data\/storageClass must match pattern/);
  });

  it('each chart example renders, or (a partial file) asks for data.storageClass and renders with it; gpu-cluster.yaml sets it', () => {
    expect(chartInstalls().map((install) => install.name)).toHaveLength(EXAMPLES.length + 1);
    expect((example('gpu-cluster.yaml')['data'] as Loose)['storageClass']).toEqual(expect.any(String));
    expect((example('dev.yaml')['data'] as Loose)['accessModes']).toEqual(['ReadWriteOnce']);
  });
});

describe('2. GPU pods are placed by their nvidia.com/gpu request, not by nvidia.com/gpu.present', () => {
  /** Pod specs an install runs: its workloads and a Job of its default trial template. */
  function podSpecs(install: Install): { owner: string; spec: Loose }[] {
    const specs = podTemplates(install.objects).map(({ owner, spec }) => ({ owner, spec }));
    const templateMap = install.objects.find((o) => o.kind === 'ConfigMap' && (o['data'] as Loose | undefined)?.['trial-template.yaml']);
    // the file's own settings (a `policy` section, where there is one) are not part of a trial's template
    const { policy: _policy, ...fields } = parse((templateMap!['data'] as Loose)['trial-template.yaml']) as Loose;
    const template = parseTrialTemplate(fields, `${install.name} trial template`);
    const job = buildTrialJob(template, { experimentId: 'exp', trialId: '1', attempt: 1, namespace: install.namespace });
    return [...specs, { owner: 'trial Job', spec: job.spec!.template.spec as Loose }];
  }
  const gpuRequest = (spec: Loose) => spec['containers'].some((c: Loose) => Number(c.resources?.limits?.['nvidia.com/gpu'] ?? 0) > 0);

  it('every k8s/ overlay, the chart defaults and every chart example: valid objects, nothing selects on gpu.present, GPU pods tolerate the GPU taint', () => {
    let gpuPods = 0;
    for (const install of [...k8sInstalls(), ...chartInstalls()]) {
      assertValidK8sObjects(install.objects, install.name);
      expect(JSON.stringify(install.objects), install.name).not.toContain('gpu.present');
      for (const { owner, spec } of podSpecs(install)) {
        expect(JSON.stringify(spec), `${install.name} ${owner}`).not.toContain('gpu.present');
        if (!gpuRequest(spec)) continue;
        gpuPods++;
        expect({ pod: `${install.name} ${owner}`, tolerations: spec['tolerations'] }).toEqual({
          pod: `${install.name} ${owner}`,
          tolerations: expect.arrayContaining([expect.objectContaining({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' })]),
        });
      }
    }
    // the gpu overlays' and the chart's trial Jobs, and queue-autoscaling.yaml's GPU trainer workers
    expect(gpuPods).toBeGreaterThanOrEqual(5);
  });

  it('the defaults select nothing: values.yaml, the examples, the k8s-jobs experiment and the test harness', () => {
    expect((chart.values['gpu'] as Loose)['nodeSelector']).toEqual({});
    const texts = [
      readFileSync(join(chartDir, 'values.yaml'), 'utf8'),
      ...EXAMPLES.map((file) => readFileSync(join(chartDir, 'examples', file), 'utf8')),
      readFileSync(join(repoRoot, 'k8s/overlays/gpu/kustomization.yaml'), 'utf8'),
      readFileSync(join(repoRoot, 'examples/nb201-rea-k8s-jobs.yaml'), 'utf8'),
    ];
    for (const text of texts) expect(text.split('\n').filter((line) => !line.trimStart().startsWith('#') && line.includes('gpu.present'))).toEqual([]);
    const experiment = parse(readFileSync(join(repoRoot, 'examples/nb201-rea-k8s-jobs.yaml'), 'utf8')) as Loose;
    expect(experiment['trialTemplate']['nodeSelector']).toBeUndefined();
    expect(testTemplate().nodeSelector).toEqual({});
  });
});

describe('3. NATS: headless Service, PodDisruptionBudget, JetStream limits, a three-node option', () => {
  function nats(install: Install) {
    const statefulSet = named(install.objects, 'StatefulSet', /nats$/)!;
    const spec = statefulSet['spec'] as Loose;
    const podLabels = spec['template']['metadata']['labels'] as Record<string, string>;
    const container = spec['template']['spec']['containers'][0] as Loose;
    const configMap = install.objects.find((o) => o.kind === 'ConfigMap' && (o['data'] as Loose | undefined)?.['nats.conf'])!;
    const conf = (configMap['data'] as Loose)['nats.conf'] as string;
    const settings = of(install.objects, 'ConfigMap').find((o) => (o['data'] as Loose | undefined)?.['ENAS_JS_REPLICAS'])!['data'] as Loose;
    return { statefulSet, spec, podLabels, container, conf, settings, replicas: spec['replicas'] as number };
  }

  const installs = (): Install[] => [
    ...k8sInstalls(),
    chartInstall('chart defaults', SITE),
    chartInstall('chart examples/dev.yaml', example('dev.yaml')),
    chartInstall('chart nats.replicas: 3', SITE, { nats: { replicas: 3 } }),
    chartInstall('chart nats.replicas: 3, 50Gi', SITE, { nats: { replicas: 3, storage: { size: '50Gi' } } }),
  ];

  it('the StatefulSet is governed by a headless Service that publishes not-ready pods, and a PodDisruptionBudget lets one server go at a time', () => {
    for (const install of installs()) {
      const { spec, podLabels, container } = nats(install);
      const governing = named(install.objects, 'Service', new RegExp(`^${spec['serviceName']}$`));
      expect(governing?.['spec'], `${install.name}: the governing Service ${spec['serviceName']}`).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
      const governingSpec = governing!['spec'] as Loose;
      expect(selects({ matchLabels: governingSpec['selector'] }, podLabels)).toBe(true);
      expect(governingSpec['ports']).toContainEqual({ name: 'cluster', port: 6222, targetPort: 'cluster' });
      expect(container['ports']).toContainEqual({ name: 'cluster', containerPort: 6222 });
      // clients keep a ClusterIP Service on 4222 (NATS_URL)
      const client = named(install.objects, 'Service', /nats$/)!['spec'] as Loose;
      expect(client['clusterIP']).toBeUndefined();
      expect(nats(install).settings['NATS_URL']).toMatch(/^nats:\/\/([a-z0-9-]+-)?nats:4222$/);
      const budgets = of(install.objects, 'PodDisruptionBudget').filter((pdb) => selects((pdb['spec'] as Loose)['selector'], podLabels));
      // maxUnavailable 1: a lone server never blocks a node drain; three keep their quorum of two
      expect(budgets.map((pdb) => pdb['spec']), install.name).toEqual([{ maxUnavailable: 1, selector: expect.anything() }]);
      expect(spec['podManagementPolicy']).toBe('Parallel');
    }
  });

  it('JetStream file storage stays within 80% of the volume and memory storage within half the memory limit, dev included', () => {
    const seen: string[] = [];
    for (const install of installs()) {
      const { spec, container, conf } = nats(install);
      const jetstream = /jetstream \{([^}]*)\}/.exec(conf)![1]!;
      const fileStore = natsBytes(/max_file_store: (\S+)/.exec(jetstream)?.[1]);
      const memoryStore = natsBytes(/max_memory_store: (\S+)/.exec(jetstream)?.[1]);
      const volume = quantityBytes((spec['volumeClaimTemplates'] as Loose[]).find((t) => t['metadata']['name'] === 'jetstream')!['spec']['resources']['requests']['storage']);
      const memoryLimit = quantityBytes(container['resources']['limits']['memory']);
      expect({ install: install.name, fileStore: fileStore <= 0.8 * volume, memoryStore: memoryStore <= memoryLimit / 2 }).toEqual({ install: install.name, fileStore: true, memoryStore: true });
      expect(fileStore, `${install.name}: uses most of the volume`).toBeGreaterThanOrEqual(0.5 * volume);
      seen.push(`${install.name}: ${fileStore / 2 ** 20}MB of ${volume / 2 ** 30}Gi`);
    }
    expect(seen).toContain('chart examples/dev.yaml: 1536MB of 2Gi');
    expect(seen).toContain('chart nats.replicas: 3, 50Gi: 38400MB of 50Gi');
  });

  it('the services create their streams with as many replicas as there are NATS servers (ENAS_JS_REPLICAS)', () => {
    const replicas = Object.fromEntries(installs().map((install) => [install.name, [nats(install).replicas, Number(nats(install).settings['ENAS_JS_REPLICAS'])]]));
    for (const [name, [servers, streams]] of Object.entries(replicas)) expect({ name, streams }).toEqual({ name, streams: servers });
    expect(replicas['k8s/overlays/nats-cluster']).toEqual([3, 3]);
    expect(replicas['chart nats.replicas: 3']).toEqual([3, 3]);
    // an external NATS keeps config.jsReplicas; more stream replicas than bundled servers is refused
    const external = chartInstall('external', SITE, example('external-nats.yaml'));
    expect(of(external.objects, 'StatefulSet')).toEqual([]);
    expect(of(external.objects, 'ConfigMap').find((o) => o.metadata.name.endsWith('-config'))!['data']).toMatchObject({ ENAS_JS_REPLICAS: '3' });
    expect(() => chartInstall('too many', SITE, { config: { jsReplicas: 3 } })).toThrow(/config\.jsReplicas \(3\).*nats\.replicas \(1\)/);
    expect(valuesProblems(chart, mergeValues(chart.values, { nats: { replicas: 2 } })).join('\n')).toMatch(/\/nats\/replicas must be equal to one of the allowed values/);
  });

  it('three servers: routes to each pod through the headless Service, spread over nodes, and NetworkPolicies that let the routes through', () => {
    const k8s = k8sInstall('k8s/overlays/nats-cluster');
    const chart3 = chartInstall('chart nats.replicas: 3', SITE, { nats: { replicas: 3 } });
    const single = [k8sInstall('k8s/overlays/gpu'), chartInstall('chart defaults', SITE)];
    for (const install of single) {
      expect(nats(install).conf).not.toContain('cluster {');
      expect(nats(install).container['args']).toEqual(['--config', '/etc/nats/nats.conf']);
    }
    // k8s/: the cluster is command-line flags (nats.conf stays the one generated file)
    expect(nats(k8s).container['args']).toEqual([
      '--config', '/etc/nats/nats.conf',
      '--cluster_name', 'dcl-enas',
      '--cluster', 'nats://0.0.0.0:6222',
      '--routes', 'nats://nats-0.nats-headless:6222,nats://nats-1.nats-headless:6222,nats://nats-2.nats-headless:6222',
    ]);
    // the chart: a cluster block in nats.conf
    const cluster = /\ncluster \{\n([\s\S]*?)\n\}/.exec(nats(chart3).conf)?.[1];
    expect(cluster).toMatch(/^ {2}name: dcl-enas-nats$/m);
    expect(cluster).toMatch(/^ {2}port: 6222$/m);
    expect(cluster!.match(/nats:\/\/\S+/g)).toEqual([0, 1, 2].map((i) => `nats://dcl-enas-nats-${i}.dcl-enas-nats-headless:6222`));
    for (const install of [k8s, chart3]) {
      const { spec, podLabels } = nats(install);
      expect(spec['template']['spec']['affinity']['podAntiAffinity']['preferredDuringSchedulingIgnoredDuringExecution'][0]['podAffinityTerm']).toEqual({
        topologyKey: 'kubernetes.io/hostname',
        labelSelector: { matchLabels: spec['selector']['matchLabels'] },
      });
      const policies = of(install.objects, 'NetworkPolicy');
      expect(trafficAllowed(policies, podLabels, podLabels, 6222), `${install.name}: routes`).toBe(true);
      // and only the NATS servers reach the route port
      const orchestrator = podTemplates(install.objects).find(({ labels }) => labels['app.kubernetes.io/name'] === 'orchestrator')!.labels;
      expect(trafficAllowed(policies, orchestrator, podLabels, 6222)).toBe(false);
      expect(trafficAllowed(policies, orchestrator, podLabels, 4222)).toBe(true);
    }
  });

  const env = { POD_NAME: 'nats-0', ...Object.fromEntries(SERVICE_NAMES.map((s) => [`NATS_${s.toUpperCase()}_PASSWORD`, `pw-${s}`])) };

  it.skipIf(!natsServer)('nats-server -t accepts the config and flags of every install', () => {
    for (const install of installs()) {
      const { conf, container } = nats(install);
      const dir = join(tmp, install.name.replace(/[^a-z0-9]+/gi, '-'));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'nats.conf'), conf.replace('/data/jetstream', join(dir, 'js')));
      const args = (container['args'] as string[]).map((arg) => (arg === '/etc/nats/nats.conf' ? join(dir, 'nats.conf') : arg));
      const run = spawnSync(natsServer!, ['-t', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
      expect({ install: install.name, out: run.stderr + run.stdout }).toEqual({ install: install.name, out: expect.stringMatching(/is valid/) });
    }
  });

  it.skipIf(!natsServer)('the chart\'s three-server config forms a JetStream cluster, and the services\' streams get ENAS_JS_REPLICAS replicas', async () => {
    const install = chartInstall('chart nats.replicas: 3', SITE, { nats: { replicas: 3 } });
    const { conf, settings } = nats(install);
    const ports = await Promise.all([0, 1, 2].map(async () => ({ client: await freePort(), cluster: await freePort() })));
    const servers = await Promise.all(
      ports.map(async (port, i) => {
        const dir = join(tmp, `cluster-${i}`);
        mkdirSync(dir, { recursive: true });
        // the same file with local addresses: own ports and store, routes to the other two on 127.0.0.1
        let local = conf.replace('/data/jetstream', join(dir, 'js')).replace(/^port: 4222$/m, `port: ${port.client}`).replace(/^http_port: 8222$/m, '').replace(/^( {2})port: 6222$/m, `$1port: ${port.cluster}`);
        ports.forEach((p, j) => (local = local.replace(`nats://dcl-enas-nats-${j}.dcl-enas-nats-headless:6222`, `nats://127.0.0.1:${p.cluster}`)));
        writeFileSync(join(dir, 'nats.conf'), local);
        const child = spawn(natsServer!, ['-a', '127.0.0.1', '-c', join(dir, 'nats.conf')], { env: { ...process.env, ...env, POD_NAME: `dcl-enas-nats-${i}` }, stdio: ['ignore', 'ignore', 'pipe'] });
        children.push(child);
        let log = '';
        await new Promise<void>((done, failed) => {
          const timer = setTimeout(() => failed(new Error(`server ${i} did not start:\n${log}`)), 20_000);
          child.stderr!.on('data', (d: Buffer) => {
            log += d.toString();
            if (log.includes('Server is ready')) {
              clearTimeout(timer);
              done();
            }
          });
          child.once('exit', (code) => failed(new Error(`server ${i} exited ${code}:\n${log}`)));
        });
        return port;
      }),
    );
    const nc = await connect({ servers: servers.map((p) => `nats://127.0.0.1:${p.client}`), user: 'orchestrator', pass: 'pw-orchestrator', inboxPrefix: '_INBOX_orchestrator' });
    connections.push(nc);
    const replicas = Number(settings['ENAS_JS_REPLICAS']);
    const deadline = Date.now() + 40_000;
    for (;;) {
      // until the three servers have elected a JetStream meta leader
      const error = await ensureJetStream(nc, { replicas, maxMessageBytes: Number(settings['ENAS_MAX_MESSAGE_BYTES']) }).then(() => null, (e: Error) => e);
      if (!error) break;
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
    const info = await (await nc.jetstreamManager()).streams.info('ENAS_EVENTS');
    expect(info.config.num_replicas).toBe(3);
    expect(1 + (info.cluster?.replicas?.length ?? 0)).toBe(3);
  }, 90_000);
});

describe('7. trial Jobs get the configuration the services get', () => {
  it('every install: the trainer of a trial Job reads the ConfigMap of the services (JetStream replicas, message size, timeouts), its own variables first', () => {
    for (const install of [...k8sInstalls(), ...chartInstalls()]) {
      const templateMap = install.objects.find((o) => o.kind === 'ConfigMap' && (o['data'] as Loose | undefined)?.['trial-template.yaml']);
      const { policy: _policy, ...fields } = parse((templateMap!['data'] as Loose)['trial-template.yaml']) as Loose;
      const job = buildTrialJob(parseTrialTemplate(fields, `${install.name} trial template`), { experimentId: 'exp', trialId: '1', attempt: 1, namespace: install.namespace });
      const container = job.spec!.template.spec!.containers[0]!;
      const orchestrator = install.objects.find((o) => o.kind === 'Deployment' && /orchestrator$/.test(o.metadata.name))!;
      const serviceConfig = ((orchestrator['spec'] as Loose).template.spec.containers[0].envFrom as Loose[]).map((e) => e.configMapRef?.name).find((name: string | undefined) => name && /config$/.test(name));
      expect(serviceConfig, install.name).toBeTruthy();
      expect(container.envFrom, install.name).toEqual(expect.arrayContaining([{ configMapRef: { name: serviceConfig } }]));
      const config = install.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === serviceConfig)!['data'] as Record<string, string>;
      expect(Object.keys(config), install.name).toEqual(expect.arrayContaining(['ENAS_JS_REPLICAS', 'ENAS_REQUEST_TIMEOUT_MS']));
      // the Job's own NATS_URL is an env entry, which Kubernetes puts over envFrom
      expect(container.env!.some((e) => e.name === 'NATS_URL'), install.name).toBe(true);
    }
  });
});
