/**
 * Azure errors in plain words: one line that says what was refused, for whom, where, and what to
 * do, always with the correlation id that Azure support asks for.
 */
import { assignCommand } from './roleAssignments';

export interface ArmErrorInfo {
  status?: number;
  code?: string;
  message: string;
  target?: string;
  details?: ArmErrorInfo[];
  additionalInfo?: { type?: string; info?: Record<string, unknown> }[];
  correlationId?: string;
  retryAfterSeconds?: number;
}

/**
 * `{ error: { code, message } }` out of a response body, as ARM and Microsoft Graph write it;
 * undefined when the body is not JSON or has no error.
 */
export function errorOfBody(
  text: string | null | undefined,
): { code?: string; message?: string } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
  const error = (body as { error?: unknown } | null)?.error;
  const info = error ? fromBody(error) : undefined;
  return info && { code: info.code, message: info.message || undefined };
}

/**
 * Reads an ARM error out of whatever the SDK threw (RestError with a response, or a parsed body).
 */
function armErrorInfo(err: unknown): ArmErrorInfo | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as {
    statusCode?: number;
    code?: string;
    message?: string;
    details?: unknown;
    request?: { url?: string };
    response?: {
      status?: number;
      bodyAsText?: string | null;
      headers?: { get(name: string): string | undefined };
    };
  };
  const headers = e.response?.headers;
  let body: unknown = e.details;
  if (e.response?.bodyAsText) {
    try {
      body = JSON.parse(e.response.bodyAsText);
    } catch {
      /* not JSON: keep the SDK's view */
    }
  }
  const parsed = fromBody(body) ?? refusedList(e.message, e.statusCode, e.request?.url);
  if (!parsed && !e.code && !e.statusCode) return undefined;
  const retryAfter = headers?.get('retry-after');
  return {
    ...(parsed ?? { message: e.message ?? '' }),
    code: parsed?.code ?? e.code,
    status: e.statusCode ?? e.response?.status,
    correlationId: headers?.get('x-ms-correlation-request-id') ?? headers?.get('x-ms-request-id'),
    retryAfterSeconds: retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined,
  };
}

/**
 * The newer SDKs' pager drops ARM's error body ("Pagination failed with unexpected statusCode
 * 403"): a refused list names at least what it listed and the action ARM checks for a list, its
 * type's `read`.
 */
function refusedList(
  message: string | undefined,
  status: number | undefined,
  url: string | undefined,
): ArmErrorInfo | undefined {
  if (!url || !message?.startsWith('Pagination failed')) return undefined;
  const path = new URL(url).pathname.replace(/\/+$/, '');
  const at = path.toLowerCase().lastIndexOf('/providers/');
  if (at < 0) return undefined;
  const [namespace, ...rest] = path.slice(at + '/providers/'.length).split('/');
  const types = rest.filter((_, i) => i % 2 === 0);
  if (!namespace || rest.length % 2 === 0) return undefined;
  const action = `${namespace}/${types.join('/')}/read`;
  const scope = path.slice(0, path.lastIndexOf('/'));
  return {
    message:
      `Azure refused to list ${path} (HTTP ${status ?? '?'})` +
      (status === 403 ? `: listing needs '${action}' on '${scope}'.` : '.'),
  };
}

function fromBody(body: unknown): ArmErrorInfo | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const inner = (b.error && typeof b.error === 'object' ? b.error : b) as Record<string, unknown>;
  if (typeof inner.message !== 'string' && typeof inner.code !== 'string') return undefined;
  return {
    code: typeof inner.code === 'string' ? inner.code : undefined,
    message: typeof inner.message === 'string' ? inner.message : '',
    target: typeof inner.target === 'string' ? inner.target : undefined,
    details: Array.isArray(inner.details)
      ? inner.details.map(fromBody).filter((d): d is ArmErrorInfo => !!d)
      : undefined,
    additionalInfo: Array.isArray(inner.additionalInfo)
      ? (inner.additionalInfo as ArmErrorInfo['additionalInfo'])
      : undefined,
  };
}

/**
 * The least-privileged built-in role that grants an action, for the "how to fix" part of a message.
 */
