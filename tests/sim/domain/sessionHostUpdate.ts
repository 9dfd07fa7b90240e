// The simulated AVD session host update of an Automated pool (preview 2024-08-08-preview), as
// initiateSessionHostUpdate starts it: Scheduled (until `scheduledDateTime`, or a Start),
// ValidatingSessionHostUpdate (the configuration's image and subnet), then UpdatingSessionHosts:
// every host not yet made from the configuration is replaced (sessionHostUpdateHosts.ts), one host
// first, then batches of `maxVmsRemoved`, and the update ends Succeeded (the configuration becomes
// the pool's active one). Control actions: Pause (Pausing until the batch ends, then Paused),
// Resume, Retry (of a batch in Error), Cancel (Cancelling until the batch ends, then Canceled; at
// once when nothing runs), Start (a scheduled update now). A failed validation ends Failed; a
// failed batch reads Error until Retry or Cancel. The scenario's `sessionHostUpdateBehaviour` makes
// a batch fail or the update pause. Nominal times scale with timeScale.
import { randomUUID } from 'crypto';
import { ArmError } from '../arm/errors';
import type { SimServices } from '../arm/framework';
import { clone } from '../arm/helpers';
import type { StoredResource } from '../arm/store';
import { replicationStatusOf } from './gallery';
import { sameRegion } from './regions';
import { SESSION_HOST_TYPE, USER_SESSION_TYPE } from './desktopVirtualization';
import { serviceCall } from './sessionHostUpdateCalls';
import { PREVIEW_API_VERSION, setActiveConfiguration } from './sessionHostConfigurations';
import { updateBehaviourFor } from './sessionHostUpdateBehaviour';
import { HostTask, ReplaceContext, replaceHost, UpdateSettings } from './sessionHostUpdateHosts';

export type { UpdateSettings };

/** Nominal time of the validation before hosts are touched. */
export const VALIDATION_MS = 60_000;

export type UpdateStatus =
  | 'Scheduled'
  | 'ValidatingSessionHostUpdate'
  | 'UpdatingSessionHosts'
  | 'Pausing'
  | 'Paused'
  | 'Cancelling'
  | 'Canceled'
  | 'Error'
  | 'Failed'
  | 'Succeeded';

const TERMINAL: UpdateStatus[] = ['Succeeded', 'Failed', 'Canceled'];

/** One update of a pool (kept in the pool's store meta: the last one is what the status shows). */
export interface UpdateRun {
  id: string;
  correlationId: string;
  poolId: string;
  managementId: string;
  status: UpdateStatus;
  startTime: string;
  endTime?: string;
  scheduledDateTime?: string;
  scheduledDateTimeZone: string;
  settings: UpdateSettings;
  /** The configuration as it was when the update started. */
  configuration: StoredResource;
  error?: { code: string; message: string; target?: string };
  hosts: HostTask[];
  batches: HostTask[][];
  /** Index of the batch running or next to run. */
  batch: number;
  /** Failed attempts of each batch (by 1-based number) the scenario asked for so far. */
  injected: Record<number, number>;
  pausedByScenario: boolean;
  startNow: boolean;
  /** Called on every status change (control operations wait on them). */
  listeners: Array<() => void>;
}

export interface StartOptions {
  pool: StoredResource;
  management: StoredResource;
  configuration: StoredResource;
  settings: UpdateSettings;
  scheduledDateTimeZone: string;
  scheduledDateTime?: string;
}

export function updateOf(sim: SimServices, poolId: string): UpdateRun | undefined {
  return sim.store.has(poolId) ? sim.store.meta(poolId).sessionHostUpdate : undefined;
}

/** The pool's update when it has not ended (Paused and Error have not). */
export function updateInProgress(sim: SimServices, poolId: string): UpdateRun | undefined {
  const run = updateOf(sim, poolId);
  return run && !TERMINAL.includes(run.status) ? run : undefined;
}

function setStatus(run: UpdateRun, status: UpdateStatus): void {
  run.status = status;
  if (TERMINAL.includes(status)) run.endTime = new Date().toISOString();
  for (const l of run.listeners.splice(0)) l();
}

/** Resolves when `done()` holds (checked at every status change); rejects when aborted. */
function until(run: UpdateRun, done: () => boolean, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (signal?.aborted) reject(new Error('stopped'));
      else if (done()) resolve();
      else run.listeners.push(check);
    };
    check();
  });
}

