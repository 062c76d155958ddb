import type { K8sObject, Loose } from './k8s-object';

/** Pod templates of workload objects (and bare pods), with where they come from. */
export function podTemplates(objects: readonly K8sObject[]): { owner: string; labels: Record<string, string>; spec: Loose }[] {
  const out: { owner: string; labels: Record<string, string>; spec: Loose }[] = [];
  for (const object of objects) {
    const spec = object['spec'] as Loose | undefined;
    const owner = `${object.kind}/${object.metadata.name}`;
    if (object.kind === 'Pod' && spec) out.push({ owner, labels: object.metadata.labels ?? {}, spec });
    else if (spec?.['template']?.spec) out.push({ owner, labels: spec['template'].metadata?.labels ?? {}, spec: spec['template'].spec });
  }
  return out;
}

/**
 * Pod Security Standards "restricted", the parts we rely on: non-root, seccomp RuntimeDefault,
 * no privilege escalation, every capability dropped, read-only root filesystem (ours, stricter).
 */
export function podSecurityProblems(owner: string, spec: Loose): string[] {
  const problems: string[] = [];
  const pod = spec['securityContext'] ?? {};
  if (pod.runAsNonRoot !== true) problems.push(`${owner}: pod securityContext.runAsNonRoot must be true`);
  if (!(typeof pod.runAsUser === 'number' && pod.runAsUser > 0)) problems.push(`${owner}: pod securityContext.runAsUser must be a non-zero uid`);
  if (pod.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${owner}: pod seccompProfile must be RuntimeDefault`);
  if (spec['hostNetwork'] || spec['hostPID'] || spec['hostIPC']) problems.push(`${owner}: host namespaces are not allowed`);
  for (const container of [...(spec['containers'] ?? []), ...(spec['initContainers'] ?? [])]) {
    const where = `${owner} container ${container.name}`;
    const context = container.securityContext ?? {};
    if (context.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation must be false`);
    if (context.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem must be true`);
    if (context.privileged === true) problems.push(`${where}: must not be privileged`);
    if (!(context.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities.drop must include ALL`);
    if ((context.capabilities?.add ?? []).length > 0) problems.push(`${where}: must not add capabilities`);
  }
  for (const volume of spec['volumes'] ?? []) {
    if (volume.hostPath) problems.push(`${owner}: hostPath volume ${volume.name} is not allowed`);
  }
  return problems;
}
