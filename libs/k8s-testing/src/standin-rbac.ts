/**
 * RBAC for the stand-in API server: a request is allowed only when a rule of the configured Role
 * grants its verb on its resource (and subresource) in its API group, as kube-apiserver's RBAC
 * authorizer decides for a namespaced Role; otherwise 403 with the API server's message.
 */
export interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs?: readonly string[];
  readonly resourceNames?: readonly string[];
}

export interface RoleBindingSubject {
  /** As the API server names the requester, e.g. system:serviceaccount:dcl-enas:orchestrator. */
  readonly user: string;
  readonly rules: readonly PolicyRule[];
}

export interface RequestAttributes {
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace: string;
  readonly name?: string;
}

/** The verb kube-apiserver's request-info resolver gives a request. */
export function requestVerb(method: string, hasName: boolean, watch: boolean): string {
  if (method === 'GET') return watch ? 'watch' : hasName ? 'get' : 'list';
  if (method === 'POST') return 'create';
  if (method === 'DELETE') return hasName ? 'delete' : 'deletecollection';
  if (method === 'PUT') return 'update';
  if (method === 'PATCH') return 'patch';
  return method.toLowerCase();
}

function matches(list: readonly string[] | undefined, value: string): boolean {
  return (list ?? []).some((entry) => entry === '*' || entry === value);
}

export function allows(rules: readonly PolicyRule[], request: RequestAttributes): boolean {
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  return rules.some(
    (rule) =>
      matches(rule.apiGroups, request.apiGroup) &&
      matches(rule.verbs, request.verb) &&
      (matches(rule.resources, resource) || (request.subresource !== undefined && (rule.resources ?? []).includes(`${request.resource}/*`))) &&
      (rule.resourceNames === undefined || rule.resourceNames.length === 0 || (request.name !== undefined && rule.resourceNames.includes(request.name))),
  );
}

/** The message of a refused request, as kube-apiserver writes it. */
export function forbiddenMessage(user: string, request: RequestAttributes): string {
  const group = request.apiGroup === '' ? '' : `.${request.apiGroup}`;
  const target = request.name ? `${request.resource}${group} "${request.name}"` : `${request.resource}${group}`;
  const sub = request.subresource ? ` resource "${request.resource}/${request.subresource}"` : ` resource "${request.resource}"`;
  return `${target} is forbidden: User "${user}" cannot ${request.verb}${sub} in API group "${request.apiGroup}" in the namespace "${request.namespace}"`;
}