/** The hosts an update replaces: those not made from this configuration version. */
function hostsToUpdate(sim: SimServices, run: UpdateRun): HostTask[] {
  const version = run.configuration.properties?.version;
  return sim.store
    .list({ type: SESSION_HOST_TYPE, under: run.poolId })
    .filter((h) => sim.store.meta(h.id).sessionHostConfigurationVersion !== version)
    .map((h) => {
      const vmId =
        typeof h.properties?.resourceId === 'string' ? h.properties.resourceId : undefined;
      const vm = vmId ? sim.store.get(vmId) : undefined;
      return {
        hostId: h.id,
        hostName: h.name,
        vmId,
        placement: { location: vm?.location, zones: vm?.zones },
        stage: 'pending' as const,
      };
    });
}

/** First one host, then batches of maxVmsRemoved. */
function batchesOf(hosts: HostTask[], size: number): HostTask[][] {
  if (hosts.length === 0) return [];
  const out = [[hosts[0]]];
  for (let i = 1; i < hosts.length; i += size) out.push(hosts.slice(i, i + size));
  return out;
}

function validationError(sim: SimServices, run: UpdateRun): ArmError | undefined {
  const p = run.configuration.properties ?? {};
  const poolSub = run.poolId.split('/')[2].toLowerCase();
  if (/^custom$/i.test(String(p.imageInfo?.type))) {
    const imageId = String(p.imageInfo?.customInfo?.resourceId ?? '');
    if (imageId.split('/')[2]?.toLowerCase() !== poolSub)
      return new ArmError(
        400,
        'InvalidParameter',
        `The image ${imageId} must be in the subscription of the host pool (${poolSub}).`,
        { target: 'imageInfo.customInfo.resourceId' },
      );
    const image = sim.store.get(imageId);
    if (!image)
      return new ArmError(400, 'ImageNotFound', `The image ${imageId} was not found.`, {
        target: 'imageInfo.customInfo.resourceId',
      });
    const region = p.vmLocation ?? sim.store.get(run.poolId)?.location ?? '';
    if (/\/versions\/[^/]+$/i.test(imageId)) {
      const replicated = replicationStatusOf(sim, image.id).summary.some(
        (s) => sameRegion(s.region, region) && s.state === 'Completed',
      );
      if (!replicated)
        return new ArmError(
          404,
          'GalleryImageNotFound',
          `The gallery image ${imageId} is not available in ${region} region. Please ` +
            'contact image owner to replicate to this region, or change your requested region.',
          { target: 'imageInfo.customInfo.resourceId' },
        );
    }
  }
  const subnet = String(p.networkInfo?.subnetId ?? '');
  if (!sim.store.get(subnet))
    return new ArmError(400, 'InvalidParameter', `The subnet ${subnet} was not found.`, {
      target: 'networkInfo.subnetId',
    });
  return undefined;
}

/** The scenario's failure of this attempt of the batch: every new VM of the batch fails. */
function injectedFailure(sim: SimServices, run: UpdateRun, poolName: string, batch: number) {
  const b = updateBehaviourFor(sim, poolName);
  if (b.failBatch !== batch || (run.injected[batch] ?? 0) >= (b.failTimes ?? 1)) return undefined;
  run.injected[batch] = (run.injected[batch] ?? 0) + 1;
  return (vmName: string): ArmError =>
    new ArmError(
      409,
      b.error?.code ?? 'AllocationFailed',
      b.error?.message ??
        `Allocation failed for virtual machine '${vmName}'. We do not have sufficient ` +
          `capacity for the requested VM size ${String(run.configuration.properties?.vmSizeId)} ` +
          'in this region. Read more about improving likelihood of allocation success at ' +
          'http://aka.ms/allocation-guidance',
      { target: vmName },
    );
}

async function runBatch(
  sim: SimServices,
  run: UpdateRun,
  signal: AbortSignal,
): Promise<ArmError | undefined> {
  const pool = sim.store.get(run.poolId);
  if (!pool) throw new Error('stopped');
  const ctx: ReplaceContext = {
    sim,
    pool,
    configuration: run.configuration,
    settings: run.settings,
    signal,
    injectedFailure: injectedFailure(sim, run, pool.name, run.batch + 1),
  };
  const results = await Promise.allSettled(
    run.batches[run.batch]
      .filter((t) => t.stage !== 'done')
      .map(async (t) => {
        await replaceHost(ctx, t);
        if (t.newHostId && sim.store.has(t.newHostId))
          sim.store.meta(t.newHostId).sessionHostConfigurationVersion =
            run.configuration.properties?.version;
      }),
  );
  if (signal.aborted) throw new Error('stopped');
  const failed = results.find((r) => r.status === 'rejected');
  if (!failed) return undefined;
  const reason = failed.reason;
  return reason instanceof ArmError
    ? reason
    : new ArmError(500, 'InternalServerError', String(reason?.message ?? reason));
}

