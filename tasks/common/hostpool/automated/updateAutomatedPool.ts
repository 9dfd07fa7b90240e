/**
 * UpdateHostPool for a pool made with a session host configuration (managementType Automated):
 * Azure replaces its hosts itself, so the task reads and checks, prints the plan, points the
 * configuration at the image, starts Azure's session host update (or follows, resumes or retries
 * the one in progress for that image) and follows it to its end. It makes no VM of its own. A
 * cancelled pipeline and `action: abort` cancel Azure's update.
 */
import { ArmClient } from '../../azure/armClient';
import { describeArmError } from '../../azure/armErrors';
import { sameId, shortName } from '../../azure/resourceIds';
import { systemClock } from '../../core/clock';
import { CancelledError, errorMessage } from '../../core/errors';
import { Logger } from '../../core/logger';
import { PipelineInfo } from '../../core/pipelineInfo';
import { RunContext } from '../../core/runContext';
import { UpdateHostPoolParams } from '../params';
import { readHosts } from '../read/hosts';
import { readTargetImage } from '../read/image';
import { PoolRead } from '../read/pool';
import { AzureContext } from '../../azure/clients';
import { UpdateHostPoolResult } from '../result';
import { HostState } from '../state';
import {
  AutomatedContext,
  AVD_PREVIEW_API,
  configuredImage,
  configurationPath,
  describeImage,
  readConfiguration,
  readManagement,
  readUpdateStatus,
  SessionHostConfiguration,
} from './api';
import { cancelMessageOf, cancelUpdate } from './control';
import { followUpdate } from './follow';
import { automatedResult } from './outcome';
import { automatedPlanText } from './plan';
import { checkImageForPool, ignoredInputsWarning, updateSettingsOf } from './settings';
import { applyDecision, decideStart } from './start';
import { describeProgress, isActive, settledFailure } from './status';

/** Options of {@link updateAutomatedPool}. */
export interface UpdateAutomatedPoolOptions {
  azure: AzureContext;
  params: UpdateHostPoolParams;
  /** The pool as read (managementType Automated). */
  pool: PoolRead;
  log: Logger;
  /** The pipeline's cancel: Azure's update is cancelled (within `cancelBudgetMs`). */
  signal: AbortSignal;
  pipeline: PipelineInfo;
  /**
   * How long a cancelled pipeline's cancel may take (default 9 s: the agent sends SIGTERM 7.5 s
   * after SIGINT and kills 5 s after that).
   */
  cancelBudgetMs?: number;
  /** How long `action: abort` waits for Azure to say Canceled (default 30 minutes). */
  abortWaitMs?: number;
}

const CANCEL_BUDGET_MS = 9_000;
const ABORT_WAIT_MS = 30 * 60_000;

export async function updateAutomatedPool(
  o: UpdateAutomatedPoolOptions,
): Promise<UpdateHostPoolResult> {
  const ctx = automatedContext(o);
  const { pool } = o;
  o.log.info(
    `${pool.name} is managed with a session host configuration (managementType Automated): ` +
      "Azure's session host update replaces its hosts; this task sets the image and follows it.",
  );
  if (o.params.action === 'abort') return abortUpdate(o, ctx);

  const settings = updateSettingsOf(o.params.sessionHostUpdate);
  const ignored = ignoredInputsWarning(o.params.sessionHostUpdate.ignored, pool.name);
  if (ignored) ctx.run.warn(ignored);
  const configuration = await readConfiguration(ctx);
  const target = await readTargetImage({ azure: o.azure, image: o.params.image, signal: o.signal });
  checkImageForPool(target, pool, configuration.properties.vmLocation || pool.location);
  const saved = (await readManagement(ctx))?.properties.update;
  const previous = await readUpdateStatus(ctx);
  const before = await hostsOf(o);
  const decision = decideStart({
    pool: pool.name,
    status: previous,
    configured: configuredImage(configuration),
    configuredText: describeImage(configuration),
    target: target.versionId,
    allOnTarget: before.every((h) => sameId(h.vm?.imageVersionId, target.versionId)),
  });
  const plan = automatedPlanText({
    pool: pool.name,
    configuration,
    target,
    decision,
    settings,
    saved,
    hosts: before,
  });
  o.log.info(plan);
  const result = (after: HostState[], kind: UpdateHostPoolResult['result'], message: string) =>
    automatedResult({
      pool: pool.name,
      target: target.versionId,
      before,
      after,
      result: kind,
      message,
      planned: o.params.action === 'plan',
      plan,
      warnings: ctx.run.warnings,
    });
  if (o.params.action === 'plan')
    return result(before, ctx.run.result(), 'Plan printed; nothing was changed.');
  if (decision.kind === 'done')
    return result(
      before,
      ctx.run.result(),
      `Every host of ${pool.name} runs ${shortName(target.versionId)}; nothing was changed.`,
    );

  // From here a cancelled pipeline cancels the update this run started, resumes or follows.
  let updating = decision.kind !== 'start';
  try {
    const applied = await applyDecision({
      ctx,
      decision,
      target: target.versionId,
      settings,
      onInitiate: () => (updating = true),
    });
    updating = true;
    const final = await followUpdate({
      ctx,
      previous: applied.kind === 'start' ? previous : undefined,
    });
    const failure = settledFailure(final, pool.name);
    const after = await hostsOf(o);
    if (failure) return result(after, 'Failed', failure);
    return result(
      after,
      ctx.run.result(),
      `Azure's session host update of ${pool.name} Succeeded ` +
        `(${describeProgress(final, false)}); its hosts run ${shortName(target.versionId)}.`,
    );
  } catch (err) {
    if (o.signal.aborted && updating) await cancelOnPipelineCancel(o, ctx);
    else if (!updating && decision.kind === 'start' && decision.configure)
      await restoreImage(ctx, configuration);
    throw err;
  }
}