export function roleForAction(action: string): string {
  const a = action.toLowerCase();
  const table: [RegExp, string][] = [
    [/^microsoft\.authorization\/roleassignments\//, 'Role Based Access Control Administrator'],
    [/^microsoft\.authorization\/roledefinitions\/(write|delete)$/, 'User Access Administrator'],
    [
      /^microsoft\.managedidentity\/userassignedidentities\/assign\/action$/,
      'Managed Identity Operator',
    ],
    [/^microsoft\.managedidentity\//, 'Managed Identity Contributor'],
    [
      /^microsoft\.storage\/storageaccounts\/blobservices\/containers\/(blobs\/|write$)/,
      'Storage Blob Data Contributor',
    ],
    [/^microsoft\.storage\//, 'Storage Account Contributor'],
    [/^microsoft\.desktopvirtualization\//, 'Desktop Virtualization Contributor'],
    [/\/read$/, 'Reader'],
  ];
  return table.find(([re]) => re.test(a))?.[1] ?? 'Contributor';
}

// ARM's own messages; each quoted value is captured.
const AUTHZ = new RegExp(
  "client '([^']*)' with object id '([^']*)' does not have authorization to perform " +
    "action '([^']*)' over scope '([^']*)'",
  'i',
);
const LINKED = new RegExp(
  "client '([^']*)' with object id '([^']*)' has permission to perform action '([^']*)' on " +
    "scope '([^']*)'; however, it does not have permission to perform action(?:\\(s\\))? " +
    "'([^']*)' on the linked scope\\(s\\) '([^']*)'",
  'i',
);
const LOCKED = /following scope\(s\) are locked: '([^']*)'/i;

/**
 * One line for a failed Azure call. `what` says what the task was doing ("creating image template
 * x").
 */
export function describeArmError(err: unknown, what?: string): string {
  const doing = what ? `${what} failed: ` : '';
  const auth = describeSignInFailure(err);
  if (auth) return `${doing}${auth}`;
  const info = armErrorInfo(err);
  if (!info) return `${doing}${err instanceof Error ? err.message : String(err)}`;
  const corr = info.correlationId ? ` (correlation id ${info.correlationId})` : '';
  return `${doing}${plain(info)}${corr}`;
}

function plain(info: ArmErrorInfo): string {
  const code = info.code ?? '';
  const msg = info.message.trim();
  switch (code) {
    case 'AuthorizationFailed': {
      const m = AUTHZ.exec(msg);
      if (!m) break;
      const [, client, oid, action, scope] = m;
      // The message does not say whether the principal is a user, group or service principal: no
      // type in the command.
      return (
        `AuthorizationFailed: principal ${describePrincipal(client, oid)} may not perform ` +
        `'${action}' on '${scope}'. ` +
        (`Grant it the '${roleForAction(action)}' role (or a custom role with that action) ` +
          `on that scope: `) +
        assignCommand({ objectId: oid }, roleForAction(action), scope)
      );
    }
    case 'LinkedAuthorizationFailed': {
      const m = LINKED.exec(msg);
      if (!m) break;
      const [, client, oid, action, scope, linkedAction, linkedScopes] = m;
      const first = linkedScopes.split(',')[0];
      return (
        `LinkedAuthorizationFailed: principal ${describePrincipal(client, oid)} may ` +
        `perform '${action}' on '${scope}' ` +
        (`but not '${linkedAction}' on the linked resource '${linkedScopes}'. Grant it the ` +
          `'${roleForAction(linkedAction)}' role there: `) +
        assignCommand({ objectId: oid }, roleForAction(linkedAction), first)
      );
    }
    case 'RequestDisallowedByPolicy':
      return (
        `RequestDisallowedByPolicy: Azure Policy refused the request (${policyNames(info)}). ` +
        (`Change the request to comply (tags, location, SKU...) or ask the policy's owner ` +
          `for an exemption. Azure said: ${msg}`)
      );
    case 'ScopeLocked': {
      const locked = LOCKED.exec(msg)?.[1];
      return (
        `ScopeLocked: a management lock on '${locked ?? 'the scope'}' forbids this change. ` +
        (`Remove or narrow the lock (az lock list --scope ${locked ?? '<scope>'}), or ` +
          `target an unlocked resource group.`)
      );
    }
    case 'MissingSubscriptionRegistration': {
      const ns = /namespace '([^']+)'/i.exec(msg)?.[1] ?? info.target;
      return (
        `MissingSubscriptionRegistration: the subscription is not registered for ` +
        `${ns ?? 'this resource provider'}. ` +
        `Register it once: az provider register --namespace ${ns ?? '<namespace>'}`
      );
    }
  }
  if (info.status === 429 || /throttl|toomanyrequests/i.test(code)) {
    const after =
      info.retryAfterSeconds !== undefined
        ? ` Azure asked to wait ${info.retryAfterSeconds}s.`
        : '';
    return (
      `${code || 'TooManyRequests'}: Azure Resource Manager is throttling this ` +
      `subscription and retries ran out.${after} ` +
      `Run again later, or run fewer pipelines against the subscription at once. Azure said: ${msg}`
    );
  }
  if (info.status === 404 || /notfound/i.test(code)) {
    return (
      `${code || 'NotFound'}: ${msg} Check the resource id and that the service connection ` +
      `points at the subscription that holds it.`
    );
  }
  if (info.status === 409 || /conflict/i.test(code)) {
    return (
      `${code || 'Conflict'}: ${msg} Another operation on this resource is in progress or it ` +
      `exists in another state; wait for it to finish, or use another name.`
    );
  }
  const details = info.details?.length ? ` Details: ${info.details.map(plain).join('; ')}` : '';
  const target = info.target ? ` (target: ${info.target})` : '';
  return `${code ? `${code}: ` : ''}${msg}${target}${details}`;
}

