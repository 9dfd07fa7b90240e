// Azure Virtual Desktop (Microsoft.DesktopVirtualization 2024-04-03, and 2024-08-08-preview for a
// pool's `managementType`): host pools with their registration token (1 hour-30 days), session
// hosts, user sessions (userSessions.ts) and scaling plans (scalingPlans.ts). Session hosts come
// from the scenario or register through the simulated AVD agent on a VM (sessionHostAgent.ts);
// user sessions come from the scenario. Clients read them, drain hosts (`allowNewSession`),
// message and sign out users, and remove hosts. All AVD calls are synchronous (the spec has no
// long-running operation among them).
import { randomBytes, randomUUID } from 'crypto';
import { ArmError, armErrors } from '../arm/errors';
import type { CustomRoute, ResourceTypeDef, SimServices } from '../arm/framework';
import { buildResource, clone, paged } from '../arm/helpers';
import type { StoredResource } from '../arm/store';
import { liveSessionHostProperties } from './sessionHostAgent';
import { scalingPlansOfHostPool, scalingPlanTypes } from './scalingPlans';
import { USER_SESSION_TYPE, userSessionDef } from './userSessions';

export { USER_SESSION_TYPE };

export const HOST_POOL_TYPE = 'Microsoft.DesktopVirtualization/hostPools';
export const SESSION_HOST_TYPE = 'Microsoft.DesktopVirtualization/hostPools/sessionHosts';

const API_VERSIONS = ['2024-08-08-preview', '2024-04-03', '2023-09-05', '2022-09-09'];

/**
 * A stand-in for AVD's registration token (a JWT in Azure): opaque, unique, with its expiry inside.
 */
function newToken(hostPoolId: string, expirationTime: string): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const exp = Math.floor(Date.parse(expirationTime) / 1000);
  return (
    `${part({ alg: 'RS256', typ: 'JWT' })}.` +
    `${part({ RegistrationId: randomUUID(), HostPoolId: hostPoolId, exp })}.` +
    `${randomBytes(32).toString('base64url')}`
  );
}

interface RegistrationToken {
  token: string;
  expirationTime: string;
}

/**
 * The host pool's current registration token (kept out of GET since 2023-09-05: POST
 * retrieveRegistrationToken gives it).
 */
export function currentToken(sim: SimServices, hostPoolId: string): RegistrationToken | undefined {
  return sim.store.meta(hostPoolId).registrationToken;
}

/** AVD accepts a new token's expiration between one hour and 30 days from now. */
function checkExpiration(body: any): void {
  const info = body?.properties?.registrationInfo;
  if (!info || !/^update$/i.test(String(info.registrationTokenOperation ?? ''))) return;
  const at = Date.parse(String(info.expirationTime ?? ''));
  const now = Date.now();
  if (Number.isNaN(at) || at < now + 3600_000 || at > now + 30 * 86400_000) {
    throw new ArmError(
      400,
      'InvalidParameter',
      'ExpirationTime value must be between one hour and 30 days from now.',
      { target: 'registrationInfo.expirationTime' },
    );
  }
}

/**
 * Applies `registrationInfo.registrationTokenOperation` after a PUT/PATCH: Update makes a token for
 * a new expiration time, Delete removes it, None keeps it.
 */
function applyRegistration(sim: SimServices, r: StoredResource): void {
  const info = r.properties.registrationInfo ?? {};
  const meta = sim.store.meta(r.id);
  const op = String(info.registrationTokenOperation ?? 'None');
  if (
    typeof info.token === 'string' &&
    info.token !== '' &&
    typeof info.expirationTime === 'string'
  ) {
    // Given by the scenario.
    meta.registrationToken = { token: info.token, expirationTime: info.expirationTime };
  } else if (/^update$/i.test(op) && typeof info.expirationTime === 'string') {
    const at = new Date(Date.parse(info.expirationTime)).toISOString();
    if (meta.registrationToken?.expirationTime !== at)
      meta.registrationToken = { token: newToken(r.id, at), expirationTime: at };
  } else if (/^delete$/i.test(op)) {
    delete meta.registrationToken;
  }
  const current = currentToken(sim, r.id);
  r.properties.registrationInfo = {
    ...(current ? { expirationTime: current.expirationTime } : {}),
    registrationTokenOperation: op,
  };
}

function sessionsOf(sim: SimServices, sessionHostId: string): StoredResource[] {
  return sim.store.list({ type: USER_SESSION_TYPE, under: sessionHostId });
}

const forced = (query: URLSearchParams) => /^true$/i.test(query.get('force') ?? '');