/** Scheduled until its time or a Start; false when canceled meanwhile. */
async function waitForSchedule(run: UpdateRun, signal: AbortSignal): Promise<boolean> {
  const at = run.scheduledDateTime ? Date.parse(run.scheduledDateTime) : NaN;
  if (!(at > Date.now())) return true;
  const timer = setTimeout(() => {
    run.startNow = true;
    for (const l of run.listeners.splice(0)) l();
  }, at - Date.now());
  try {
    await until(run, () => run.startNow || run.status !== 'Scheduled', signal);
  } finally {
    clearTimeout(timer);
  }
  return run.status === 'Scheduled';
}

// Control actions change the status while the update awaits: read it afresh (no narrowing).
const statusOf = (run: UpdateRun): UpdateStatus => run.status;

async function execute(sim: SimServices, run: UpdateRun, signal: AbortSignal): Promise<void> {
  if (!(await waitForSchedule(run, signal))) return;
  setStatus(run, 'ValidatingSessionHostUpdate');
  await sim.clock.sleep(VALIDATION_MS, signal);
  const invalid = validationError(sim, run);
  if (invalid) {
    run.error = invalid.body().error;
    return setStatus(run, 'Failed');
  }
  run.hosts = hostsToUpdate(sim, run);
  run.batches = batchesOf(run.hosts, Math.max(1, run.settings.maxVmsRemoved));
  if (statusOf(run) === 'ValidatingSessionHostUpdate') setStatus(run, 'UpdatingSessionHosts');
  const behaviour = updateBehaviourFor(sim, run.poolId.split('/').pop()!);
  while (run.batch < run.batches.length) {
    if (statusOf(run) === 'Cancelling') return setStatus(run, 'Canceled');
    if (statusOf(run) === 'Pausing') setStatus(run, 'Paused');
    if (statusOf(run) === 'Paused') {
      await until(run, () => run.status !== 'Paused', signal);
      continue;
    }
    const failure = await runBatch(sim, run, signal);
    if (failure) {
      if (statusOf(run) === 'Cancelling') return setStatus(run, 'Canceled');
      run.error = failure.body().error;
      setStatus(run, 'Error');
      await until(run, () => run.status !== 'Error', signal);
      continue;
    }
    run.batch++;
    if (behaviour.pauseAfterBatch === run.batch && !run.pausedByScenario) {
      run.pausedByScenario = true;
      if (statusOf(run) === 'UpdatingSessionHosts' && run.batch < run.batches.length)
        setStatus(run, 'Paused');
    }
  }
  if (statusOf(run) === 'Cancelling') return setStatus(run, 'Canceled');
  delete run.error;
  setActiveConfiguration(sim, run.configuration);
  setStatus(run, 'Succeeded');
}

/** Starts the pool's update (the caller checked that none is in progress). */
export function startUpdate(sim: SimServices, o: StartOptions): UpdateRun {
  const run: UpdateRun = {
    id: randomUUID(),
    correlationId: randomUUID(),
    poolId: o.pool.id,
    managementId: o.management.id,
    status: 'Scheduled',
    startTime: new Date().toISOString(),
    scheduledDateTime: o.scheduledDateTime,
    scheduledDateTimeZone: o.scheduledDateTimeZone,
    settings: o.settings,
    configuration: clone(o.configuration),
    hosts: [],
    batches: [],
    batch: 0,
    injected: {},
    pausedByScenario: false,
    startNow: false,
    listeners: [],
  };
  sim.store.meta(o.pool.id).sessionHostUpdate = run;
  // An operation (not shown to clients) so that the simulator's stop ends the work.
  sim.operations.start({
    kind: 'action',
    resourceId: o.management.id,
    namespace: 'Microsoft.DesktopVirtualization',
    location: o.pool.location ?? 'global',
    subscriptionId: o.pool.id.split('/')[2],
    apiVersion: PREVIEW_API_VERSION,
    style: { header: 'Location' },
    run: async (op) => {
      try {
        await execute(sim, run, op.signal);
      } catch (e) {
        if (op.signal.aborted) return;
        run.error = { code: 'InternalServerError', message: String((e as Error)?.message ?? e) };
        setStatus(run, 'Failed');
      }
    },
  });
  return run;
}

