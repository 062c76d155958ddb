import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { V1Container, V1Pod } from './k8s-client';
import type { KubeApiStandin } from './standin-api-server';

/** Secrets by name, then key, as the kubelet would project them. */
export type SecretStore = Record<string, Record<string, string>>;

/**
 * Plays the kubelet for the stand-in API server's `external` pods: runs each Running pod's
 * container as a local process, then ends the pod with the process's exit code, termination
 * message and log (stdout and stderr together, as a container log holds them).
 *
 * What a container would see at a path, the process sees at a host directory of the pod:
 * emptyDir volumes are fresh directories; Downward API volumes hold the pod's annotations and
 * labels as files; a subPath mount nested in another mount is a copy of the file there; the
 * termination message path is an empty file, as the kubelet mounts one. Environment values that
 * name a mounted path are rewritten to the host path (a container reads the same file at the
 * container path). Secret volumes and envFrom are refused: no test here gives them to a pod.
 */
export class ProcessKubelet {
  /** While held, pods stay Running and nothing is started (a long training run). */
  held = false;
  readonly started = new Set<string>();
  /** Each pod's container spec as it was started, by pod name. */
  readonly containers = new Map<string, V1Container>();
  private readonly children = new Map<string, ChildProcess>();
  private readonly timer: NodeJS.Timeout;
  private readonly root = mkdtempSync(join(tmpdir(), 'enas-kubelet-'));

  constructor(
    private readonly standin: KubeApiStandin,
    private readonly namespace: string,
    private readonly options: { cwd: string; baseEnv: NodeJS.ProcessEnv; secrets?: SecretStore },
  ) {
    this.timer = setInterval(() => this.tick(), 25);
  }

  stop(): void {
    clearInterval(this.timer);
    for (const child of this.children.values()) killGroup(child);
    rmSync(this.root, { recursive: true, force: true });
  }

  /** The host directory of a pod's volume (what the container saw at its mount path). */
  volumeDir(podName: string, volume: string): string {
    return join(this.root, podName, 'volumes', volume);
  }

  private tick(): void {
    const live = new Set<string>();
    for (const pod of this.standin.pods(this.namespace)) {
      const name = pod.metadata!.name!;
      if (pod.status?.phase === 'Running') live.add(name);
      if (!this.held && pod.status?.phase === 'Running' && !this.started.has(name)) this.run(pod);
    }
    // A pod deleted while it runs (a Job past its deadline, a stopped experiment): its processes go, all of them.
    for (const [name, child] of this.children) if (!live.has(name)) killGroup(child);
  }

  private run(pod: V1Pod): void {
    const name = pod.metadata!.name!;
    this.started.add(name);
    const container = pod.spec!.containers[0]!;
    this.containers.set(name, container);
    if (container.envFrom?.length) throw new Error(`pod ${name}: envFrom is not played by this kubelet`);
    const podDir = join(this.root, name);
    const mounts = this.mount(pod, container, podDir);
    const messageFile = hostPath(mounts, container.terminationMessagePath ?? '/dev/termination-log') ?? join(podDir, 'termination-log');
    mkdirSync(dirname(messageFile), { recursive: true });
    writeFileSync(messageFile, '');
    mounts.push([container.terminationMessagePath ?? '/dev/termination-log', messageFile]);

    const env: NodeJS.ProcessEnv = { ...this.options.baseEnv };
    for (const entry of container.env ?? []) {
      const secret = entry.valueFrom?.secretKeyRef;
      const field = entry.valueFrom?.fieldRef?.fieldPath;
      if (entry.value !== undefined) env[entry.name] = hostPath(mounts, entry.value) ?? entry.value;
      else if (secret) env[entry.name] = this.options.secrets?.[secret.name!]?.[secret.key];
      else if (field === 'metadata.name') env[entry.name] = name;
    }
    let log = '';
    // Its own process group: the container's processes end together, as a cgroup's do.
    const child = spawn(container.command![0]!, [...container.command!.slice(1), ...(container.args ?? [])], { cwd: this.options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.children.set(name, child);
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    child.once('error', () => undefined);
    child.once('close', (code, signal) => {
      this.children.delete(name);
      killGroup(child);
      const message = existsSync(messageFile) ? readFileSync(messageFile, 'utf8') : '';
      // A container killed by signal N exits 128 + N, as container runtimes report it.
      const exitCode = code ?? 128 + (signal ? osConstants.signals[signal] : 9);
      this.standin.endPod(this.namespace, name, exitCode, message, log);
    });
  }

  /** Materialises the container's volume mounts: [container path, host path] pairs, outer mounts first. */
  private mount(pod: V1Pod, container: V1Container, podDir: string): [string, string][] {
    const mounts: [string, string][] = [];
    const sorted = [...(container.volumeMounts ?? [])].sort((a, b) => a.mountPath.length - b.mountPath.length);
    for (const mount of sorted) {
      const volume = pod.spec!.volumes?.find((v) => v.name === mount.name);
      if (!volume) throw new Error(`pod ${pod.metadata!.name}: mount ${mount.name} names no volume`);
      const volumeDir = join(podDir, 'volumes', volume.name);
      if (!existsSync(volumeDir)) {
        mkdirSync(volumeDir, { recursive: true });
        for (const item of volume.downwardAPI?.items ?? []) writeFileSync(join(volumeDir, item.path), fieldValue(pod, item.fieldRef?.fieldPath ?? ''));
        if (volume.secret || volume.projected) throw new Error(`pod ${pod.metadata!.name}: volume ${volume.name} (secret or projected) is not played by this kubelet`);
      }
      const source = mount.subPath ? join(volumeDir, mount.subPath) : volumeDir;
      const inside = hostPath(mounts, mount.mountPath);
      if (inside && mount.subPath) {
        // A file mounted inside another mount: the container sees it there.
        mkdirSync(dirname(inside), { recursive: true });
        copyFileSync(source, inside);
        mounts.push([mount.mountPath, inside]);
      } else {
        mounts.push([mount.mountPath, source]);
      }
    }
    return mounts;
  }
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The host path of a container path under one of the mounts (the innermost), or undefined. */
function hostPath(mounts: readonly [string, string][], path: string): string | undefined {
  let best: [string, string] | undefined;
  for (const mount of mounts) {
    if ((path === mount[0] || path.startsWith(`${mount[0]}/`)) && (!best || mount[0].length > best[0].length)) best = mount;
  }
  return best ? best[1] + path.slice(best[0].length) : undefined;
}

/** A Downward API field: metadata.annotations['k'], metadata.labels['k'], metadata.name. */
function fieldValue(pod: V1Pod, fieldPath: string): string {
  const keyed = /^metadata\.(annotations|labels)\['(.+)'\]$/.exec(fieldPath);
  if (keyed) return (keyed[1] === 'annotations' ? pod.metadata?.annotations : pod.metadata?.labels)?.[keyed[2]!] ?? '';
  if (fieldPath === 'metadata.name') return pod.metadata?.name ?? '';
  if (fieldPath === 'metadata.namespace') return pod.metadata?.namespace ?? '';
  throw new Error(`downward API field ${fieldPath} is not played by this kubelet`);
}