const hostPoolDef: ResourceTypeDef = {
  type: HOST_POOL_TYPE,
  apiVersions: API_VERSIONS,
  provisioningState: false,
  beforePut(req) {
    checkExpiration(req.body);
  },
  beforePatch(req) {
    checkExpiration(req.body);
  },
  build(req, existing) {
    const doc = buildResource(req, hostPoolDef, existing);
    doc.properties = {
      objectId: existing?.properties?.objectId ?? randomUUID(),
      cloudPcResource: false,
      ...doc.properties,
    };
    return doc;
  },
  seed(r) {
    // A state dump shows a token's expiration but not the token: the pool had one until then.
    const info = r.properties?.registrationInfo;
    if (typeof info?.expirationTime === 'string' && typeof info.token !== 'string')
      info.token = newToken(r.id, info.expirationTime);
    return r;
  },
  onStored(r, sim) {
    r.properties.objectId ??= randomUUID();
    r.properties.cloudPcResource ??= false;
    applyRegistration(sim, r);
  },
  beforeDelete(req, r) {
    if (
      !forced(req.query) &&
      req.sim.store.list({ type: SESSION_HOST_TYPE, under: r.id }).length > 0
    ) {
      throw new ArmError(
        400,
        'BadRequest',
        `Host pool '${r.name}' has session hosts. Remove them first, or delete with ` +
          `force=true to remove them with the host pool.`,
      );
    }
  },
  view(r, _sim, req) {
    const out = clone(r);
    // managementType exists only in preview api-versions (2024-08-08-preview and later).
    if (req && !/preview$/i.test(req.apiVersion)) delete out.properties.managementType;
    return out;
  },
  actions: {
    scalingPlans: scalingPlansOfHostPool,
    retrieveRegistrationToken: {
      run: (req, r) => {
        const t = currentToken(req.sim, r.id);
        return {
          status: 200,
          body: t
            ? {
                expirationTime: t.expirationTime,
                token: t.token,
                registrationTokenOperation: 'Update',
              }
            : { registrationTokenOperation: 'None' },
        };
      },
    },
    listRegistrationTokens: {
      run: (req, r) => {
        const t = currentToken(req.sim, r.id);
        return {
          status: 200,
          body: { value: t ? [{ expirationTime: t.expirationTime, token: t.token }] : [] },
        };
      },
    },
  },
};

const sessionHostDef: ResourceTypeDef = {
  type: SESSION_HOST_TYPE,
  apiVersions: API_VERSIONS,
  provisioningState: false,
  beforePut() {
    throw new ArmError(
      405,
      'MethodNotAllowed',
      "The requested resource does not support http method 'PUT'. (Session hosts join a " +
        'host pool through the AVD agent with a registration token; in the simulator they ' +
        "come from the scenario's resources.)",
    );
  },
  seed(r, sim) {
    const vm =
      typeof r.properties?.resourceId === 'string'
        ? sim.store.get(r.properties.resourceId)
        : undefined;
    const now = new Date().toISOString();
    r.properties = {
      objectId: randomUUID(),
      allowNewSession: true,
      status: 'Available',
      statusTimestamp: now,
      lastHeartBeat: now,
      agentVersion: '1.0.9742.2000',
      sxSStackVersion: 'rdp-sxs240808700',
      osVersion: '10.0.22631.4460',
      updateState: 'Succeeded',
      ...(vm?.properties?.vmId ? { virtualMachineId: vm.properties.vmId } : {}),
      ...(r.properties ?? {}),
    };
    return r;
  },
  view(r, sim) {
    const out = clone(r);
    out.properties = liveSessionHostProperties(sim, out);
    out.properties.sessions = sessionsOf(sim, r.id).length;
    return out;
  },
  beforeDelete(req, r) {
    const n = sessionsOf(req.sim, r.id).length;
    if (n > 0 && !forced(req.query)) {
      throw new ArmError(
        400,
        'BadRequest',
        `Session host '${r.name}' has ${n} user session(s). Sign the users out first, or ` +
          `delete with force=true.`,
      );
    }
  },
};

/**
 * OData $filter of UserSessions_ListByHostPool: `userPrincipalName eq '<upn>'` and/or `state eq
 * '<state>'`, joined by `and`.
 */
const FILTER_FIELDS: Record<string, string> = {
  userprincipalname: 'userPrincipalName',
  state: 'sessionState',
  sessionstate: 'sessionState',
};

function sessionFilter(filter: string | null): (s: StoredResource) => boolean {
  if (!filter) return () => true;
  const clauses = filter.split(/\s+and\s+/i).map((c) => {
    const m = /^\s*(\w+)\s+eq\s+'([^']*)'\s*$/i.exec(c);
    const field = m && FILTER_FIELDS[m[1].toLowerCase()];
    if (!m || !field)
      throw new ArmError(
        400,
        'BadRequest',
        `The simulator does not implement the $filter '${filter}'; it understands ` +
          `userPrincipalName eq '<upn>' and state eq '<state>', joined by 'and'.`,
      );
    return (s: StoredResource) =>
      String(s.properties?.[field] ?? '').toLowerCase() === m[2].toLowerCase();
  });
  return (s) => clauses.every((c) => c(s));
}

/** GET .../hostPools/{hp}/userSessions: every user session of every session host of the pool. */
const userSessionsByHostPool: CustomRoute = {
  method: 'GET',
  pattern: new RegExp(
    '^(\\/subscriptions\\/[^/]+\\/resourceGroups\\/([^/]+)\\/providers\\' +
      '/Microsoft\\.DesktopVirtual' +
      'ization\\/hostPools\\/([^/]+))\\/userSessions$',
    'i',
  ),
  namespace: 'Microsoft.DesktopVirtualization',
  authorize: (_req, m) => ({ action: `${USER_SESSION_TYPE}/read`, scope: m[1] }),
  handle(req, m) {
    const rg = decodeURIComponent(m[2]);
    if (!req.sim.store.get(m[1].slice(0, m[1].toLowerCase().indexOf('/providers/'))))
      throw armErrors.resourceGroupNotFound(rg);
    if (!req.sim.store.get(m[1]))
      throw armErrors.resourceNotFound(`${HOST_POOL_TYPE}/${decodeURIComponent(m[3])}`, rg);
    const keep = sessionFilter(req.query.get('$filter'));
    const sessions = req.sim.store.list({ type: USER_SESSION_TYPE, under: m[1] }).filter(keep);
    return paged(
      req,
      sessions.map((s) => clone(s)),
    );
  },
};

export function desktopVirtualizationTypes(): ResourceTypeDef[] {
  return [hostPoolDef, sessionHostDef, userSessionDef, ...scalingPlanTypes()];
}

export function desktopVirtualizationRoutes(): CustomRoute[] {
  return [userSessionsByHostPool];
}
