import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { UserError } from '@dcl-enas/common';
import { objectName, trialTemplateSchema, zodProblem, type TrialTemplate } from './trial-template';

/**
 * The operator's trial policy: what an experiment spec may change of the default trial template,
 * which images its trials may run, and which Secrets it may name. Without it, whoever holds the
 * API token could run any image with any service account and every Secret of the namespace in
 * its environment (docs/security.md, "Trial templates"). It is the `policy` section of the
 * default trial template file (ENAS_TRIAL_TEMPLATE_FILE; chart value `trials.policy`), read at
 * start-up with the template; an orchestrator without that file applies the defaults.
 *
 * A field of the spec's `trialTemplate` equal to the default's value changes nothing and is not
 * checked: only what an experiment changes is.
 */

export type TrialTemplateField = keyof typeof trialTemplateSchema.shape;
const templateField = trialTemplateSchema.keyof();

/**
 * What an experiment may change by default: how big its trials are, where they run, how long and
 * how often they are tried, how many run at once. Not the image, command, environment, Secrets,
 * NATS settings, volumes, service account, runtime or priority class, labels or annotations: those
 * decide what runs with which credentials, and labels can match the NetworkPolicies' selectors.
 */
export const DEFAULT_OVERRIDABLE_FIELDS: readonly TrialTemplateField[] = [
  'gpus',
  'gpuResource',
  'resources',
  'nodeSelector',
  'affinity',
  'tolerations',
  'backoffLimit',
  'activeDeadlineSeconds',
  'pending',
  'maxConcurrentTrials',
];

export const trialPolicySchema = z.strictObject({
  /** Fields of the default trial template an experiment's `trialTemplate` may change. */
  overridableFields: z.array(templateField).default([...DEFAULT_OVERRIDABLE_FIELDS]),
  /**
   * Images an experiment may run (its `trialTemplate.image`, when that field may be changed, and
   * its `trial.image`): each must start with one of these, written as the image is
   * (`registry.example.com/team/`, `python:`). Empty: any image.
   */
  allowedImagePrefixes: z
    .array(
      z
        .string()
        .max(512)
        .regex(/^\S+[/:@]$/, 'must end with "/", ":" or "@", so that registry.example.com/team/ does not also allow registry.example.com/team-other/'),
    )
    .default([]),
  /** Secrets an experiment may name (env secretKeyRef, envFrom secretRef, nats.*, imagePullSecrets). None by default. */
  allowedSecrets: z.array(objectName).default([]),
});

export type TrialPolicy = z.output<typeof trialPolicySchema>;
export type TrialPolicyInput = z.input<typeof trialPolicySchema>;

export const DEFAULT_TRIAL_POLICY: TrialPolicy = trialPolicySchema.parse({});

const POLICY_FIX = 'fix that field of the trial policy (see docs/security.md, "Trial templates")';

export function parseTrialPolicy(input: unknown, where = 'policy'): TrialPolicy {
  const parsed = trialPolicySchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new UserError(zodProblem(parsed.error.issues[0]!, where, POLICY_FIX));
}

/** The trial policy as JSON Schema (the chart's `trials.policy`). */
export function trialPolicyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(trialPolicySchema, { io: 'input' }) as Record<string, unknown>;
}

/** The default trial template file: the template's fields, and the policy beside them. */
export const trialTemplateFileSchema = trialTemplateSchema.extend({ policy: trialPolicySchema.prefault({}) });

export interface DefaultTrialTemplate {
  template: TrialTemplate;
  policy: TrialPolicy;
}

/** Validates the default trial template file's content; bad input is one UserError line naming the field. */
export function parseTrialTemplateFile(input: unknown, where: string): DefaultTrialTemplate {
  const parsed = trialTemplateFileSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(zodProblem(issue, where, issue.path[0] === 'policy' ? POLICY_FIX : 'fix that field of the trial template (see docs/deploy.md, "The trial template")'));
  }
  const { policy, ...template } = parsed.data;
  return { template, policy };
}

export interface PolicyRequest {
  /** The spec's `trialTemplate` as written: its keys are the fields it sets. */
  overrides: Readonly<Record<string, unknown>> | undefined;
  /** The experiment's template: the default's fields with the spec's over them, parsed. */
  template: TrialTemplate;
  /** The template the spec's fields replace fields of (undefined: none). */
  base: TrialTemplate | undefined;
  /** The spec's `trial.image`, the image of trials with a command of their own. */
  userImage?: string;
}

const list = (values: readonly string[]): string => (values.length > 0 ? values.join(', ') : 'none');

/** Why the policy refuses an experiment's trial settings (one line naming the field), or null. */
export function trialPolicyProblem(policy: TrialPolicy, request: PolicyRequest, where = 'trialTemplate'): string | null {
  const { template, base } = request;
  const ask = 'drop it from the spec, or ask the operator to allow it';
  const changed = Object.keys(request.overrides ?? {}).filter(
    (field): field is TrialTemplateField => field in template && !isDeepStrictEqual(template[field as TrialTemplateField], base?.[field as TrialTemplateField]),
  );
  for (const field of changed) {
    if (!policy.overridableFields.includes(field)) {
      return `${where}.${field}: an experiment may not set ${field} on this orchestrator (policy.overridableFields of its default trial template: ${list(policy.overridableFields)}); ${ask}`;
    }
  }
  const imageProblem = (path: string, image: string): string | null =>
    policy.allowedImagePrefixes.length === 0 || policy.allowedImagePrefixes.some((prefix) => image.startsWith(prefix))
      ? null
      : `${path}: ${image} does not start with an allowed prefix (policy.allowedImagePrefixes of the default trial template: ${list(policy.allowedImagePrefixes)}); use an image from there, or ask the operator to allow its registry`;
  if (changed.includes('image')) {
    const problem = imageProblem(`${where}.image`, template.image);
    if (problem) return problem;
  }
  if (request.userImage !== undefined) {
    const problem = imageProblem('trial.image', request.userImage);
    if (problem) return problem;
  }
  for (const [path, secret] of secretReferences(template, changed)) {
    if (!policy.allowedSecrets.includes(secret)) {
      return `${where}.${path}: an experiment may not use the Secret ${secret} (policy.allowedSecrets of the default trial template: ${list(policy.allowedSecrets)}); ${ask}`;
    }
  }
  return null;
}

/** The Secrets the given fields of a template name, with the path of each. */
function secretReferences(template: TrialTemplate, fields: readonly TrialTemplateField[]): [string, string][] {
  const refs: [string, string][] = [];
  if (fields.includes('env')) {
    template.env.forEach((entry, index) => {
      if ('secretKeyRef' in entry) refs.push([`env.${index}.secretKeyRef.name`, entry.secretKeyRef.name]);
    });
  }
  if (fields.includes('envFrom')) {
    template.envFrom.forEach((source, index) => {
      if ('secretRef' in source) refs.push([`envFrom.${index}.secretRef.name`, source.secretRef.name]);
    });
  }
  if (fields.includes('nats')) {
    const { nats } = template;
    for (const key of ['credentialsSecret', 'tokenSecret', 'userSecret', 'passwordSecret', 'nkeySeedSecret'] as const) {
      const ref = nats[key];
      if (ref) refs.push([`nats.${key}.name`, ref.name]);
    }
    if (nats.tls) refs.push(['nats.tls.secretName', nats.tls.secretName]);
  }
  if (fields.includes('imagePullSecrets')) {
    template.imagePullSecrets.forEach((secret, index) => refs.push([`imagePullSecrets.${index}`, secret]));
  }
  return refs;
}
