// AVD session host managements (Microsoft.DesktopVirtualization 2024-08-08-preview): an Automated
// pool's saved update settings (`sessionHostManagements/default`: PUT, PATCH, GET, list; made with
// AVD's defaults when the pool gets its configuration), the actions that start and steer a session
// host update (`initiateSessionHostUpdate`: 204; `controlSessionHostUpdate`: 202 + Location, done
// once the action took effect) and the update's status
// (`sessionHostManagements/default/sessionHostUpdateStatuses/default`). The update itself is in
// sessionHostUpdate.ts.
import { ArmError, armErrors } from '../arm/errors';
import type { ArmRequest, CustomRoute, ResourceTypeDef, SimServices } from '../arm/framework';
import { startOperation } from '../arm/helpers';
import type { StoredResource } from '../arm/store';
import { HOST_POOL_TYPE } from './desktopVirtualization';
import {
  configurationOf,
  isAutomated,
  poolIdOf,
  PREVIEW_API_VERSION,
} from './sessionHostConfigurations';
import {
  controlUpdate,
  startUpdate,
  statusBody,
  updateOf,
  UpdateSettings,
  updateInProgress,
} from './sessionHostUpdate';

export const SESSION_HOST_MANAGEMENT_TYPE = `${HOST_POOL_TYPE}/sessionHostManagements`;

/** Microsoft documents the log-off delay as 0 to 60 minutes. */
export const MAX_LOG_OFF_DELAY_MINUTES = 60;

/** What AVD saves for a pool that gets a session host configuration. */
const DEFAULT_MANAGEMENT = {
  scheduledDateTimeZone: 'UTC',
  update: {
    deleteOriginalVm: false,
    maxVmsRemoved: 1,
    logOffDelayMinutes: 2,
    logOffMessage: 'You will be signed out soon: this session host is being updated.',
  },
};

/** Gives the pool its default sessionHostManagements/default when it has none. */
export function ensureManagement(sim: SimServices, poolId: string): void {
  const id = `${poolId}/sessionHostManagements/default`;
  if (sim.store.has(id)) return;
  sim.store.put({
    id,
    name: 'default',
    type: SESSION_HOST_MANAGEMENT_TYPE,
    properties: structuredClone(DEFAULT_MANAGEMENT),
  });
}

function checkLogOffDelay(update: any): void {
  const v = update?.logOffDelayMinutes;
  if (typeof v === 'number' && (v < 0 || v > MAX_LOG_OFF_DELAY_MINUTES))
    throw new ArmError(
      400,
      'InvalidParameter',
      `logOffDelayMinutes must be between 0 and ${MAX_LOG_OFF_DELAY_MINUTES} minutes; ` +
        `${v} was given.`,
      { target: 'update.logOffDelayMinutes' },
    );
}

function requirePool(req: ArmRequest, poolId: string): StoredResource {
  const pool = req.sim.store.get(poolId);
  if (!isAutomated(pool))
    throw new ArmError(
      400,
      'BadRequest',
      `Host pool '${pool?.name}' has managementType '` +
        `${String(pool?.properties?.managementType ?? 'Standard')}': session host update ` +
        `needs a host pool created with managementType 'Automated'.`,
    );
  return pool!;
}

/** The run's settings: the saved management's `update`, overridden member by member. */
function settingsFor(management: StoredResource, body: any): UpdateSettings {
  const saved = management.properties?.update ?? {};
  const given = body?.update ?? {};
  const pick = <T>(k: string, fallback: T): T => (given[k] ?? saved[k] ?? fallback) as T;
  return {
    deleteOriginalVm: pick('deleteOriginalVm', false),
    maxVmsRemoved: pick('maxVmsRemoved', 1),
    logOffDelayMinutes: pick('logOffDelayMinutes', 0),
    logOffMessage: pick('logOffMessage', ''),
  };
}

function initiate(req: ArmRequest, management: StoredResource) {
  const sim = req.sim;
  const poolId = poolIdOf(management.id);
  const pool = requirePool(req, poolId);
  checkLogOffDelay(req.body?.update);
  const configuration = configurationOf(sim, poolId);
  if (!configuration)
    throw new ArmError(
      400,
      'BadRequest',
      `Host pool '${pool.name}' has no session host configuration to update its session ` +
        `hosts to.`,
    );
  if (configuration.properties?.provisioningState !== 'Succeeded')
    throw new ArmError(
      409,
      'Conflict',
      `The session host configuration of host pool '${pool.name}' is ` +
        `${String(configuration.properties?.provisioningState)}; start the update once it ` +
        `has Succeeded.`,
    );
  const running = updateInProgress(sim, poolId);
  if (running)
    throw new ArmError(
      409,
      'Conflict',
      `A session host update is already in progress on host pool '${pool.name}' (status ` +
        `'${running.status}'). Control it with controlSessionHostUpdate, or wait until it ends.`,
    );
  startUpdate(sim, {
    pool,
    management,
    configuration,
    settings: settingsFor(management, req.body),
    scheduledDateTimeZone: String(
      req.body?.scheduledDateTimeZone ?? management.properties?.scheduledDateTimeZone ?? 'UTC',
    ),
    scheduledDateTime:
      typeof req.body?.scheduledDateTime === 'string' ? req.body.scheduledDateTime : undefined,
  });
  return { status: 204 };
}

