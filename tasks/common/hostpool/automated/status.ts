/**
 * What an update's status means to the task, from the spec's list: Scheduled,
 * ValidatingSessionHostUpdate, UpdatingSessionHosts, Pausing and Cancelling go on by themselves;
 * Succeeded ends the task; Failed and Canceled are over and fail it with Azure's error; Error
 * (retryable) and Paused (resumable) never end by themselves and fail it naming the way out.
 */
import { UpdateProgress, UpdateStatus } from './api';

/**
 * - `running`: Azure goes on by itself (an unknown status too: the spec says its list is the
 *   current one).
 * - `succeeded`, `failed`, `canceled`: the update is over.
 * - `paused`: waits for Resume (or Cancel).
 * - `error`: waits for Retry (or Cancel).
 */
export type UpdatePhase = 'running' | 'succeeded' | 'failed' | 'canceled' | 'paused' | 'error';

const PHASES: Record<string, UpdatePhase> = {
  scheduled: 'running',
  validatingsessionhostupdate: 'running',
  updatingsessionhosts: 'running',
  pausing: 'running',
  cancelling: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  canceled: 'canceled',
  paused: 'paused',
  error: 'error',
};

export function phaseOf(status: string | undefined): UpdatePhase {
  return PHASES[(status ?? '').toLowerCase()] ?? 'running';
}

/** Whether the status is one of the spec's (an unknown one is followed, and said once). */
export function isKnownStatus(status: string | undefined): boolean {
  return (status ?? '').toLowerCase() in PHASES;
}

/** An update not over yet: it goes on, or waits for Resume or Retry. */
export function isActive(status: UpdateStatus | undefined): boolean {
  const phase = phaseOf(status?.status);
  return !!status && (phase === 'running' || phase === 'paused' || phase === 'error');
}

/** Whether following stops at this status (everything but `running`). */
export function isSettled(status: UpdateStatus): boolean {
  return phaseOf(status.status) !== 'running';
}

/**
 * `UpdatingSessionHosts: 1 of 3 hosts done, 1 in progress (33%)`; without the percent for the
 * task's result message (logging commands escape `%`).
 */
export function describeProgress(s: UpdateStatus, percent = true): string {
  const p: UpdateProgress = s.properties?.progress ?? {};
  const parts: string[] = [];
  if (p.totalSessionHosts !== undefined)
    parts.push(`${p.sessionHostsCompleted ?? 0} of ${p.totalSessionHosts} hosts done`);
  if (p.sessionHostsInProgress) parts.push(`${p.sessionHostsInProgress} in progress`);
  if (p.sessionHostsRollbackFailed)
    parts.push(`${p.sessionHostsRollbackFailed} failed to roll back`);
  const share =
    percent && s.percentComplete !== undefined ? ` (${Math.round(s.percentComplete)}%)` : '';
  return `${s.status}${parts.length ? `: ${parts.join(', ')}` : ''}${share}`;
}

/** Azure's error of the update, `Code: message` and its details; undefined when it gives none. */
export function updateError(s: UpdateStatus): string | undefined {
  const e = s.error;
  if (!e?.message && !e?.code) return undefined;
  const detail = e.details?.map((d) => d.message).filter(Boolean) ?? [];
  return [`${e.code ? `${e.code}: ` : ''}${e.message ?? ''}`.trim(), ...detail].join(' ');
}

/**
 * Why the task fails at a settled status other than Succeeded, with the way out; undefined for
 * Succeeded.
 */
export function settledFailure(s: UpdateStatus, pool: string): string | undefined {
  const error = updateError(s) ?? 'Azure gave no error';
  switch (phaseOf(s.status)) {
    case 'succeeded':
    case 'running':
      return undefined;
    case 'paused':
      return (
        `Azure's session host update of ${pool} is Paused (${describeProgress(s, false)}); ` +
        'it does not go on by itself. Run the task again with action: rollout to resume it, or ' +
        'action: abort to cancel it.'
      );
    case 'error':
      return (
        `Azure's session host update of ${pool} stopped in Error: ${error}. Run the ` +
        'task again with action: rollout to retry it, or action: abort to cancel it.'
      );
    case 'canceled':
      return `Azure's session host update of ${pool} was Canceled${
        updateError(s) ? `: ${updateError(s)}` : ''
      }.`;
    case 'failed':
      return (
        `Azure's session host update of ${pool} Failed: ${error}. Run the task again ` +
        'with action: rollout to start a new update.'
      );
  }
}
