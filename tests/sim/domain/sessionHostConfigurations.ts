// AVD session host configurations (Microsoft.DesktopVirtualization 2024-08-08-preview): the
// blueprint of an Automated pool's session hosts (image, VM size, name prefix, network, disk,
// domain, Key Vault credential URIs). `sessionHostConfigurations/default` is PUT (long-running,
// Azure-AsyncOperation) and PATCHed (long-running, Location) only on a pool whose
// `managementType` is Automated, never while a session host update runs; `version` is the time
// of its last write. `activeSessionHostConfigurations/default` is the configuration the pool's
// hosts were made from: the first configuration, then the one each successful update used.
// Storing a configuration also gives the pool its default `sessionHostManagements/default`.
import { ArmError, armErrors } from '../arm/errors';
import type { ResourceTypeDef, SimServices } from '../arm/framework';
import { buildResource, clone } from '../arm/helpers';
import type { StoredResource } from '../arm/store';
import { HOST_POOL_TYPE } from './desktopVirtualization';
import { ensureManagement } from './sessionHostManagements';
import { updateInProgress } from './sessionHostUpdate';

export const PREVIEW_API_VERSION = '2024-08-08-preview';
export const SESSION_HOST_CONFIGURATION_TYPE = `${HOST_POOL_TYPE}/sessionHostConfigurations`;
export const ACTIVE_CONFIGURATION_TYPE = `${HOST_POOL_TYPE}/activeSessionHostConfigurations`;

/** Nominal time a configuration PUT or PATCH takes (its provisioningState is Provisioning). */
export const CONFIGURATION_WRITE_MS = 30_000;

/** `.../hostPools/{hp}` of anything below a host pool. */
export function poolIdOf(id: string): string {
  const m = /^(.*?\/providers\/Microsoft\.DesktopVirtualization\/hostPools\/[^/]+)/i.exec(id);
  if (!m) throw new Error(`not below a host pool: ${id}`);
  return m[1];
}

export function isAutomated(pool: StoredResource | undefined): boolean {
  return /^automated$/i.test(String(pool?.properties?.managementType ?? ''));
}

export function configurationOf(sim: SimServices, poolId: string): StoredResource | undefined {
  return sim.store.get(`${poolId}/sessionHostConfigurations/default`);
}

// The spec has only `default`: another name is no route of the service.
function requireDefault(req: { level?: { name?: string }; path: string; sim: SimServices }): void {
  if (String(req.level?.name ?? '').toLowerCase() !== 'default')
    throw new ArmError(
      404,
      'NotFound',
      `No HTTP resource was found that matches the request URI '${req.sim.armUrl(req.path)}'. ` +
        `(A host pool has one session host configuration, named 'default'.)`,
    );
}

function checkWritable(sim: SimServices, configId: string): void {
  const poolId = poolIdOf(configId);
  const pool = sim.store.get(poolId);
  if (!isAutomated(pool))
    throw new ArmError(
      400,
      'BadRequest',
      `Host pool '${pool?.name}' has managementType '` +
        `${String(pool?.properties?.managementType ?? 'Standard')}': session host ` +
        `configurations exist only on host pools created with managementType 'Automated'.`,
    );
  const running = updateInProgress(sim, poolId);
  if (running)
    throw new ArmError(
      409,
      'Conflict',
      `The session host configuration of host pool '${pool?.name}' can't be changed while a ` +
        `session host update is in progress (status '${running.status}').`,
    );
}

/** Makes the configuration the pool's active one (what its hosts are made from). */
export function setActiveConfiguration(sim: SimServices, configuration: StoredResource): void {
  const poolId = poolIdOf(configuration.id);
  const properties = clone(configuration.properties ?? {});
  delete properties.provisioningState;
  sim.store.put({
    id: `${poolId}/activeSessionHostConfigurations/default`,
    name: 'default',
    type: ACTIVE_CONFIGURATION_TYPE,
    properties,
  });
}

// Scenario configurations are written and done; request ones provision first.
const seeded = new WeakSet<StoredResource>();

const configurationDef: ResourceTypeDef = {
  type: SESSION_HOST_CONFIGURATION_TYPE,
  apiVersions: [PREVIEW_API_VERSION],
  provisioningState: false,
  lro: {
    put: { header: 'Azure-AsyncOperation', retryAfterSeconds: 10 },
    patch: { header: 'both', status: 202, retryAfterSeconds: 10 },
  },
  beforePut(req) {
    requireDefault(req);
    checkWritable(req.sim, req.level!.id);
  },
  beforePatch(req, existing) {
    checkWritable(req.sim, existing.id);
  },
  build(req, existing) {
    const doc = buildResource(req, configurationDef, existing);
    delete doc.location;
    return doc;
  },
  seed(r) {
    r.properties = { provisioningState: 'Succeeded', ...(r.properties ?? {}) };
    r.properties.version ??= new Date().toISOString();
    seeded.add(r);
    return r;
  },
  onStored(r, sim) {
    if (!seeded.has(r)) {
      r.properties.version = new Date().toISOString();
      r.properties.provisioningState = 'Provisioning';
    }
    ensureManagement(sim, poolIdOf(r.id));
    if (!sim.store.has(`${poolIdOf(r.id)}/activeSessionHostConfigurations/default`))
      setActiveConfiguration(sim, r);
  },
  async provision(op, r, sim) {
    await op.clock.sleep(CONFIGURATION_WRITE_MS, op.signal);
    if (sim.store.get(r.id) === r) r.properties.provisioningState = 'Succeeded';
  },
  beforeDelete() {
    throw armErrors.methodNotAllowed('DELETE');
  },
};

const activeConfigurationDef: ResourceTypeDef = {
  type: ACTIVE_CONFIGURATION_TYPE,
  apiVersions: [PREVIEW_API_VERSION],
  provisioningState: false,
  patch: false,
  beforePut() {
    throw armErrors.methodNotAllowed('PUT');
  },
  beforeDelete() {
    throw armErrors.methodNotAllowed('DELETE');
  },
};

export function sessionHostConfigurationTypes(): ResourceTypeDef[] {
  return [configurationDef, activeConfigurationDef];
}
