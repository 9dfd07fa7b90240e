/**
 * Follows the pool's update to a status that does not change by itself: one status read per poll
 * (`pollInterval`), its progress (hosts done / in progress / total, percent) printed when it
 * changes and shown as the task's progress.
 */
import { poll } from '../../core/poll';
import { AutomatedContext, readUpdateStatus, UpdateStatus } from './api';
import { describeProgress, isKnownStatus, isSettled } from './status';

/** Options of {@link followUpdate}. */
export interface FollowUpdateOptions {
  ctx: AutomatedContext;
  /**
   * The status read before this run started an update: while Azure still shows that one (the
   * same operation, over), the new update has not begun.
   */
  previous?: UpdateStatus;
}

/** The update's settled status: Succeeded, Failed, Canceled, Paused or Error. */
export async function followUpdate(o: FollowUpdateOptions): Promise<UpdateStatus> {
  const { ctx } = o;
  let said = '';
  const { value } = await poll<UpdateStatus | undefined>({
    read: async () => {
      const status = await readUpdateStatus(ctx);
      if (status && !sameOperation(status, o.previous)) {
        const text = describeProgress(status);
        if (text !== said) {
          said = text;
          ctx.run.log.info(
            isKnownStatus(status.status)
              ? `Session host update: ${text}`
              : `Session host update: ${text} (a status this task does not know; it waits on)`,
          );
          ctx.run.log.progress(Math.round(status.percentComplete ?? 0), status.status);
        }
      }
      return status;
    },
    done: (s) => !!s && !sameOperation(s, o.previous) && isSettled(s),
    intervalMs: ctx.pollIntervalMs,
    signal: ctx.signal,
    clock: ctx.clock,
  });
  return value!;
}

/**
 * The update read before this run started one, still shown: settled, with the same operation name
 * and times (a status that names none of them cannot be told apart, and is taken as new).
 */
function sameOperation(s: UpdateStatus, previous: UpdateStatus | undefined): boolean {
  const key = (u: UpdateStatus) => [u.name, u.startTime, u.endTime];
  return (
    !!previous &&
    isSettled(s) &&
    key(previous).some((k) => k !== undefined) &&
    key(s).every((k, i) => k === key(previous)[i])
  );
}