/** A Cancel's `cancelMessage` goes to the users of the hosts being drained. */
function messageDraining(sim: SimServices, run: UpdateRun, message: string): void {
  for (const t of run.batches[run.batch] ?? []) {
    if (t.stage !== 'pending' && t.stage !== 'drained') continue;
    for (const session of sim.store.list({ type: USER_SESSION_TYPE, under: t.hostId }))
      serviceCall(sim, 'POST', `${session.id}/sendMessage`, '2024-04-03', {
        messageTitle: 'Session host update canceled',
        messageBody: message,
      }).catch(() => undefined);
  }
}

function refuse(run: UpdateRun, action: string): ArmError {
  return new ArmError(
    400,
    'BadRequest',
    `The session host update can't be ${action} in its current status '${run.status}'.`,
  );
}

/**
 * Applies a control action (throws ArmError when the status does not allow it); resolves once the
 * action took effect (what the control operation waits for).
 */
export function controlUpdate(
  sim: SimServices,
  run: UpdateRun,
  action: string,
  cancelMessage?: string,
): Promise<void> {
  const s = run.status;
  switch (action.toLowerCase()) {
    case 'start':
      if (s !== 'Scheduled') throw refuse(run, 'started');
      run.startNow = true;
      for (const l of run.listeners.splice(0)) l();
      return until(run, () => run.status !== 'Scheduled');
    case 'pause':
      if (s === 'Pausing' || s === 'Paused') break;
      if (s !== 'ValidatingSessionHostUpdate' && s !== 'UpdatingSessionHosts')
        throw refuse(run, 'paused');
      setStatus(run, 'Pausing');
      return until(run, () => run.status !== 'Pausing');
    case 'resume':
      if (s !== 'Paused' && s !== 'Pausing') throw refuse(run, 'resumed');
      setStatus(run, 'UpdatingSessionHosts');
      break;
    case 'retry':
      if (s !== 'Error') throw refuse(run, 'retried');
      delete run.error;
      setStatus(run, 'UpdatingSessionHosts');
      break;
    case 'cancel':
      if (TERMINAL.includes(s)) throw refuse(run, 'canceled');
      if (cancelMessage !== undefined) messageDraining(sim, run, cancelMessage);
      if (s === 'Scheduled' || s === 'Paused' || s === 'Error') setStatus(run, 'Canceled');
      else if (s !== 'Cancelling') setStatus(run, 'Cancelling');
      return until(run, () => TERMINAL.includes(run.status));
    default:
      throw new ArmError(400, 'InvalidParameter', `Unknown action '${action}'.`, {
        target: 'action',
      });
  }
  return Promise.resolve();
}

/** GET .../sessionHostUpdateStatuses/default */
export function statusBody(sim: SimServices, run: UpdateRun): any {
  const total = run.hosts.length;
  const completed = run.hosts.filter((h) => h.stage === 'done').length;
  const inProgress = (run.batches[run.batch] ?? []).filter(
    (h) => h.stage !== 'pending' && h.stage !== 'done',
  ).length;
  const percent =
    run.status === 'Succeeded' ? 100 : total === 0 ? 0 : Math.round((completed / total) * 100);
  const management = sim.store.get(run.managementId);
  return {
    id: `${run.managementId}/sessionHostUpdateStatuses/default`,
    name: run.id,
    status: run.status,
    percentComplete: percent,
    startTime: run.startTime,
    ...(run.endTime ? { endTime: run.endTime } : {}),
    ...(run.error ? { error: clone(run.error) } : {}),
    properties: {
      correlationId: run.correlationId,
      progress: {
        executionStartTime: run.startTime,
        totalSessionHosts: total,
        sessionHostsInProgress: inProgress,
        sessionHostsCompleted: completed,
        sessionHostsRollbackFailed: 0,
      },
      ...(run.scheduledDateTime ? { scheduledDateTime: run.scheduledDateTime } : {}),
      sessionHostManagement: {
        id: run.managementId,
        name: 'default',
        type:
          management?.type ?? 'Microsoft.DesktopVirtualization/hostPools/sessionHostManagements',
        properties: {
          scheduledDateTimeZone: run.scheduledDateTimeZone,
          update: clone(run.settings),
        },
      },
    },
  };
}
