/**
 * controlSessionHostUpdate: Resume and Retry for a rerun, Cancel for `action: abort` and for a
 * cancelled pipeline. A cancel names the run in the message users get, then waits (bounded) until
 * Azure says the update is Canceled.
 */
import { errorMessage } from '../../core/errors';
import { PipelineInfo } from '../../core/pipelineInfo';
import { poll } from '../../core/poll';
import { AutomatedContext, AVD_PREVIEW_API, ControlAction, managementPath } from './api';
import { readUpdateStatus, UpdateStatus } from './api';
import { MAX_LOG_OFF_MESSAGE } from './settings';
import { describeProgress, isActive, phaseOf } from './status';

/** A control request (HostPoolUpdateControlParameter). */
export interface ControlRequest {
  action: ControlAction;
  /** Only with Cancel: sent to the users of hosts being updated (up to 260 characters). */
  cancelMessage?: string;
}

/** Sends one control action and waits until Azure has taken it (a long-running POST). */
export async function controlUpdate(ctx: AutomatedContext, request: ControlRequest): Promise<void> {
  await ctx.arm.post(
    `${managementPath(ctx.pool.id)}/controlSessionHostUpdate`,
    AVD_PREVIEW_API,
    request,
    ctx.signal,
  );
}

/** The cancel message: which pipeline run cancelled the update, and where to see it. */
export function cancelMessageOf(p: PipelineInfo, why: 'abort' | 'cancel'): string {
  const who = `${p.definitionName || 'pipeline'} run ${p.buildNumber || p.buildId}`;
  const text =
    why === 'abort'
      ? `Host pool update cancelled by ${who} (action: abort): ${p.runUrl}`
      : `Host pool update cancelled: ${who} was cancelled: ${p.runUrl}`;
  return text.length <= MAX_LOG_OFF_MESSAGE ? text : `${text.slice(0, MAX_LOG_OFF_MESSAGE - 1)}…`;
}

/** Options of {@link cancelUpdate}. */
export interface CancelUpdateOptions {
  /** Its signal bounds the whole cancel: the request and the wait. */
  ctx: AutomatedContext;
  cancelMessage: string;
  /** The wait for Canceled ends here at the latest (the signal may end it sooner). */
  timeoutMs: number;
}

/** Result of {@link cancelUpdate}. */
export interface CancelUpdateResult {
  /** Whether Cancel was sent (false: no update was in progress). */
  sent: boolean;
  /** Whether Azure said Canceled in time. */
  canceled: boolean;
  /** The update's last status read (undefined when none could be read). */
  status?: UpdateStatus;
}

/**
 * Sends Cancel and follows the update until it is over (Canceled, or it ended otherwise first) or
 * the time is up. Nothing in progress: nothing is sent.
 */
export async function cancelUpdate(o: CancelUpdateOptions): Promise<CancelUpdateResult> {
  const { ctx } = o;
  let status: UpdateStatus | undefined;
  let sent = false;
  try {
    status = await readUpdateStatus(ctx);
    if (!isActive(status)) return { sent, canceled: false, status };
    ctx.run.log.info(
      `Cancelling Azure's session host update of ${ctx.pool.name} ` +
        `(${describeProgress(status!)}).`,
    );
    sent = true;
    await controlUpdate(ctx, { action: 'Cancel', cancelMessage: o.cancelMessage });
    const waited = await poll({
      read: () => readUpdateStatus(ctx),
      done: (s) => !isActive(s),
      intervalMs: ctx.pollIntervalMs,
      timeoutMs: o.timeoutMs,
      signal: ctx.signal,
      clock: ctx.clock,
    });
    status = waited.value ?? status;
  } catch (err) {
    // The time ran out, or Azure refused (the update ended meanwhile): said, not thrown.
    ctx.run.log.warn(`Cancelling the session host update: ${errorMessage(err).split('\n')[0]}`);
  }
  return { sent, canceled: phaseOf(status?.status) === 'canceled', status };
}
