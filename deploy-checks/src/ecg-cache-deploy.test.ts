import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildTrialJob, parseTrialTemplate } from '@dcl-enas/k8s-launcher';
import { kustomizeBuild } from './kustomize';
import { type K8sObject, podSecurityProblems, podTemplates, type Loose, k8sObjectProblems } from '@dcl-enas/k8s-testing';
import { mergeValues, readChart, valuesProblems } from './helm-chart';

/**
 * ECG trainers in the deployment (docs/deploy.md, "ECG trainers"): the trainer workers and the
 * trial Jobs get ENAS_CACHE_DIR on a mounted volume (the MIT-BIH beat set cache; the root
 * filesystem stays read-only), an emptyDir by default or a shared claim; the trainers' ack wait
 * is a setting. Checked on the kustomize builds, the Jobs the launcher builds, and the chart's
 * templates and values (without helm).
 */
const repoRoot = resolve(__dirname, '../..');
const chart = readChart(join(repoRoot, 'helm/dcl-enas'));

type Container = { env?: { name: string; value?: string }[]; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[]; securityContext: { readOnlyRootFilesystem: boolean } };

/** Where ENAS_CACHE_DIR points in a pod spec, and the volume mounted there. */
function cacheOf(spec: Loose): { dir: string | undefined; volume: Loose | undefined; mount: Loose | undefined; container: Container } {
  const container = spec.containers[0] as Container;
  const dir = container.env?.find((v) => v.name === 'ENAS_CACHE_DIR')?.value;
  const mount = container.volumeMounts?.find((m) => m.mountPath === dir);
  const volume = (spec.volumes as Loose[] | undefined)?.find((v) => v.name === mount?.name);
  return { dir, volume, mount, container };
}

describe.each(['k8s/base', 'k8s/overlays/dev', 'k8s/overlays/gpu'])('%s', (dir) => {
  const objects = kustomizeBuild(join(repoRoot, dir));

  it('the trainer Deployment has ENAS_CACHE_DIR on a writable emptyDir, a read-only root filesystem and an ack wait setting', () => {
    const trainer = podTemplates(objects).find(({ owner }) => owner === 'Deployment/trainer')!;
    const { dir: cacheDir, volume, mount, container } = cacheOf(trainer.spec);
    expect(cacheDir).toBe('/cache');
    expect(mount).toMatchObject({ name: 'cache', mountPath: '/cache' });
    expect(mount!['readOnly']).toBeUndefined();
    expect(volume).toEqual({ name: 'cache', emptyDir: { sizeLimit: '1Gi' } });
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.env?.find((v) => v.name === 'ENAS_TRIAL_ACK_WAIT_MS')?.value).toMatch(/^\d+$/);
    expect(podSecurityProblems('trainer', trainer.spec)).toEqual([]);
  });

  it("the default trial template's Jobs have ENAS_CACHE_DIR on an emptyDir", () => {
    const configMap = objects.find((o: K8sObject) => o.kind === 'ConfigMap' && o.metadata.name === 'dcl-enas-trial-template')!;
    const template = parseTrialTemplate(parse((configMap['data'] as Record<string, string>)['trial-template.yaml']!));
    const job = buildTrialJob(template, { experimentId: 'ecg1', trialId: '3', attempt: 1, namespace: 'dcl-enas' });
    const { dir: cacheDir, volume } = cacheOf(job.spec!.template.spec as Loose);
    expect(cacheDir).toBe('/cache');
    expect(volume).toEqual({ name: 'cache', emptyDir: { sizeLimit: '1Gi' } });
  });
});

describe('trial Jobs with a shared cache claim', () => {
  it('mount the claim read-write at cache.mountPath, stay valid and read-only at the root', () => {
    const template = parseTrialTemplate({ image: 'trainer:1', cache: { claimName: 'dcl-enas-cache', mountPath: '/var/cache/enas' } });
    const job = buildTrialJob(template, { experimentId: 'ecg1', trialId: '4', attempt: 2, namespace: 'dcl-enas' });
    const spec = job.spec!.template.spec as Loose;
    const { dir: cacheDir, volume, mount, container } = cacheOf(spec);
    expect(cacheDir).toBe('/var/cache/enas');
    expect(volume).toEqual({ name: 'cache', persistentVolumeClaim: { claimName: 'dcl-enas-cache' } });
    expect(mount!['readOnly']).toBeUndefined();
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(k8sObjectProblems(job)).toEqual([]);
    expect(podSecurityProblems('trial Job', spec)).toEqual([]);
  });

  it('a template without cache still gets one (an emptyDir at /cache); a bad one is refused naming the field', () => {
    const job = buildTrialJob(parseTrialTemplate({ image: 'trainer:1' }), { experimentId: 'e', trialId: '0', attempt: 1, namespace: 'n' });
    expect(cacheOf(job.spec!.template.spec as Loose)).toMatchObject({ dir: '/cache', volume: { name: 'cache', emptyDir: { sizeLimit: '1Gi' } } });
    expect(() => parseTrialTemplate({ image: 'trainer:1', cache: { mountPath: 'cache' } })).toThrow(/trialTemplate\.cache\.mountPath: must be an absolute path/);
    expect(() => parseTrialTemplate({ image: 'trainer:1', cache: { sizeLimit: 'big' } })).toThrow(/trialTemplate\.cache\.sizeLimit/);
    expect(() => parseTrialTemplate({ image: 'trainer:1', cache: { claim: 'x' } })).toThrow(/trialTemplate\.cache/);
  });
});

