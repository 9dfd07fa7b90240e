// Microsoft Graph v1.0 under /graph/ on the simulator's HTTPS port: service principals (list with
// $filter on appId / displayName, get by id or by appId) and devices (list with $filter on
// displayName / deviceId, get, delete), with Graph's token validation (signature, issuer,
// audience), its application permission check (the token's `roles`, see permissions.ts) and its
// error body {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}.
import { randomUUID } from 'crypto';
import type * as http from 'http';
import type { FaultHit } from '../core/faults';
import { failureDetail, sendJson } from '../core/http';
import type { Directory } from '../entra/directory';
import type { TokenService } from '../entra/tokens';
import type { RecordedRequest } from '../types';
import { REQUIRED } from './permissions';

/** Graph's path on the simulator's port: graphUrl is `https://127.0.0.1:<port>/graph/`. */
export const GRAPH_PATH_PREFIX = '/graph';

/** Microsoft Graph's application id (also accepted as a token audience, as Graph does). */
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const PUBLIC_GRAPH_AUDIENCES = [
  'https://graph.microsoft.com',
  'https://graph.microsoft.com/',
  GRAPH_APP_ID,
];

export function graphAudiences(graphUrl: string): string[] {
  return [graphUrl, graphUrl.replace(/\/$/, ''), ...PUBLIC_GRAPH_AUDIENCES];
}

class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface Caller {
  objectId: string;
  appId: string;
  roles: string[];
}
interface Result {
  status: number;
  body?: unknown;
}

/**
 * What each collection holds and which properties $filter takes (others: Request_UnsupportedQuery,
 * as Graph).
 */
interface Collection {
  name: 'servicePrincipals' | 'devices';
  /** Graph's entity type name, in its messages. */
  entity: string;
  read: readonly string[];
  filterable: string[];
  /** The alternate key of `collection(key='value')`. */
  alternateKey: string;
  items(d: Directory): Array<Record<string, unknown>>;
}

const COLLECTIONS: Collection[] = [
  {
    name: 'servicePrincipals',
    entity: 'ServicePrincipal',
    read: REQUIRED.readServicePrincipals,
    filterable: ['appId', 'displayName', 'id', 'servicePrincipalType'],
    alternateKey: 'appId',
    items: (d) => d.servicePrincipals(),
  },
  {
    name: 'devices',
    entity: 'Device',
    read: REQUIRED.readDevices,
    filterable: ['displayName', 'deviceId', 'id', 'operatingSystem', 'trustType'],
    alternateKey: 'deviceId',
    items: (d) => d.devices,
  },
];

export interface GraphOptions {
  /** With trailing slash. */
  graphUrl: string;
  authorityHost: string;
  tenantId: string;
  directory: Directory;
  tokens: TokenService;
  pageSize: number;
  log(line: string): void;
}

export class GraphEndpoint {
  /** Graph requests, paths relative to graphUrl ("/v1.0/devices?$filter=..."). */
  readonly requests: RecordedRequest[] = [];
  private readonly audiences: string[];

  constructor(private readonly o: GraphOptions) {
    this.audiences = graphAudiences(o.graphUrl).map((a) => a.toLowerCase().replace(/\/+$/, ''));
  }

  static owns(path: string): boolean {
    const p = path.toLowerCase();
    return p === GRAPH_PATH_PREFIX || p.startsWith(`${GRAPH_PATH_PREFIX}/`);
  }

  /** Records a request whose connection a fault destroyed (status 0: no response). */
  recordDropped(method: string, path: string, rawQuery: string): void {
    this.requests.push({ method, path: relative(path, rawQuery), status: 0 });
  }

  handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    rawQuery: string,
    fault: FaultHit | undefined,
  ): void {
    const method = (req.method ?? 'GET').toUpperCase();
    const requestId = randomUUID();
    const clientRequestId = String(req.headers['client-request-id'] ?? requestId);
    let result: Result;
    let headers: Record<string, string> = {};
    try {
      if (fault?.status !== undefined) {
        throw new GraphError(
          fault.status,
          FAULT_CODES[fault.status] ?? 'generalException',
          `A fault injected by the scenario answered ${fault.status}.`,
          fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {},
        );
      }
      const caller = this.authenticate(req);
      result = this.dispatch(
        method,
        path.slice(GRAPH_PATH_PREFIX.length) || '/',
        new URLSearchParams(rawQuery),
        caller,
      );
    } catch (e) {
      if (!(e instanceof GraphError))
        this.o.log(`Graph ${method} ${path} failed inside the simulator: ${failureDetail(e)}`);
      const err =
        e instanceof GraphError
          ? e
          : new GraphError(
              500,
              'generalException',
              'An unexpected error occurred in the simulator.',
            );
      headers = err.headers;
      result = {
        status: err.status,
        body: {
          error: {
            code: err.code,
            message: err.message,
            innerError: {
              date: new Date().toISOString().replace(/\.\d+Z$/, ''),
              'request-id': requestId,
              'client-request-id': clientRequestId,
            },
          },
        },
      };
    }
    this.requests.push({ method, path: relative(path, rawQuery), status: result.status });
    if (res.destroyed) return;
    sendJson(res, result.status, result.body, {
      'request-id': requestId,
      'client-request-id': clientRequestId,
      ...(result.body === undefined
        ? {}
        : {
            'Content-Type':
              'application/json;odata.metadata=minimal;odata.streaming=true;' +
              'IEEE754Compatible=false;charset=utf-8',
            'OData-Version': '4.0',
          }),
      ...headers,
    });
  }

  private authenticate(req: http.IncomingMessage): Caller {
    const fail = (message: string): GraphError =>
      new GraphError(401, 'InvalidAuthenticationToken', message, {
        'WWW-Authenticate':
          `Bearer realm="", ` +
          `authorization_uri="${this.o.authorityHost}common/oauth2/authorize", ` +
          `client_id="${GRAPH_APP_ID}"`,
      });
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) throw fail('Access token is empty.');
    const v = this.o.tokens.verify(m[1]);
    if (!v.ok)
      throw fail(
        v.reason === 'expired'
          ? 'Lifetime validation failed, the token is expired.'
          : 'Access token validation failure.',
      );
    const c = v.claims;
    if (c.iss !== this.o.tokens.issuer || c.tid !== this.o.tenantId)
      throw fail('Access token validation failure. Invalid issuer or signature.');
    if (!this.audiences.includes(String(c.aud).toLowerCase().replace(/\/+$/, '')))
      throw fail('Access token validation failure. Invalid audience.');
    return { objectId: c.oid, appId: c.appid, roles: c.roles ?? [] };
  }

  private dispatch(method: string, rel: string, query: URLSearchParams, caller: Caller): Result {
    const version = /^\/([^/]+)/.exec(rel)?.[1] ?? '';
    if (version.toLowerCase() !== 'v1.0')
      throw new GraphError(
        400,
        'BadRequest',
        `Invalid version: '${version}'. (The simulator serves v1.0 only.)`,
      );
    // /v1.0/{collection}, /v1.0/{collection}/{id}, /v1.0/{collection}({key}='{value}')
    const m = /^\/[^/]+\/([^/(]+)(?:\(([^)]*)\)|\/([^/]+))?(\/.*)?$/.exec(safeDecode(rel));
    const collection = m && COLLECTIONS.find((c) => c.name.toLowerCase() === m[1].toLowerCase());
    if (!m || !collection)
      throw new GraphError(
        400,
        'BadRequest',
        `Resource not found for the segment '${m?.[1] ?? rel.split('/')[2] ?? ''}'.`,
      );
    if (m[4])
      throw new GraphError(
        400,
        'BadRequest',
        `Resource not found for the segment '${m[4].split('/')[1]}'.`,
      );
    const key =
      m[2] !== undefined
        ? alternateKey(collection, m[2])
        : m[3] !== undefined
          ? { property: 'id', value: m[3] }
          : undefined;

    if (!key) {
      if (method !== 'GET') throw methodNotAllowed();
      this.require(caller, collection.read);
      return this.list(collection, rel, query);
    }
    if (method === 'DELETE' && collection.name === 'devices') {
      this.require(caller, REQUIRED.deleteDevice);
      const device = this.find(collection, key);
      this.o.directory.removeDevice(String(device.id));
      return { status: 204 };
    }
    if (method !== 'GET') throw methodNotAllowed();
    this.require(caller, collection.read);
    const item = this.find(collection, key);
    const select = selection(query);
    return {
      status: 200,
      body: {
        '@odata.context': `${this.context(collection, select)}/$entity`,
        ...pick(item, select),
      },
    };
  }

  private require(caller: Caller, accepted: readonly string[]): void {
    if (!caller.roles.some((r) => accepted.includes(r)))
      throw new GraphError(
        403,
        'Authorization_RequestDenied',
        'Insufficient privileges to complete the operation.',
      );
  }

  private find(
    collection: Collection,
    key: { property: string; value: string },
  ): Record<string, unknown> {
    const item = collection
      .items(this.o.directory)
      .find((x) => propertyText(x, key.property).toLowerCase() === key.value.toLowerCase());
    if (!item)
      throw new GraphError(
        404,
        'Request_ResourceNotFound',
        `Resource '${key.value}' does not exist or one of its queried reference-property ` +
          `objects are not present.`,
      );
    return item;
  }

  private list(collection: Collection, rel: string, query: URLSearchParams): Result {
    for (const [k] of query) {
      if (/^\$(orderby|search|expand|skip)$/i.test(k))
        throw new GraphError(
          400,
          'Request_UnsupportedQuery',
          `The query option '${k}' is not implemented by the simulator ($filter, $select, ` +
            `$top and $count are).`,
        );
    }
    const keep = filterOf(collection, query.get('$filter'));
    const all = collection.items(this.o.directory).filter(keep);
    const top = query.get('$top');
    const pageSize = top !== null ? Number(top) : this.o.pageSize;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 999)
      throw new GraphError(
        400,
        'BadRequest',
        `Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.`,
      );
    const skip = Math.max(0, parseInt(query.get('$skiptoken') ?? '0', 10) || 0);
    const select = selection(query);
    const body: Record<string, unknown> = { '@odata.context': this.context(collection, select) };
    if (/^true$/i.test(query.get('$count') ?? '')) body['@odata.count'] = all.length;
    if (skip + pageSize < all.length) {
      const q = new URLSearchParams(query);
      q.set('$skiptoken', String(skip + pageSize));
      body['@odata.nextLink'] =
        `${this.o.graphUrl}${rel.replace(/^\//, '')}?${q.toString().replace(/%24/g, '$')}`;
    }
    body.value = all.slice(skip, skip + pageSize).map((x) => pick(x, select));
    return { status: 200, body };
  }

  private context(collection: Collection, select: string[] | undefined): string {
    return (
      `${this.o.graphUrl}v1.0/$metadata#${collection.name}` +
      `${select ? `(${select.join(',')})` : ''}`
    );
  }
}