/**
 * Stopped after the configuration was pointed at the image but before an update was started: the
 * configuration gets its image back, so the hosts Azure adds later match those the pool has.
 * Best effort within a short time of its own (the run's signal may be aborted): a failure warns.
 */
async function restoreImage(ctx: AutomatedContext, configuration: SessionHostConfiguration) {
  try {
    await ctx.arm.patch(
      configurationPath(ctx.pool.id),
      AVD_PREVIEW_API,
      { properties: { imageInfo: configuration.properties.imageInfo } },
      AbortSignal.timeout(CANCEL_BUDGET_MS),
    );
    ctx.run.log.info(
      `The session host configuration's image is ${describeImage(configuration)} again ` +
        '(no update was started).',
    );
  } catch (err) {
    ctx.run.log.warn(
      `The session host configuration of ${ctx.pool.name} still names this run's image, but no ` +
        `update was started; putting ${describeImage(configuration)} back failed: ` +
        `${errorMessage(err)}. Run the task again to start the update, or set the image back.`,
    );
  }
}

function automatedContext(o: UpdateAutomatedPoolOptions): AutomatedContext {
  const run = new RunContext({
    log: o.log,
    signal: o.signal,
    pipeline: o.pipeline,
    describeError: describeArmError,
  });
  return {
    run,
    signal: o.signal,
    arm: new ArmClient(o.azure, { pollIntervalMs: o.params.pollIntervalMs }),
    pool: {
      id: o.pool.id,
      name: o.pool.name,
      subscriptionId: o.pool.subscriptionId,
      resourceGroup: o.pool.resourceGroup,
      location: o.pool.location,
    },
    pollIntervalMs: o.params.pollIntervalMs,
    clock: systemClock,
  };
}

/** The pool's session hosts with their VMs (read only: this path writes no VM). */
async function hostsOf(o: UpdateAutomatedPoolOptions): Promise<HostState[]> {
  const read = await readHosts({
    azure: o.azure,
    subscriptionId: o.pool.subscriptionId,
    resourceGroup: o.pool.resourceGroup,
    poolName: o.pool.name,
    vmResourceGroups: [],
    signal: o.signal,
  });
  return read.hosts;
}

/** The agent's cancel: Cancel sent at once, Canceled awaited within what the agent leaves. */
async function cancelOnPipelineCancel(o: UpdateAutomatedPoolOptions, ctx: AutomatedContext) {
  const budgetMs = o.cancelBudgetMs ?? CANCEL_BUDGET_MS;
  const { sent, canceled, status } = await cancelUpdate({
    ctx: { ...ctx, signal: AbortSignal.timeout(budgetMs) },
    cancelMessage: cancelMessageOf(o.pipeline, 'cancel'),
    timeoutMs: budgetMs,
  });
  if (canceled) o.log.info(`Azure's session host update of ${o.pool.name} is Canceled.`);
  else if (!sent)
    o.log.info(
      `Azure's session host update of ${o.pool.name} is ${status?.status ?? 'not readable'}: ` +
        'nothing to cancel.',
    );
  else
    o.log.warn(
      `Azure's session host update of ${o.pool.name} is ${status?.status ?? 'unknown'} as the ` +
        'task stops; Azure goes on with the cancel (action: abort follows it to its end).',
    );
}

/** `action: abort`: cancels the update in progress, waits until Azure says Canceled. */
async function abortUpdate(
  o: UpdateAutomatedPoolOptions,
  ctx: AutomatedContext,
): Promise<UpdateHostPoolResult> {
  const configuration = await readConfiguration(ctx);
  const target = configuredImage(configuration) ?? o.params.image.id;
  const before = await hostsOf(o);
  const plan = `Abort: cancel Azure's session host update of ${o.pool.name} if one is in progress`;
  const { sent, canceled, status } = await cancelUpdate({
    ctx,
    cancelMessage: cancelMessageOf(o.pipeline, 'abort'),
    timeoutMs: o.abortWaitMs ?? ABORT_WAIT_MS,
  });
  if (o.signal.aborted) throw new CancelledError();
  const after = await hostsOf(o);
  const result = (kind: UpdateHostPoolResult['result'], message: string) => {
    o.log.info(message);
    return automatedResult({
      pool: o.pool.name,
      target,
      before,
      after,
      result: kind,
      message,
      plan,
      warnings: ctx.run.warnings,
    });
  };
  const name = o.pool.name;
  if (!sent)
    return result(
      ctx.run.result(),
      status
        ? `No session host update of ${name} is in progress (the last one is ` +
            `${status.status}); nothing to cancel.`
        : `${name} has had no session host update; nothing to cancel.`,
    );
  if (canceled)
    return result(
      'Cancelled',
      `Azure's session host update of ${name} is Canceled (${describeProgress(status!, false)}).`,
    );
  if (status && !isActive(status))
    return result(
      'Failed',
      `Azure's session host update of ${name} ended ${status.status} before the cancel took ` +
        'effect.',
    );
  return result(
    'Failed',
    `Azure's session host update of ${name} is still ${status?.status ?? 'in progress'} after ` +
      'the cancel was sent; run action: abort again to follow it.',
  );
}
