// Building blocks for resource handlers: documents from PUT bodies, managed identity blocks,
// paging, long-running responses, removal with hooks. Domain modules use these for custom
// behaviour.
import { randomUUID } from 'crypto';
import { ArmError, armErrors } from './errors';
import type { ArmRequest, ArmResult, ResourceTypeDef, SimServices } from './framework';
import type { LroStyle, Operation, OperationHandle } from './operations';
import { RESOURCE_GROUP_TYPE, sameId, typeAndNamePath } from './paths';
import type { StoredResource } from './store';
import { USER_ASSIGNED_IDENTITY_TYPE } from '../entra/directory';

/** Locations as Azure returns them: "West Europe" -> "westeurope". */
export function normaliseLocation(location: string): string {
  return location.toLowerCase().replace(/\s+/g, '');
}

export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** JSON merge patch (RFC 7386): objects merge, null removes, everything else replaces. */
export function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const out: any =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Value at a dotted path ("properties.source.type"). */
export function valueAt(obj: any, dotted: string): any {
  return dotted
    .split('.')
    .reduce((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}

/**
 * The identity block of a PUT/PATCH as ARM stores it: system-assigned principal ids generated (kept
 * across updates), user-assigned identities resolved to their principalId/clientId. Assigning a
 * user-assigned identity needs .../userAssignedIdentities/assign/action on it
 * (LinkedAuthorizationFailed otherwise).
 */
export function resolveIdentity(
  req: ArmRequest,
  identity: any,
  existing: StoredResource | undefined,
  resourceId: string,
  resourceType: string,
): any {
  if (identity === undefined || identity === null) return undefined;
  if (typeof identity !== 'object')
    throw armErrors.invalidRequestContent(
      `The request content was invalid and could not be deserialized: 'identity must be an ` +
        `object'.`,
    );
  const type = String(identity.type ?? 'None');
  const kinds = type.split(',').map((s) => s.trim().toLowerCase());
  const out: any = { type };
  if (kinds.includes('systemassigned')) {
    out.principalId = existing?.identity?.principalId ?? randomUUID();
    out.tenantId = req.sim.info.tenantId;
  }
  if (kinds.includes('userassigned')) {
    const requested = identity.userAssignedIdentities ?? {};
    out.userAssignedIdentities = {};
    for (const uaiId of Object.keys(requested)) {
      const uai = req.sim.store.get(uaiId);
      if (!uai || !sameId(uai.type, USER_ASSIGNED_IDENTITY_TYPE)) {
        throw new ArmError(
          400,
          'FailedIdentityOperation',
          `Identity operation for resource '${resourceId}' failed with error 'Failed to ` +
            `perform resource identity operation. Status: 'NotFound'. Response: ` +
            `'{"error":{"code":"NotFound","message":"Resource '${uaiId}' not found."}}'.'.`,
        );
      }
      req.sim.rbac.requireLinked(
        req.caller,
        { action: `${resourceType}/write`, scope: resourceId },
        { action: `${USER_ASSIGNED_IDENTITY_TYPE}/assign/action`, scope: uai.id },
      );
      out.userAssignedIdentities[uai.id] = {
        principalId: uai.properties?.principalId,
        clientId: uai.properties?.clientId,
      };
    }
  }
  return out;
}

/** The default stored document of a PUT: the request's ARM envelope fields plus its properties. */
export function buildResource(
  req: ArmRequest,
  def: ResourceTypeDef,
  existing: StoredResource | undefined,
): StoredResource {
  const level = req.level!;
  const b = req.body ?? {};
  const doc: StoredResource = {
    id: existing?.id ?? level.id,
    name: existing?.name ?? level.name!,
    type: def.type,
  };
  if (b.location !== undefined) doc.location = normaliseLocation(String(b.location));
  else if (existing?.location !== undefined) doc.location = existing.location;
  for (const k of ['kind', 'sku', 'plan', 'zones', 'extendedLocation', 'managedBy'])
    if (b[k] !== undefined) doc[k] = clone(b[k]);
  if (b.tags !== undefined) doc.tags = clone(b.tags);
  const identity = resolveIdentity(req, b.identity, existing, doc.id, def.type);
  if (identity !== undefined) doc.identity = identity;
  doc.properties = clone(b.properties ?? {});
  return doc;
}

/** A list response page; `$skiptoken` is the offset, the page size comes from the scenario. */
export function paged(req: ArmRequest, items: unknown[]): ArmResult {
  const pageSize = Math.max(1, req.sim.scenario.pageSize ?? 100);
  const skip = Math.max(0, parseInt(req.query.get('$skiptoken') ?? '0', 10) || 0);
  const body: any = { value: items.slice(skip, skip + pageSize) };
  if (skip + pageSize < items.length) {
    const q = new URLSearchParams(req.query);
    q.set('$skiptoken', String(skip + pageSize));
    // ARM writes $skiptoken (and other $-parameters) unencoded.
    body.nextLink = req.sim.armUrl(`${req.path}?${q.toString().replace(/%24/g, '$')}`);
  }
  return { status: 200, body };
}

/** Headers that point a client at a running operation. */
export function operationHeaders(sim: SimServices, op: Operation): Record<string, string> {
  const h: Record<string, string> = { 'Retry-After': String(sim.operations.retryAfter(op)) };
  const q = `?api-version=${encodeURIComponent(op.apiVersion)}`;
  if (op.asyncUrlPath) h['Azure-AsyncOperation'] = sim.armUrl(op.asyncUrlPath + q);
  if (op.locationUrlPath) h['Location'] = sim.armUrl(op.locationUrlPath + q);
  return h;
}

/** Starts an operation on a resource and returns the initial (2xx) response. */
export function startOperation(
  req: ArmRequest,
  opts: {
    kind: Operation['kind'];
    resource: StoredResource;
    style: LroStyle;
    run: (op: OperationHandle) => Promise<unknown>;
    status: number;
    body?: unknown;
    onSettled?: (op: Operation) => void;
  },
): { result: ArmResult; operation: Operation } {
  const ns = opts.resource.type.split('/')[0];
  const location = opts.resource.location ?? locationOf(req.sim, opts.resource.id) ?? 'global';
  const op = req.sim.operations.start({
    kind: opts.kind,
    resourceId: opts.resource.id,
    namespace: ns,
    location,
    subscriptionId: req.subscriptionId,
    apiVersion: req.apiVersion,
    style: opts.style,
    run: opts.run,
    onSettled: opts.onSettled,
  });
  return {
    result: { status: opts.status, body: opts.body, headers: operationHeaders(req.sim, op) },
    operation: op,
  };
}

/** The location of a resource or its nearest located ancestor. */
export function locationOf(sim: SimServices, id: string): string | undefined {
  let cur: string | undefined = id;
  while (cur) {
    const r = sim.store.get(cur);
    if (r?.location) return r.location;
    const i: number = cur.lastIndexOf('/');
    cur = i > 0 ? cur.slice(0, i) : undefined;
  }
  return undefined;
}

/** Removes a resource with everything below it and calls each type's onDeleted. */
export function removeResource(sim: SimServices, id: string): StoredResource[] {
  const removed = sim.store.delete(id);
  for (const r of removed) sim.types.get(r.type)?.onDeleted?.(r, sim);
  return removed;
}

/** ResourceGroupNotFound / ResourceNotFound for the request's target. */
export function notFound(req: ArmRequest): ArmError {
  const levels = req.parsed!.levels;
  const idx = levels.indexOf(req.level!);
  if (sameId(req.level!.type, RESOURCE_GROUP_TYPE))
    return armErrors.resourceGroupNotFound(req.level!.name ?? '');
  return armErrors.resourceNotFound(typeAndNamePath(levels, idx), req.resourceGroup);
}

export function setProvisioningState(resource: StoredResource, state: string): void {
  resource.properties = resource.properties ?? {};
  resource.properties.provisioningState = state;
}
