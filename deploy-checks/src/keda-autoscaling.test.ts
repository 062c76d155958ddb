import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONSUMERS, STREAMS } from '@dcl-enas/contracts';
import { mergeValues, readChart, valuesProblems } from './helm-chart';
import { renderChart } from './chart-render';
import { type K8sObject, type Loose, assertValidK8sObjects, k8sObjectProblems } from '@dcl-enas/k8s-testing';

/**
 * KEDA's ScaledObjects of helm/dcl-enas, rendered (chart-render.ts) with autoscaling off and on:
 * the nats-jetstream trigger reads the lag of the consumer the services create (the orchestrator
 * at start-up, apps/orchestrator/test/trainer-consumer.test.ts) from a NATS monitoring endpoint
 * that follows the values (the bundled server's Service in the cluster's domain, or an external
 * server's), and the trainer Deployment leaves `replicas` to KEDA, so that `helm upgrade` does not
 * reset the count KEDA set.
 */
const chartDir = resolve(__dirname, '../../helm/dcl-enas');
const chart = readChart(chartDir);
const example = (file: string) => parse(readFileSync(join(chartDir, 'examples', file), 'utf8')) as Record<string, unknown>;
const RELEASE = { releaseName: 'enas', namespace: 'ml' };
/** What every install sets besides (a class for the ReadWriteMany data claim); the KEDA values come on top. */
const SITE = { data: { storageClass: 'rwx-test' } };

function render(...overrides: Record<string, unknown>[]): K8sObject[] {
  const values = [SITE, ...overrides].reduce((merged, o) => mergeValues(merged, o), chart.values);
  return renderChart(chart, values, RELEASE).objects;
}
const find = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const jetstreamTriggers = (objects: K8sObject[]) =>
  objects.filter((o) => o.kind === 'ScaledObject').flatMap((o) => ((o['spec'] as Loose).triggers as Loose[]).filter((t) => t.type === 'nats-jetstream').map((t) => ({ object: o.metadata.name, metadata: t.metadata as Record<string, string> })));
const autoscaled = example('queue-autoscaling.yaml');

