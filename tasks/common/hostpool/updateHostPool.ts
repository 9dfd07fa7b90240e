/**
 * UpdateHostPool's core. A pool with a session host configuration (Automated) takes automated/'s
 * path; a Standard pool: read and check the pool and the image, plan, then by action: `plan`
 * prints the plan and writes nothing; `rollout` runs the plan and `abort` stops a rollout in
 * progress (execute/, hostpool-exec). Everything before execute/ only reads: a refused check, or
 * nothing to replace, leaves Azure untouched (no lease, no token, no tag).
 */
import { AzureContext } from '../azure/clients';
import { GraphClient } from '../azure/graph';
import { shortName } from '../azure/resourceIds';
import { NETWORK_API, requireExisting, RESOURCES_API } from '../azure/existing';
import { Logger } from '../core/logger';
import { PipelineInfo } from '../core/pipelineInfo';
import { checkImageFits, resolveJoin } from './checks';
import { rolloutRefusals } from './connectionAccess';
import { abortRollout } from './execute/abort';
import { ExecContext, leaseHolderOf, rolloutContext } from './execute/context';
import { assertLeaseFree } from './execute/lease';
import { executeRollout } from './execute/rollout';
import { UpdateHostPoolParams } from './params';
import { readHosts } from './read/hosts';
import { readTargetImage } from './read/image';
import { PoolRead, readPool } from './read/pool';
import { updateAutomatedPool } from './automated/updateAutomatedPool';
import { newestHost, readReferenceTemplate } from './read/reference';
import { templateFromVmTemplate } from './referenceTemplate';
import { hostRow, UpdateHostPoolResult } from './result';
import { nothingToReplace, planRollout, RolloutPlan } from './rolloutPlan';
import { HostState, PoolState } from './state';
import { TARGET_TAG } from './tags';
import { applyOverrides } from './vmSpec';

/** Options of {@link updateHostPool} (and of execute/'s entry points). */
export interface UpdateHostPoolOptions {
  azure: AzureContext;
  params: UpdateHostPoolParams;
  log: Logger;
  signal: AbortSignal;
  pipeline: PipelineInfo;
}

export async function updateHostPool(o: UpdateHostPoolOptions): Promise<UpdateHostPoolResult> {
  const read = await readPool({ azure: o.azure, ref: o.params.hostPool, signal: o.signal });
  // A pool made with a session host configuration is updated by Azure itself (issue 13).
  if (read.managementType === 'Automated') return updateAutomatedPool({ ...o, pool: read });
  const pool = await readPoolState(o, read);
  if (o.params.action === 'abort')
    return abortRollout({
      ctx: execContextOf(o, pool),
      pool,
      target:
        pool.lease?.target ??
        (await readTargetImage({ azure: o.azure, image: o.params.image, signal: o.signal }))
          .versionId,
    });
  // Another run's lease refuses a rollout before anything else is read (its half-made hosts too).
  if (o.params.action === 'rollout')
    assertLeaseFree({
      pool: pool.name,
      tags: pool.tags,
      holder: leaseHolderOf(o.pipeline),
      now: Date.now(),
    });
  const plan = await prepareRollout(o, pool);
  o.log.info(plan.text);
  if (o.params.action === 'plan')
    return plannedResult(plan, 'Planned', 'Plan printed; nothing was changed.');
  // A lease or a token left by a run that stopped after its last batch is for execute/ to end.
  if (nothingToReplace(plan) && !pool.lease && !pool.tokenCreated)
    return plannedResult(
      plan,
      'Completed',
      `Every host of ${pool.name} runs ${shortName(plan.target.versionId)}; nothing was changed.`,
    );
  const refused = await rolloutRefusals({ ...o, plan });
  if (refused.length) throw new Error(refused.join('\n'));
  return executeRollout({
    ctx: execContextOf(o, pool),
    plan,
    settings: o.params,
    holder: leaseHolderOf(o.pipeline),
    adminPassword: o.params.adminPassword,
    graph: () => new GraphClient(o.azure),
  });
}

function execContextOf(o: UpdateHostPoolOptions, pool: PoolState): ExecContext {
  return rolloutContext({
    ...o,
    pool: {
      id: pool.id,
      subscriptionId: pool.subscriptionId,
      resourceGroup: pool.resourceGroup,
      name: pool.name,
    },
    pollIntervalMs: o.params.pollIntervalMs,
  });
}