describe('helm/dcl-enas (templates and values, without helm)', () => {
  const helpers = chart.templates.get('_helpers.tpl')!;

  it('the trainer Deployment mounts the cache volume at cache.mountPath and sets ENAS_CACHE_DIR and ENAS_TRIAL_ACK_WAIT_MS', () => {
    expect(chart.values['cache']).toMatchObject({ mountPath: '/cache', sizeLimit: '1Gi', persistentVolumeClaim: { enabled: false } });
    expect(helpers).toMatch(/\{\{- if eq \.name "trainer" \}\}\n\s+- name: cache\n\s+mountPath: \{\{ \$root\.Values\.cache\.mountPath \}\}/);
    expect(helpers).toMatch(/- name: cache\n\s+\{\{- if \$root\.Values\.cache\.persistentVolumeClaim\.enabled \}\}\n\s+persistentVolumeClaim:\n\s+claimName: \{\{ include "dcl-enas\.cacheClaim" \$root \}\}\n\s+\{\{- else \}\}\n\s+emptyDir:\n\s+sizeLimit: \{\{ \$root\.Values\.cache\.sizeLimit \}\}/);
    const services = chart.templates.get('services.yaml')!;
    expect(services).toContain('{{- $cacheDir := dict "name" "ENAS_CACHE_DIR" "value" .Values.cache.mountPath }}');
    expect(services).toMatch(/"name" "trainer"[^\n]*"extraEnv" \(list \$concurrency \$ackWait \$cacheDir\)/);
    expect(services).toContain('{{- $ackWait := dict "name" "ENAS_TRIAL_ACK_WAIT_MS" "value" (toString .Values.trainer.ackWaitMs) }}');
    // the read-only root filesystem stays: the trainer uses the shared container security context
    expect(helpers).toMatch(/define "dcl-enas\.containerSecurity"[\s\S]*?readOnlyRootFilesystem: true/);
  });

  it('the trial template gets the same cache: the shared claim when enabled, else an emptyDir of cache.sizeLimit', () => {
    const configMaps = chart.templates.get('configmaps.yaml')!;
    expect(configMaps).toContain(['    cache:', '      mountPath: {{ .Values.cache.mountPath }}', '      {{- if .Values.cache.persistentVolumeClaim.enabled }}', '      claimName: {{ include "dcl-enas.cacheClaim" . }}', '      {{- else }}', '      sizeLimit: {{ .Values.cache.sizeLimit }}'].join('\n'));
    // what it renders to, for both settings, is a trial template the launcher accepts
    for (const rendered of [{ mountPath: '/cache', sizeLimit: '1Gi' }, { mountPath: '/cache', claimName: 'dcl-enas-cache' }]) {
      expect(parseTrialTemplate({ image: 'trainer:1', cache: rendered }).cache).toMatchObject(rendered);
    }
    const pvc = chart.templates.get('cache-pvc.yaml')!;
    expect(pvc).toMatch(/^\{\{- if and \.Values\.cache\.persistentVolumeClaim\.enabled \(not \.Values\.cache\.persistentVolumeClaim\.existingClaim\) \}\}/);
    expect(pvc).toContain('name: {{ include "dcl-enas.cacheClaim" . }}');
  });

  it('values.schema.json takes a persistent cache claim and ECG ack waits, and refuses bad ones', () => {
    const ecg = mergeValues(chart.values, { trainer: { ackWaitMs: 600000 }, cache: { persistentVolumeClaim: { enabled: true, size: '5Gi', storageClass: 'nfs-client' } } });
    expect(valuesProblems(chart, ecg)).toEqual([]);
    expect(valuesProblems(chart, mergeValues(chart.values, { cache: { persistentVolumeClaim: { existingClaim: 'my-cache', enabled: true } } }))).toEqual([]);
    const bad = valuesProblems(chart, mergeValues(chart.values, { cache: { mountPath: 'cache', sizeLimit: 5, persistentVolumeClaim: { accessModes: ['ReadWriteSometimes'], enable: true } } })).join('\n');
    expect(bad).toMatch(/\/cache\/mountPath must match pattern/);
    expect(bad).toMatch(/\/cache\/sizeLimit must be string/);
    expect(bad).toMatch(/\/cache\/persistentVolumeClaim\/accessModes\/0 must be equal to one of the allowed values/);
    expect(bad).toMatch(/\/cache\/persistentVolumeClaim must NOT have additional properties \(enable\)/);
    expect(readFileSync(join(repoRoot, 'helm/dcl-enas/values.yaml'), 'utf8')).toMatch(/ECG[\s\S]{0,120}use e\.g\. 600000\.\n {2}ackWaitMs: 30000/);
  });
});