describe('helm/dcl-enas: KEDA autoscaling', () => {
  it('off (the default): no ScaledObject, and the trainer Deployment has trainer.replicas', () => {
    const objects = render();
    expect(objects.filter((o) => o.kind === 'ScaledObject')).toEqual([]);
    expect((find(objects, 'Deployment', 'enas-trainer')!['spec'] as Loose).replicas).toBe((chart.values['trainer'] as Loose).replicas);
  });

  it('examples/queue-autoscaling.yaml: ScaledObjects that validate against the KEDA schema, on the consumer the services create', () => {
    const objects = render(autoscaled);
    const scaled = objects.filter((o) => o.kind === 'ScaledObject');
    expect(scaled.map((o) => o.metadata.name).sort()).toEqual(['enas-predictor', 'enas-trainer']);
    assertValidK8sObjects(scaled, 'keda.yaml');
    const trainer = scaled.find((o) => o.metadata.name === 'enas-trainer')!['spec'] as Loose;
    expect(find(objects, 'Deployment', trainer.scaleTargetRef.name)).toBeDefined();
    expect(trainer).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 8 });
    const triggers = jetstreamTriggers(objects);
    expect(triggers.map((t) => t.object).sort()).toEqual(['enas-predictor', 'enas-trainer']);
    for (const { metadata } of triggers) {
      expect(metadata).toMatchObject({ natsServerMonitoringEndpoint: 'enas-nats.ml.svc.cluster.local:8222', account: '$G', stream: STREAMS.trials, consumer: CONSUMERS.trainers });
      expect(metadata['useHttps']).toBeUndefined();
    }
    // the bundled NATS Service has that monitoring port
    const natsService = find(objects, 'Service', 'enas-nats')!['spec'] as Loose;
    expect(natsService.ports).toContainEqual(expect.objectContaining({ name: 'monitor', port: 8222 }));
    // and a wrong type is reported by the KEDA schema
    const broken = structuredClone(scaled[0]!) as Loose;
    broken.spec.minReplicaCount = 'none';
    expect(k8sObjectProblems(broken).length).toBeGreaterThan(0);
  });

  it('the trainer Deployment leaves replicas out under autoscaling (helm upgrade keeps the count KEDA set)', () => {
    const spec = find(render(autoscaled), 'Deployment', 'enas-trainer')!['spec'] as Loose;
    expect(spec).not.toHaveProperty('replicas');
    // the other Deployments keep theirs
    for (const name of ['enas-orchestrator', 'enas-encoder']) expect(find(render(autoscaled), 'Deployment', name)!['spec']).toHaveProperty('replicas');
    // on without queue mode there is no trainer Deployment and no trainer ScaledObject
    const jobs = render(autoscaled, { orchestrator: { launcher: { mode: 'kubernetes' } } });
    expect(find(jobs, 'Deployment', 'enas-trainer')).toBeUndefined();
    expect(find(jobs, 'ScaledObject', 'enas-trainer')).toBeUndefined();
  });

  it('the predictor Deployment leaves replicas out when KEDA scales it', () => {
    const predictorScaled = render({ predictor: { autoscaling: { enabled: true } } });
    expect(find(predictorScaled, 'Deployment', 'enas-predictor')!['spec']).not.toHaveProperty('replicas');
    expect(find(render({}), 'Deployment', 'enas-predictor')!['spec']).toHaveProperty('replicas');
  });

  it('the monitoring endpoint follows clusterDomain, or autoscaling.keda.natsMonitoringEndpoint when set', () => {
    const domain = jetstreamTriggers(render(autoscaled, { clusterDomain: 'corp.internal' }));
    expect(domain.map((t) => t.metadata['natsServerMonitoringEndpoint'])).toEqual(['enas-nats.ml.svc.corp.internal:8222', 'enas-nats.ml.svc.corp.internal:8222']);
    const explicit = jetstreamTriggers(render(autoscaled, { autoscaling: { keda: { natsMonitoringEndpoint: 'nats-mon.nats-system:8222', natsMonitoringHttps: true, natsAccount: 'ENAS' } } }));
    expect(explicit).toHaveLength(2);
    for (const { metadata } of explicit) expect(metadata).toMatchObject({ natsServerMonitoringEndpoint: 'nats-mon.nats-system:8222', useHttps: 'true', account: 'ENAS' });
  });

  it('external NATS (examples/external-nats.yaml): the endpoint is required, then used', () => {
    expect(() => render(example('external-nats.yaml'), autoscaled)).toThrow(/autoscaling\.keda\.natsMonitoringEndpoint is required when nats\.enabled is false/);
    const objects = render(example('external-nats.yaml'), autoscaled, { autoscaling: { keda: { natsMonitoringEndpoint: 'nats.nats-system.svc.cluster.local:8222' } } });
    expect(find(objects, 'Service', 'enas-nats')).toBeUndefined();
    expect(jetstreamTriggers(objects).map((t) => t.metadata['natsServerMonitoringEndpoint'])).toEqual(['nats.nats-system.svc.cluster.local:8222', 'nats.nats-system.svc.cluster.local:8222']);
    assertValidK8sObjects(objects.filter((o) => o.kind === 'ScaledObject'), 'keda.yaml (external NATS)');
    // without autoscaling an external install needs no endpoint
    expect(() => render(example('external-nats.yaml'))).not.toThrow();
  });

  it('the schema refuses an endpoint with a scheme or a path, and a bad cluster domain', () => {
    const problems = valuesProblems(chart, mergeValues(chart.values, { clusterDomain: 'Cluster Local', autoscaling: { keda: { natsMonitoringEndpoint: 'http://nats:8222/jsz' } } })).join('\n');
    expect(problems).toMatch(/\/clusterDomain must match pattern/);
    expect(problems).toMatch(/\/autoscaling\/keda\/natsMonitoringEndpoint must match pattern/);
    expect(valuesProblems(chart, mergeValues(chart.values, { autoscaling: { keda: { natsMonitoringEndpoint: '10.0.0.7:8222' } } }))).toEqual([]);
  });
});
