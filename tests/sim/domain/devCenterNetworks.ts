// Dev Box networking (vdi.json / devcenter.json 2024-02-01): network connections (a subnet where
// dev boxes get their NICs; the resource's `location` is the region dev boxes are made in) and
// their attachment to a dev center (`devcenters/{dc}/attachednetworks`, whose read-only location,
// health and join type come from the connection). The subnet is not checked; a health check "runs"
// during the create/update operation and passes.
import { ArmError } from '../arm/errors';
import type { ResourceTypeDef } from '../arm/framework';
import { clone } from '../arm/helpers';
import { sameId } from '../arm/paths';
import {
  API_VERSIONS,
  ASYNC,
  ATTACHED_NETWORK_TYPE,
  BOTH,
  badRequest,
  NETWORK_CONNECTION_TYPE,
  parentIdOf,
  POOL_TYPE,
  requireValidName,
  storedOfType,
} from './devCenterNames';

/** Nominal time of a network connection's create/update (with its health check). */
const NETWORK_CONNECTION_MS = 120_000;

const networkConnectionDef: ResourceTypeDef = {
  type: NETWORK_CONNECTION_TYPE,
  apiVersions: API_VERSIONS,
  lro: {
    put: { ...ASYNC, durationMs: NETWORK_CONNECTION_MS },
    patch: { ...ASYNC, status: 202, durationMs: NETWORK_CONNECTION_MS },
    delete: { ...BOTH, durationMs: 60_000 },
  },
  beforePut(req, existing) {
    requireValidName(req, NETWORK_CONNECTION_TYPE);
    const p = req.body?.properties ?? {};
    for (const field of ['domainJoinType', 'networkingResourceGroupName']) {
      const before = existing?.properties?.[field];
      if (before !== undefined && p[field] !== undefined && String(p[field]) !== String(before))
        throw badRequest(
          'InvalidPropertyUpdate',
          `The property '${field}' of network connection '${existing!.name}' cannot be ` +
            `changed after it is created (it is '${before}').`,
          `properties.${field}`,
        );
    }
  },
  onStored(r, sim) {
    const p = r.properties;
    // x-ms-secret: kept, never shown.
    if (p.domainPassword !== undefined) {
      sim.store.meta(r.id).domainPassword = p.domainPassword;
      delete p.domainPassword;
    }
    p.networkingResourceGroupName ??= `NI_${r.name}_${r.location ?? 'westeurope'}`;
    p.healthCheckStatus =
      p.provisioningState === 'Succeeded' ? (p.healthCheckStatus ?? 'Passed') : 'Running';
  },
  async provision(op, r) {
    await op.clock.sleep(NETWORK_CONNECTION_MS, op.signal);
    r.properties.healthCheckStatus = 'Passed';
  },
  beforeDelete(req, r) {
    const users = req.sim.store
      .list({ type: ATTACHED_NETWORK_TYPE })
      .filter((a) => sameId(String(a.properties?.networkConnectionId ?? ''), r.id));
    if (users.length > 0)
      throw new ArmError(
        409,
        'NetworkConnectionInUse',
        `The network connection '${r.name}' is attached to dev center(s) ` +
          `${users.map((a) => parentIdOf(a.id).split('/').pop()).join(', ')}. Detach it first.`,
      );
  },
};

const attachedNetworkDef: ResourceTypeDef = {
  type: ATTACHED_NETWORK_TYPE,
  apiVersions: API_VERSIONS,
  patch: false,
  lro: { put: { ...ASYNC, durationMs: 30_000 }, delete: { ...BOTH, durationMs: 30_000 } },
  beforePut(req, existing) {
    requireValidName(req, ATTACHED_NETWORK_TYPE);
    const ncId = String(req.body?.properties?.networkConnectionId ?? '');
    if (existing && !sameId(String(existing.properties.networkConnectionId), ncId))
      throw badRequest(
        'InvalidPropertyUpdate',
        `The attached network '${existing.name}' points at network connection ` +
          `'${existing.properties.networkConnectionId}'; it cannot be changed to '${ncId}'.`,
        'properties.networkConnectionId',
      );
    if (!storedOfType(req.sim, ncId, NETWORK_CONNECTION_TYPE))
      throw badRequest(
        'NetworkConnectionNotFound',
        `The network connection '${ncId}' was not found. Check the resource ID.`,
        'properties.networkConnectionId',
      );
  },
  beforeDelete(req, r) {
    const devCenterId = parentIdOf(r.id);
    const users = req.sim.store
      .list({ type: POOL_TYPE })
      .filter(
        (pool) =>
          pool.properties?.virtualNetworkType !== 'Managed' &&
          String(pool.properties?.networkConnectionName ?? '').toLowerCase() ===
            r.name.toLowerCase() &&
          sameId(
            String(req.sim.store.get(parentIdOf(pool.id))?.properties?.devCenterId ?? ''),
            devCenterId,
          ),
      );
    if (users.length > 0)
      throw new ArmError(
        409,
        'AttachedNetworkInUse',
        `The attached network '${r.name}' is used by pool(s) ` +
          `${users.map((p) => `${parentIdOf(p.id).split('/').pop()}/${p.name}`).join(', ')}. ` +
          `Change or delete them first.`,
      );
  },
  view(r, sim) {
    const out = clone(r);
    const nc = storedOfType(sim, r.properties?.networkConnectionId, NETWORK_CONNECTION_TYPE);
    out.properties.networkConnectionLocation = nc?.location;
    out.properties.healthCheckStatus = nc?.properties?.healthCheckStatus ?? 'Unknown';
    out.properties.domainJoinType = nc?.properties?.domainJoinType;
    if (out.properties.networkConnectionLocation === undefined)
      delete out.properties.networkConnectionLocation;
    if (out.properties.domainJoinType === undefined) delete out.properties.domainJoinType;
    return out;
  },
};

export function networkTypes(): ResourceTypeDef[] {
  return [networkConnectionDef, attachedNetworkDef];
}
