// The Resource Manager front door: correlation and request ids, throttling headers, injected
// faults, bearer token authentication, the api-version requirement, JSON bodies, ARM error bodies,
// and the request log of the state dump.
import { randomUUID } from 'crypto';
import type * as http from 'http';
import type { FaultHit } from '../core/faults';
import { failureDetail, sendJson } from '../core/http';
import type { TokenService } from '../entra/tokens';
import type { RecordedRequest } from '../types';
import { ArmError, armErrors, errorForStatus } from './errors';
import type { ArmRequest, ArmResult, SimServices } from './framework';
import type { Principal } from './rbac';
import { dispatchArm } from './router';
import { subscriptionOf } from './subscriptions';

const READ_LIMIT = 12000;
const WRITE_LIMIT = 1200;

export class ArmEndpoint {
  readonly requests: RecordedRequest[] = [];
  private reads = READ_LIMIT;
  private writes = WRITE_LIMIT;

  constructor(
    private readonly sim: SimServices,
    private readonly tokens: TokenService,
    /** Token audiences Resource Manager accepts (its own URL and the public-cloud ones). */
    private readonly audiences: string[],
    private readonly authorityHost: string,
  ) {}

  /** Records a request whose connection a fault destroyed (status 0: no response). */
  recordDropped(method: string, pathAndQuery: string, body: Buffer): void {
    this.requests.push({
      method,
      path: pathAndQuery,
      status: 0,
      ...recordedBody(method, body),
      at: Date.now(),
    });
  }

  async handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    rawQuery: string,
    body: Buffer,
    fault: FaultHit | undefined,
  ): Promise<void> {
    const at = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const write = method !== 'GET' && method !== 'HEAD';
    const correlationId = String(req.headers['x-ms-correlation-request-id'] ?? randomUUID());
    const headers: Record<string, string> = {
      'x-ms-correlation-request-id': correlationId,
      'x-ms-request-id': randomUUID(),
      'x-ms-routing-request-id':
        `SIMULATOR:${new Date().toISOString().replace(/[-:.]/g, '')}:` + `${correlationId}`,
      'Cache-Control': 'no-cache',
    };
    if (write) this.writes = Math.max(0, this.writes - 1);
    else this.reads = Math.max(0, this.reads - 1);
    headers[`x-ms-ratelimit-remaining-subscription-${write ? 'writes' : 'reads'}`] = String(
      write ? this.writes : this.reads,
    );

    const pathAndQuery = rawQuery ? `${path}?${rawQuery}` : path;
    // The subscription the path names (its providers, operation URLs...); the default one for
    // tenant-level paths.
    const subscriptionId = subscriptionOf(path) ?? this.sim.info.subscriptionId;
    const recorded = recordedBody(method, body);
    let result: ArmResult;
    try {
      if (fault?.status !== undefined) {
        const err = errorForStatus(fault.status, write, subscriptionId, correlationId);
        if (fault.status === 429)
          headers[`x-ms-ratelimit-remaining-subscription-${write ? 'writes' : 'reads'}`] = '0';
        if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter);
        throw err;
      }
      const caller = this.authenticate(req);
      const query = new URLSearchParams(rawQuery);
      const apiVersion = query.get('api-version');
      if (!apiVersion) throw armErrors.missingApiVersion();
      let parsedBody: unknown;
      if (body.length > 0 && (method === 'PUT' || method === 'PATCH' || method === 'POST')) {
        try {
          parsedBody = JSON.parse(body.toString('utf8'));
        } catch (e) {
          throw armErrors.invalidJson((e as Error).message);
        }
      }
      const armReq: ArmRequest = {
        sim: this.sim,
        method,
        path,
        query,
        apiVersion,
        body: parsedBody,
        headers: req.headers,
        caller,
        subscriptionId,
      };
      result = await dispatchArm(armReq);
    } catch (e) {
      if (e instanceof ArmError) {
        result = { status: e.status, body: e.body(), headers: e.extra.headers };
      } else {
        this.sim.log(
          `ARM ${method} ${pathAndQuery} failed inside the simulator: ${failureDetail(e)}`,
        );
        result = {
          status: 500,
          body: armErrors.internalServerError(subscriptionId, correlationId).body(),
        };
      }
    }
    Object.assign(headers, result.headers ?? {});
    const clientRequestId = req.headers['x-ms-client-request-id'];
    this.requests.push({
      method,
      path: pathAndQuery,
      status: result.status,
      ...recorded,
      at,
      ...(typeof clientRequestId === 'string' && { clientRequestId }),
    });
    if (fault?.dropAfter) return void req.socket.destroy();
    if (res.destroyed) return;
    sendJson(res, result.status, result.body, headers);
  }

  private authenticate(req: http.IncomingMessage): Principal {
    const tid = this.sim.info.tenantId;
    const fail = (code: string, message: string, description: string): ArmError =>
      new ArmError(401, code, message, {
        headers: {
          'WWW-Authenticate':
            `Bearer authorization_uri="${this.authorityHost}${tid}", error="invalid_token", ` +
            `error_description="${description}"`,
        },
      });
    const header = req.headers.authorization;
    if (!header)
      throw fail(
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
        "The authentication failed because of missing 'Authorization' header.",
      );
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m)
      throw fail(
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        "The authentication failed because of invalid 'Authorization' header.",
      );
    const v = this.tokens.verify(m[1]);
    if (!v.ok) {
      if (v.reason === 'expired') {
        const exp = new Date((v.claims?.exp ?? 0) * 1000)
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, '');
        const now = new Date()
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, '');
        throw fail(
          'ExpiredAuthenticationToken',
          `The access token expiry UTC time '${exp}' is earlier than current UTC time '${now}'.`,
          'The access token has expired.',
        );
      }
      throw fail(
        'InvalidAuthenticationToken',
        'The access token is invalid.',
        'The access token is invalid.',
      );
    }
    const c = v.claims;
    if (c.iss !== this.tokens.issuer || c.tid !== tid) {
      throw fail(
        'InvalidAuthenticationTokenTenant',
        `The access token is from the wrong issuer '${c.iss}'. It must match the tenant ` +
          `'https://sts.windows.net/${tid}/' associated with this subscription. Please use ` +
          `the authority (URL) '${this.authorityHost}${tid}' to get the token. Note, if the ` +
          `subscription is transferred to another tenant there is no impact to the services, ` +
          `but information about new tenant could take time to propagate (up to an hour). If ` +
          `you just transferred your subscription and see this error message, please try ` +
          `back later.`,
        'The access token is from the wrong issuer.',
      );
    }
    const aud = String(c.aud).toLowerCase().replace(/\/+$/, '');
    if (!this.audiences.some((a) => a.toLowerCase().replace(/\/+$/, '') === aud)) {
      const allowed = this.audiences.map((a) => `'${a}'`).join(',');
      throw fail(
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for wrong audience or resource '${c.aud}'. It ` +
          `should exactly match with one of the allowed audiences ${allowed}.`,
        'The access token has been obtained for wrong audience or resource.',
      );
    }
    return { objectId: c.oid, appId: c.appid };
  }
}

function recordedBody(method: string, body: Buffer): { body?: unknown } {
  if (!(method === 'PUT' || method === 'PATCH' || method === 'POST') || body.length === 0)
    return {};
  try {
    return { body: JSON.parse(body.toString('utf8')) };
  } catch {
    return { body: body.toString('utf8') };
  }
}
