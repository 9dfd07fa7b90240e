// Dev Box projects (`properties.devCenterId`) and their pools (vdi.json 2024-02-01): a pool makes
// dev boxes from a dev box definition of the project's dev center, on an attached network of that
// dev center (`networkConnectionName`) or on a Microsoft-hosted network
// (`virtualNetworkType: Managed`, `networkConnectionName: managedNetwork`,
// `managedVirtualNetworkRegions`). A pool's `healthStatus` is computed on read from its
// definition's image validation, its network and the regions its image is replicated to.
import { armErrors } from '../arm/errors';
import type { CustomRoute, ResourceTypeDef, SimServices } from '../arm/framework';
import { clone, paged } from '../arm/helpers';
import { sameId } from '../arm/paths';
import type { StoredResource } from '../arm/store';
import {
  API_VERSIONS,
  ASYNC,
  ATTACHED_NETWORK_TYPE,
  BOTH,
  badRequest,
  DEV_BOX_DEFINITION_TYPE,
  DEV_CENTER_TYPE,
  NETWORK_CONNECTION_TYPE,
  parentIdOf,
  POOL_TYPE,
  PROJECT_TYPE,
  requireValidName,
  storedOfType,
} from './devCenterNames';
import { regionKey } from './regions';

/** The network name a Microsoft-hosted pool gives (Pools_PutWithManagedNetwork). */
export const MANAGED_NETWORK = 'managedNetwork';
const POOL_MS = 60_000;

// ---------------------------------------------------------------- projects

const projectDef: ResourceTypeDef = {
  type: PROJECT_TYPE,
  apiVersions: API_VERSIONS,
  lro: {
    put: { ...ASYNC, durationMs: 30_000 },
    patch: { ...ASYNC, status: 202, durationMs: 20_000 },
    delete: { ...BOTH, durationMs: 30_000 },
  },
  beforePut(req) {
    requireValidName(req, PROJECT_TYPE);
    const dcId = req.body?.properties?.devCenterId;
    if (!storedOfType(req.sim, dcId, DEV_CENTER_TYPE))
      throw badRequest(
        'DevCenterNotFound',
        `The dev center '${String(dcId ?? '')}' of project '${req.level?.name}' was not found. ` +
          `Give properties.devCenterId as the id of an existing dev center.`,
        'properties.devCenterId',
      );
  },
  view(r, sim) {
    const out = clone(r);
    const dc = storedOfType(sim, r.properties?.devCenterId, DEV_CENTER_TYPE);
    if (dc?.properties?.devCenterUri) out.properties.devCenterUri = dc.properties.devCenterUri;
    return out;
  },
};

// ---------------------------------------------------------------- pools

function devCenterOfProject(sim: SimServices, projectId: string): StoredResource | undefined {
  return storedOfType(sim, sim.store.get(projectId)?.properties?.devCenterId, DEV_CENTER_TYPE);
}

function isManaged(pool: { virtualNetworkType?: unknown }): boolean {
  return pool.virtualNetworkType === 'Managed';
}

/** The regions a pool makes dev boxes in: its network connection's, or its managed regions. */
export function poolRegions(sim: SimServices, pool: StoredResource): string[] {
  const p = pool.properties ?? {};
  if (isManaged(p)) return (p.managedVirtualNetworkRegions ?? []).map(String);
  const dc = devCenterOfProject(sim, parentIdOf(pool.id));
  if (!dc) return [];
  const attached = sim.store.get(`${dc.id}/attachednetworks/${p.networkConnectionName}`);
  const nc = storedOfType(sim, attached?.properties?.networkConnectionId, NETWORK_CONNECTION_TYPE);
  return nc?.location ? [nc.location] : [];
}

/** Pools (of any project of the dev center) that use a dev box definition. */
export function poolsUsing(sim: SimServices, definition: StoredResource): StoredResource[] {
  const dcId = parentIdOf(definition.id);
  return sim.store
    .list({ type: POOL_TYPE })
    .filter(
      (pool) =>
        String(pool.properties?.devBoxDefinitionName ?? '').toLowerCase() ===
          definition.name.toLowerCase() &&
        sameId(devCenterOfProject(sim, parentIdOf(pool.id))?.id ?? '', dcId),
    );
}