function control(req: ArmRequest, management: StoredResource) {
  const sim = req.sim;
  const poolId = poolIdOf(management.id);
  requirePool(req, poolId);
  const action = String(req.body?.action ?? '');
  const run = updateOf(sim, poolId);
  if (!run)
    throw new ArmError(
      400,
      'BadRequest',
      `Host pool '${poolId.split('/').pop()}' has no session host update to ${action}.`,
    );
  if (req.body?.cancelMessage !== undefined && !/^cancel$/i.test(action))
    throw new ArmError(
      400,
      'InvalidParameter',
      "cancelMessage can only be specified if the action is 'Cancel'.",
      { target: 'cancelMessage' },
    );
  const done = controlUpdate(sim, run, action, req.body?.cancelMessage);
  return startOperation(req, {
    kind: 'action',
    resource: management,
    style: { header: 'Location', status: 202, retryAfterSeconds: 10 },
    status: 202,
    run: async (op) => {
      await Promise.race([
        done,
        new Promise((_, reject) =>
          op.signal.addEventListener('abort', () => reject(new Error('stopped')), {
            once: true,
          }),
        ),
      ]);
      return undefined;
    },
  }).result;
}

const managementDef: ResourceTypeDef = {
  type: SESSION_HOST_MANAGEMENT_TYPE,
  apiVersions: [PREVIEW_API_VERSION],
  provisioningState: false,
  beforePut(req) {
    if (String(req.level?.name ?? '').toLowerCase() !== 'default')
      throw new ArmError(
        404,
        'NotFound',
        `No HTTP resource was found that matches the request URI ` +
          `'${req.sim.armUrl(req.path)}'. (A host pool has one session host management, ` +
          `named 'default'.)`,
      );
    requirePool(req, poolIdOf(req.level!.id));
    checkLogOffDelay(req.body?.properties?.update);
  },
  beforePatch(req) {
    checkLogOffDelay(req.body?.properties?.update);
  },
  beforeDelete() {
    throw armErrors.methodNotAllowed('DELETE');
  },
  actions: {
    initiateSessionHostUpdate: { run: initiate },
    controlSessionHostUpdate: { run: control },
  },
};

/** GET .../sessionHostManagements/default/sessionHostUpdateStatuses/default */
const updateStatusRoute: CustomRoute = {
  method: 'GET',
  pattern: new RegExp(
    '^(\\/subscriptions\\/[^/]+\\/resourceGroups\\/([^/]+)\\/providers\\' +
      '/Microsoft\\.DesktopVirtualization\\/hostPools\\/([^/]+))' +
      '\\/sessionHostManagements\\/default\\/sessionHostUpdateStatuses\\/default$',
    'i',
  ),
  namespace: 'Microsoft.DesktopVirtualization',
  authorize: (_req, m) => ({ action: `${SESSION_HOST_MANAGEMENT_TYPE}/read`, scope: m[1] }),
  handle(req, m) {
    const rg = decodeURIComponent(m[2]);
    const hp = decodeURIComponent(m[3]);
    if (!req.sim.store.get(m[1].slice(0, m[1].toLowerCase().indexOf('/providers/'))))
      throw armErrors.resourceGroupNotFound(rg);
    if (!req.sim.store.get(m[1])) throw armErrors.resourceNotFound(`${HOST_POOL_TYPE}/${hp}`, rg);
    const run = updateOf(req.sim, req.sim.store.get(m[1])!.id);
    if (!run)
      throw armErrors.resourceNotFound(
        `${HOST_POOL_TYPE}/${hp}/sessionHostManagements/default/sessionHostUpdateStatuses/default`,
        rg,
      );
    return { status: 200, body: statusBody(req.sim, run) };
  },
};

export function sessionHostManagementTypes(): ResourceTypeDef[] {
  return [managementDef];
}

export function sessionHostManagementRoutes(): CustomRoute[] {
  return [updateStatusRoute];
}
