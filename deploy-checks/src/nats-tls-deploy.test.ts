import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { connect, type NatsConnection } from 'nats';
import { NatsServerProcess, connectNats, trainerConfig } from '@dcl-enas/cluster';
import { buildTrialJob, parseTrialTemplate } from '@dcl-enas/k8s-launcher';
import { mergeValues, readChart, valuesProblems } from './helm-chart';

/**
 * TLS to NATS in the chart (value nats.tls.secretName; docs/security.md, "TLS"): the bundled
 * server's `tls` block, taken from the template and run by a real nats-server with certificates
 * made by openssl, serves TLS that a client with the Secret's ca.crt verifies (and one without
 * it does not); every service Deployment and the trial template point NATS_TLS_CA_FILE at the
 * Secret's ca.crt, mounted read-only.
 */
const repoRoot = resolve(__dirname, '../..');
const chart = readChart(join(repoRoot, 'helm/dcl-enas'));
const dir = mkdtempSync(join(tmpdir(), 'enas-chart-tls-'));
const servers: NatsServerProcess[] = [];
const connections: NatsConnection[] = [];
afterAll(async () => {
  await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
  await Promise.all(servers.map((s) => s.dispose()));
  rmSync(dir, { recursive: true, force: true });
});

function openssl(...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** What a cert-manager Certificate for the NATS Service would hold: tls.crt, tls.key and ca.crt. */
function certificateSecret(): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=chart test CA');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:dcl-enas-nats,DNS:localhost,IP:127.0.0.1\n');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=dcl-enas-nats');
  openssl('x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tls.crt', '-days', '1', '-extfile', 'san.ext');
}

/** The lines of the nats.conf template between `{{- if .Values.nats.tls.secretName }}` and its `{{- end }}`. */
function templateTlsBlock(): string {
  const text = chart.templates.get('nats.yaml')!;
  const match = /nats\.conf: \|[\s\S]*?\{\{- if \.Values\.nats\.tls\.secretName \}\}\n([\s\S]*?)\n\s*\{\{- end \}\}/.exec(text);
  return match![1]!.replace(/^ {4}/gm, '');
}

describe('helm/dcl-enas with nats.tls.secretName', () => {
  it("the bundled server's tls block serves TLS that the Secret's ca.crt verifies; without it a client is refused", async () => {
    certificateSecret();
    const block = templateTlsBlock();
    expect(block).toMatch(/^tls \{\n\s+cert_file: \/etc\/nats-tls\/tls\.crt\n\s+key_file: \/etc\/nats-tls\/tls\.key\n\}$/m);
    // the StatefulSet mounts the Secret's tls.crt and tls.key there
    const nats = chart.templates.get('nats.yaml')!;
    expect(nats).toContain('- name: tls\n              mountPath: /etc/nats-tls\n              readOnly: true');
    expect(nats).toContain('secretName: {{ .Values.nats.tls.secretName }}\n            items:\n              - { key: tls.crt, path: tls.crt }\n              - { key: tls.key, path: tls.key }');
    const server = await NatsServerProcess.start({ config: block.replaceAll('/etc/nats-tls', dir) });
    servers.push(server);
    // a service configured as the chart configures it: NATS_TLS_CA_FILE at the Secret's ca.crt
    const config = trainerConfig({ NATS_URL: server.url, NATS_TLS_CA_FILE: join(dir, 'ca.crt') });
    const nc = await connectNats(config.nats, 'chart-tls');
    connections.push(nc);
    await nc.flush();
    expect(nc.info?.tls_required).toBe(true);
    const refused = await connect({ servers: server.url, reconnect: false, timeout: 5000 }).then(
      (c) => (connections.push(c), null),
      (e: unknown) => e as { code: string },
    );
    expect(refused?.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN/);
  });

  it('every service Deployment and the trial template verify the server with the Secret\'s ca.crt', () => {
    const helpers = chart.templates.get('_helpers.tpl')!;
    expect(helpers).toContain('{{- if $root.Values.nats.tls.secretName }}\n            - name: NATS_TLS_CA_FILE\n              value: /var/run/secrets/dcl-enas/nats-tls/ca.crt');
    expect(helpers).toContain('- name: nats-tls\n              mountPath: /var/run/secrets/dcl-enas/nats-tls\n              readOnly: true');
    expect(helpers).toContain('- name: nats-tls\n          secret:\n            secretName: {{ $root.Values.nats.tls.secretName }}\n            items:\n              - { key: ca.crt, path: ca.crt }');
    const configMaps = chart.templates.get('configmaps.yaml')!;
    expect(configMaps).toContain('{{- with .Values.nats.tls.secretName }}\n      tls: { secretName: {{ . }}, caKey: ca.crt }');
    // rendered with a secret name, that line is a trial template field the launcher turns into NATS_TLS_CA_FILE
    const nats = parse(`url: nats://dcl-enas-nats:4222\ntls: { secretName: nats-tls, caKey: ca.crt }\n`) as Record<string, unknown>;
    const job = buildTrialJob(parseTrialTemplate({ image: 'trainer:1', nats }), { experimentId: 'e', trialId: '0', attempt: 1, namespace: 'ns' });
    expect(job.spec!.template.spec!.containers[0]!.env).toEqual(expect.arrayContaining([{ name: 'NATS_TLS_CA_FILE', value: '/var/run/secrets/dcl-enas/nats-tls/ca.pem' }]));
  });

  it('values.schema.json takes a Secret name and refuses others', () => {
    expect((chart.values['nats'] as Record<string, unknown>)['tls']).toEqual({ secretName: '' });
    expect(valuesProblems(chart, mergeValues(chart.values, { nats: { tls: { secretName: 'dcl-enas-nats-tls' } } }))).toEqual([]);
    expect(valuesProblems(chart, mergeValues(chart.values, { nats: { tls: { secretName: 'TLS!' } } })).join('\n')).toMatch(/\/nats\/tls\/secretName must match pattern/);
    expect(valuesProblems(chart, mergeValues(chart.values, { nats: { tls: { enabled: true } } })).join('\n')).toMatch(/\/nats\/tls must NOT have additional properties \(enabled\)/);
  });
});