/** Where a definition's image must be replicated: the dev center's region and its pools'. */
export function requiredRegions(sim: SimServices, definition: StoredResource): string[] {
  const dc = sim.store.get(parentIdOf(definition.id));
  return [
    ...(dc?.location ? [dc.location] : []),
    ...poolsUsing(sim, definition).flatMap((pool) => poolRegions(sim, pool)),
  ];
}

/** The definition and network a pool names must exist in its project's dev center (400). */
function checkPoolReferences(sim: SimServices, projectId: string, p: any): void {
  const dc = devCenterOfProject(sim, projectId);
  const project = projectId.split('/').pop();
  if (!dc)
    throw badRequest(
      'DevCenterNotFound',
      `The dev center of project '${project}' was not found.`,
      'properties.devBoxDefinitionName',
    );
  if (!sim.store.get(`${dc.id}/devboxdefinitions/${p.devBoxDefinitionName}`))
    throw badRequest(
      'DevBoxDefinitionNotFound',
      `The dev box definition '${p.devBoxDefinitionName}' was not found in dev center ` +
        `'${dc.name}' of project '${project}'.`,
      'properties.devBoxDefinitionName',
    );
  if (isManaged(p)) {
    if (!Array.isArray(p.managedVirtualNetworkRegions) || p.managedVirtualNetworkRegions.length < 1)
      throw badRequest(
        'ManagedVirtualNetworkRegionsRequired',
        `A pool with virtualNetworkType 'Managed' needs at least one region in ` +
          `managedVirtualNetworkRegions.`,
        'properties.managedVirtualNetworkRegions',
      );
    return;
  }
  if (
    String(p.networkConnectionName) === MANAGED_NETWORK ||
    !sim.store.get(`${dc.id}/attachednetworks/${p.networkConnectionName}`)
  )
    throw badRequest(
      'AttachedNetworkNotFound',
      `The network connection '${p.networkConnectionName}' is not attached to dev center ` +
        `'${dc.name}'. Attach it (devcenters/${dc.name}/attachednetworks) or use ` +
        `virtualNetworkType 'Managed' with networkConnectionName '${MANAGED_NETWORK}'.`,
      'properties.networkConnectionName',
    );
}

interface Health {
  healthStatus: string;
  healthStatusDetails?: Array<{ code: string; message: string }>;
}

function unhealthy(code: string, message: string): Health {
  return { healthStatus: 'Unhealthy', healthStatusDetails: [{ code, message }] };
}

function poolHealth(sim: SimServices, pool: StoredResource): Health {
  const p = pool.properties ?? {};
  if (p.provisioningState !== 'Succeeded') return { healthStatus: 'Pending' };
  const dc = devCenterOfProject(sim, parentIdOf(pool.id));
  const definition = dc && sim.store.get(`${dc.id}/devboxdefinitions/${p.devBoxDefinitionName}`);
  if (!definition)
    return unhealthy(
      'DevBoxDefinitionNotFound',
      `The dev box definition '${p.devBoxDefinitionName}' does not exist.`,
    );
  if (!isManaged(p)) {
    const attached = sim.store.get(`${dc.id}/attachednetworks/${p.networkConnectionName}`);
    const nc = storedOfType(
      sim,
      attached?.properties?.networkConnectionId,
      NETWORK_CONNECTION_TYPE,
    );
    if (!nc)
      return unhealthy(
        'NetworkConnectionNotFound',
        `The network connection '${p.networkConnectionName}' is not attached to the dev center.`,
      );
    if (nc.properties?.healthCheckStatus === 'Failed')
      return unhealthy(
        'NetworkConnectionUnhealthy',
        `The health checks of network connection '${nc.name}' failed.`,
      );
  }
  const defView = sim.types.get(DEV_BOX_DEFINITION_TYPE)?.view?.(definition, sim) as
    StoredResource | undefined;
  const status = String(defView?.properties?.imageValidationStatus ?? 'Unknown');
  if (status === 'Pending' || status === 'Unknown') return { healthStatus: 'Pending' };
  if (status !== 'Succeeded')
    return unhealthy(
      'ImageValidationFailed',
      `The image of dev box definition '${definition.name}' failed validation: ` +
        `${defView?.properties?.imageValidationErrorDetails?.message ?? status}`,
    );
  const versionId = sim.store.meta(definition.id).imageVersionId as string | undefined;
  const version = versionId ? sim.store.get(versionId) : undefined;
  const have = new Set(
    (version?.properties?.publishingProfile?.targetRegions ?? []).map((t: any) =>
      regionKey(String(t?.name ?? '')),
    ),
  );
  const missing = poolRegions(sim, pool).filter((r) => !have.has(regionKey(r)));
  if (version && missing.length > 0)
    return unhealthy(
      'ImageNotReplicatedToRegion',
      `The image version ${version.name} of dev box definition '${definition.name}' is not ` +
        `replicated to region(s) ${missing.join(', ')} of the pool's network.`,
    );
  return { healthStatus: 'Healthy' };
}

