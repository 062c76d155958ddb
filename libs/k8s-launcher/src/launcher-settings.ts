import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { UserError } from '@dcl-enas/common';
import { KubeClusterApi, connectToCluster } from './kube-api';
import { TrialLauncher, type LauncherLog } from './launcher';
import { parseTrialTemplateFile, type DefaultTrialTemplate } from './trial-policy';

/**
 * The orchestrator's launcher settings, from its environment (set by k8s/ and the chart):
 * ENAS_TRIAL_LAUNCHER        queue (trainer workers, default) or kubernetes (one Job per trial)
 * ENAS_K8S_NAMESPACE         namespace of the trial Jobs (default: the pod's own namespace)
 * ENAS_K8S_MAX_CONCURRENT_JOBS  trial Jobs alive at once, all experiments together (default 8)
 * ENAS_TRIAL_TEMPLATE_FILE   YAML or JSON trial template used when a spec has none, with the
 *                            trial policy (what a spec may change of it) in its `policy` section
 * ENAS_K8S_PENDING_CHECK_MS  how often stuck-pending trials are looked for (default 5000)
 */
export interface LauncherSettings {
  mode: 'queue' | 'kubernetes';
  namespace?: string;
  maxConcurrentJobs: number;
  templateFile?: string;
  pendingCheckIntervalMs: number;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UserError(`${name}=${raw} is not a positive integer: set it to e.g. ${fallback}`);
  return value;
}

export function launcherSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LauncherSettings {
  const mode = env['ENAS_TRIAL_LAUNCHER'] || 'queue';
  if (mode !== 'queue' && mode !== 'kubernetes') {
    throw new UserError(`ENAS_TRIAL_LAUNCHER=${mode} is not a launcher: use "queue" (trainer workers) or "kubernetes" (one Job per trial)`);
  }
  const settings: LauncherSettings = {
    mode,
    maxConcurrentJobs: positiveInteger(env, 'ENAS_K8S_MAX_CONCURRENT_JOBS', 8),
    pendingCheckIntervalMs: positiveInteger(env, 'ENAS_K8S_PENDING_CHECK_MS', 5_000),
  };
  if (env['ENAS_K8S_NAMESPACE']) settings.namespace = env['ENAS_K8S_NAMESPACE'];
  if (env['ENAS_TRIAL_TEMPLATE_FILE']) settings.templateFile = env['ENAS_TRIAL_TEMPLATE_FILE'];
  return settings;
}

/**
 * Reads the default trial template file (YAML or JSON): the template, and its `policy` section
 * (libs/k8s-launcher/src/trial-policy.ts; defaults when there is none). A missing or bad file is
 * one UserError line naming the file and the field.
 */
export function loadTrialTemplateFile(path: string): DefaultTrialTemplate {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`trial template file ${path} cannot be read: check ENAS_TRIAL_TEMPLATE_FILE and the ConfigMap mounted there`);
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new UserError(`trial template file ${path} is not YAML (${(error as Error).message.split('\n')[0]}): fix the file`);
  }
  return parseTrialTemplateFile(data, path);
}

/** A launcher for the cluster the process runs in (in-cluster service account, else kubeconfig). */
export function clusterLauncher(settings: LauncherSettings, log?: LauncherLog): TrialLauncher {
  const { kubeConfig, namespace } = connectToCluster(settings.namespace ? { namespace: settings.namespace } : {});
  return new TrialLauncher({
    api: new KubeClusterApi(kubeConfig, namespace),
    maxConcurrentJobs: settings.maxConcurrentJobs,
    pendingCheckIntervalMs: settings.pendingCheckIntervalMs,
    ...(log ? { log } : {}),
  });
}