function describePrincipal(client: string, oid: string): string {
  return client && client !== oid ? `'${client}' (object id ${oid})` : `with object id ${oid}`;
}

function policyNames(info: ArmErrorInfo): string {
  const names = new Set<string>();
  for (const extra of info.additionalInfo ?? []) {
    const i = extra.info ?? {};
    const name =
      i.policyAssignmentDisplayName ?? i.policyDefinitionDisplayName ?? i.policyAssignmentName;
    if (typeof name === 'string') names.add(`policy '${name}'`);
  }
  const json = /Policy identifiers: '(\[.*\])'/.exec(info.message)?.[1];
  if (json && names.size === 0) {
    try {
      for (const id of JSON.parse(json) as {
        policyAssignment?: { name?: string };
        policyDefinition?: { name?: string };
      }[]) {
        const name = id.policyAssignment?.name ?? id.policyDefinition?.name;
        if (name) names.add(`policy '${name}'`);
      }
    } catch {
      /* keep the raw message below */
    }
  }
  return names.size ? [...names].join(', ') : 'policy named in the message below';
}

/** Entra sign-in failures (AADSTS codes) in words that point at the service connection. */
const SIGN_IN: [RegExp, string][] = [
  [
    /AADSTS7000215|AADSTS7000222/,
    "the service connection's client secret is wrong or has expired. Renew the secret of " +
      'the app registration and update the service connection',
  ],
  [
    /AADSTS700016/,
    'the app registration (client id) of the service connection is not found in its ' +
      'tenant. Check the tenant and client id of the service connection',
  ],
  [
    /AADSTS700027|AADSTS700023/,
    'the certificate of the service connection is not registered on its app registration, ' +
      'or has expired. Upload the certificate to the app registration',
  ],
  [
    /AADSTS70021|AADSTS700211|AADSTS700213|AADSTS700212/,
    "no federated credential of the app registration matches this pipeline's token " +
      '(issuer, subject sc://<org>/<project>/<connection>, audience ' +
      'api://AzureADTokenExchange). Fix the federated credential, or convert the service ' +
      'connection again',
  ],
  [/AADSTS90002/, 'the tenant of the service connection does not exist in this cloud'],
];

export function describeSignInFailure(err: unknown): string | undefined {
  const text = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  const code = /AADSTS\d+/.exec(text)?.[0];
  if (code) {
    const hint = SIGN_IN.find(([re]) => re.test(code))?.[1];
    const trace = /Trace ID: ([0-9a-f-]+)/i.exec(text)?.[1];
    return (
      `Sign-in to Microsoft Entra failed (${code}): ` +
      `${hint ?? text.split('\n')[0]}.${trace ? ` (trace id ${trace})` : ''}`
    );
  }
  if (
    err instanceof Error &&
    (err.name === 'CredentialUnavailableError' ||
      err.name === 'AuthenticationError' ||
      err.name === 'AggregateAuthenticationError')
  ) {
    return `Sign-in with the service connection failed: ${text.split('\n')[0]}`;
  }
  return undefined;
}