const FAULT_CODES: Record<number, string> = {
  429: 'TooManyRequests',
  503: 'serviceNotAvailable',
  504: 'gatewayTimeout',
  500: 'generalException',
};

/**
 * A key or filterable property as text. They are all string fields (ids, names, types: see
 * GraphServicePrincipal and GraphDevice); an absent one compares as ''.
 */
function propertyText(x: Record<string, unknown>, property: string): string {
  return String((x[property] as string | undefined) ?? '');
}

function methodNotAllowed(): GraphError {
  return new GraphError(
    405,
    'Request_BadRequest',
    'Specified HTTP method is not allowed for the request target.',
  );
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function relative(path: string, rawQuery: string): string {
  const rel = path.slice(GRAPH_PATH_PREFIX.length) || '/';
  return rawQuery ? `${rel}?${rawQuery}` : rel;
}

/** `appId='...'` (or the bare key of a single-key lookup) of `collection(...)`. */
function alternateKey(collection: Collection, inside: string): { property: string; value: string } {
  const m = /^\s*(\w+)\s*=\s*'((?:[^']|'')*)'\s*$/.exec(inside);
  if (!m || m[1].toLowerCase() !== collection.alternateKey.toLowerCase()) {
    throw new GraphError(
      400,
      'BadRequest',
      `The key '${inside}' is not valid for ${collection.name}: use ` +
        `${collection.alternateKey}='{value}'.`,
    );
  }
  return { property: collection.alternateKey, value: m[2].replace(/''/g, "'") };
}

/**
 * OData `$filter`: `prop eq 'value'` clauses joined by `and`, string comparison ignoring case as
 * Graph's directory does.
 */
function filterOf(
  collection: Collection,
  filter: string | null,
): (x: Record<string, unknown>) => boolean {
  if (filter === null || filter.trim() === '') return () => true;
  const clauses = filter.split(/\s+and\s+/i).map((clause) => {
    const m = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(clause);
    if (!m) {
      const prop = /^\s*(?:\w+\()?\s*(\w+)/.exec(clause)?.[1];
      if (prop && !collection.filterable.some((f) => f.toLowerCase() === prop.toLowerCase()))
        throw unsupportedFilter(collection, prop);
      throw new GraphError(
        400,
        'BadRequest',
        `Invalid filter clause: the simulator understands ` +
          `${collection.filterable.join(', ')} eq '<value>', joined by 'and' (got ` +
          `'${clause.trim()}').`,
      );
    }
    const prop = collection.filterable.find((f) => f.toLowerCase() === m[1].toLowerCase());
    if (!prop) throw unsupportedFilter(collection, m[1]);
    const value = m[2].replace(/''/g, "'").toLowerCase();
    return (x: Record<string, unknown>) => propertyText(x, prop).toLowerCase() === value;
  });
  return (x) => clauses.every((c) => c(x));
}

function unsupportedFilter(collection: Collection, prop: string): GraphError {
  return new GraphError(
    400,
    'Request_UnsupportedQuery',
    `Unsupported or invalid query filter clause specified for property '${prop}' of ` +
      `resource '${collection.entity}'.`,
  );
}

function selection(query: URLSearchParams): string[] | undefined {
  const s = query.get('$select');
  return s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;
}

function pick(
  item: Record<string, unknown>,
  select: string[] | undefined,
): Record<string, unknown> {
  if (!select) return structuredClone(item);
  const out: Record<string, unknown> = {};
  for (const k of select) {
    const actual = Object.keys(item).find((x) => x.toLowerCase() === k.toLowerCase());
    out[actual ?? k] = actual ? structuredClone(item[actual]) : null;
  }
  return out;
}