/** The pool with its hosts, their VMs and sessions, and a rollout's unregistered VMs. */
export async function readPoolState(
  o: UpdateHostPoolOptions,
  read?: PoolRead,
): Promise<PoolState & ReadExtras> {
  const pool =
    read ?? (await readPool({ azure: o.azure, ref: o.params.hostPool, signal: o.signal }));
  const hosts = await readHosts({
    azure: o.azure,
    subscriptionId: pool.subscriptionId,
    resourceGroup: pool.resourceGroup,
    poolName: pool.name,
    // Where a stopped run's new VMs may be: the override, else the hosts' groups or the pool's.
    vmResourceGroups: [o.params.overrides.vmResourceGroup ?? pool.resourceGroup],
    signal: o.signal,
  });
  const state = { ...pool, hosts: hosts.hosts, unregistered: hosts.unregistered };
  if (pool.lease)
    o.log.info(
      `A rollout holds ${pool.name}: ${pool.lease.run} (job ${pool.lease.job}) onto ` +
        `${shortName(pool.lease.target)}, until ${pool.lease.expires}.`,
    );
  return { ...state, rawVms: hosts.vms };
}

interface ReadExtras {
  rawVms: Awaited<ReturnType<typeof readHosts>>['vms'];
}

/** Reads the reference and the image, checks them, and plans (no write). */
export async function prepareRollout(
  o: UpdateHostPoolOptions,
  pool: PoolState & ReadExtras,
): Promise<RolloutPlan> {
  const p = o.params;
  const target = await readTargetImage({ azure: o.azure, image: p.image, signal: o.signal });
  const { subnetId, vmResourceGroup } = p.overrides;
  if (subnetId)
    await requireExisting({
      azure: o.azure,
      id: subnetId,
      apiVersion: NETWORK_API,
      input: 'subnetId',
      what: 'the subnet',
      expected: "an existing subnet in the pool's region, or nothing for the reference host's",
      signal: o.signal,
    });
  if (vmResourceGroup)
    await requireExisting({
      azure: o.azure,
      id: `/subscriptions/${pool.subscriptionId}/resourceGroups/${vmResourceGroup}`,
      apiVersion: RESOURCES_API,
      input: 'vmResourceGroup',
      what: 'the resource group',
      expected: "an existing resource group of the pool's subscription, or nothing for the pool's",
      signal: o.signal,
    });
  // The rollout's own new hosts (perhaps half-made by a stopped run) are its result, not its
  // model: the reference stays the newest host from before, whichever run reads it.
  const reference =
    newestHost(pool.hosts.filter((h) => !madeFor(h, target.versionId))) ?? newestHost(pool.hosts);
  const poolZones = [...new Set(pool.hosts.flatMap((h) => h.vm?.zones ?? []))].sort();
  const base = reference
    ? await readReferenceTemplate({
        azure: o.azure,
        vm: pool.rawVms.get(reference.vm!.id.toLowerCase())!,
        poolZones,
        signal: o.signal,
      })
    : templateFromVmTemplate(pool.vmTemplate, pool.location, p.overrides);
  const join = resolveJoin(p.join, base);
  const template = applyOverrides(base, p.overrides, join);
  checkImageFits(target, template);
  return planRollout({
    pool,
    target,
    template,
    join,
    adminUser: p.adminUser ?? template.adminUser ?? 'avdadmin',
    referenceHostName: reference?.vm?.name,
    namePrefix: p.overrides.namePrefix,
    vmResourceGroup: p.overrides.vmResourceGroup,
    batchSize: p.batchSize,
    canary: p.canary,
    oldHosts: p.oldHosts,
  });
}

function plannedResult(
  plan: RolloutPlan,
  state: 'Planned' | 'Completed',
  message: string,
): UpdateHostPoolResult {
  const before = plan.pool.hosts.map(hostRow);
  return {
    rolloutState: state,
    hostsAdded: [],
    hostsRemoved: [],
    hostsKept: plan.kept.map((h) => h.name),
    imageVersionId: plan.target.versionId,
    before,
    after: state === 'Completed' ? before : [],
    batches: [],
    result: 'Succeeded',
    message,
    summary: `### UpdateHostPool: ${plan.pool.name}\n\n\`\`\`\n${plan.text}\n\`\`\`\n`,
  };
}

/** Whether the host's VM was made by a rollout onto `versionId`. */
function madeFor(h: HostState, versionId: string): boolean {
  return h.vm?.tags[TARGET_TAG]?.toLowerCase() === versionId.toLowerCase();
}