const poolDef: ResourceTypeDef = {
  type: POOL_TYPE,
  apiVersions: API_VERSIONS,
  lro: {
    put: { ...ASYNC, durationMs: POOL_MS },
    patch: { ...ASYNC, status: 202, durationMs: POOL_MS },
    delete: { ...BOTH, durationMs: POOL_MS },
  },
  beforePut(req) {
    requireValidName(req, POOL_TYPE);
    checkPoolReferences(req.sim, parentIdOf(req.level!.id), req.body?.properties ?? {});
  },
  // A PATCH can name a definition or network that does not exist: its operation fails.
  async provision(op, r, sim) {
    await op.clock.sleep(POOL_MS, op.signal);
    checkPoolReferences(sim, parentIdOf(r.id), r.properties ?? {});
  },
  view(r, sim) {
    const out = clone(r);
    const p = out.properties;
    p.virtualNetworkType ??= 'Unmanaged';
    p.managedVirtualNetworkRegions ??= [];
    p.singleSignOnStatus ??= 'Disabled';
    p.stopOnDisconnect ??= { status: 'Disabled' };
    p.devBoxCount ??= 0;
    delete p.healthStatusDetails;
    Object.assign(p, poolHealth(sim, r));
    return out;
  },
};

export function projectTypes(): ResourceTypeDef[] {
  return [projectDef, poolDef];
}

// ---------------------------------------------------------------- what a project sees

const PROJECT_PATH =
  '^(\\/subscriptions\\/[^/]+\\/resourceGroups\\/([^/]+)\\/providers\\/Microsoft\\.DevCenter' +
  '\\/projects\\/([^/]+))';

/**
 * `projects/{p}/attachednetworks[/{n}]` and `projects/{p}/devboxdefinitions[/{d}]`: the dev
 * center's resources as the project sees them (ids under the project, types `projects/...`).
 */
function projectViewRoutes(segment: string, dcType: string): CustomRoute[] {
  const type = `${PROJECT_TYPE}/${segment}`;
  const asSeen = (sim: SimServices, projectId: string, r: StoredResource) => {
    const out = clone((sim.types.get(dcType)?.view?.(r, sim) ?? r) as StoredResource);
    return { ...out, id: `${projectId}/${segment}/${r.name}`, type };
  };
  const devCenter = (sim: SimServices, m: RegExpExecArray) => {
    if (!sim.store.get(m[1])) throw armErrors.resourceNotFound(`${PROJECT_TYPE}/${m[3]}`, m[2]);
    return devCenterOfProject(sim, m[1]);
  };
  const authorize = (_req: unknown, m: RegExpExecArray) => ({
    action: `${type}/read`,
    scope: m[1],
  });
  return [
    {
      method: 'GET',
      pattern: new RegExp(`${PROJECT_PATH}\\/${segment}$`, 'i'),
      namespace: 'Microsoft.DevCenter',
      authorize,
      handle(req, m) {
        const dc = devCenter(req.sim, m);
        const items = dc ? req.sim.store.list({ type: dcType, under: dc.id }) : [];
        return paged(
          req,
          items.map((r) => asSeen(req.sim, m[1], r)),
        );
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`${PROJECT_PATH}\\/${segment}\\/([^/]+)$`, 'i'),
      namespace: 'Microsoft.DevCenter',
      authorize,
      handle(req, m) {
        const dc = devCenter(req.sim, m);
        const r = dc && req.sim.store.get(`${dc.id}/${segment}/${m[4]}`);
        if (!r)
          throw armErrors.resourceNotFound(`${PROJECT_TYPE}/${m[3]}/${segment}/${m[4]}`, m[2]);
        return { status: 200, body: asSeen(req.sim, m[1], r) };
      },
    },
  ];
}

export function projectRoutes(): CustomRoute[] {
  return [
    ...projectViewRoutes('attachednetworks', ATTACHED_NETWORK_TYPE),
    ...projectViewRoutes('devboxdefinitions', DEV_BOX_DEFINITION_TYPE),
  ];
}
