/**
 * UpdateHostPool's state in Azure: tags on the host pool and on session host VMs. A rollout keeps
 * no state on the agent, so any run (a rerun after a kill, the next stage's run) reads where the
 * last one stopped from these tags. A tag has no ETag: a write is read back, never compare-and-set.
 */

/** Pool tag: the lease, JSON of {@link Lease}. */
export const LEASE_TAG = 'gip.rollout';
/** Pool tag: the highest host index ever used, so a removed host's name is never reused. */
export const HOST_INDEX_TAG = 'gip.hostIndex';
/** Pool tag `created` while the pool's registration token is one the task made (deleted at end). */
export const TOKEN_TAG = 'gip.rollout.token';
export const TOKEN_CREATED = 'created';

/** New VM tag: the image version id it was made for. */
export const TARGET_TAG = 'gip.rollout.target';
/** New VM tag: the run URL that made it. */
export const RUN_TAG = 'gip.rollout.run';
/**
 * New VM tag: the VM name of the old host it replaces, so a resumed run knows which new VMs are
 * still paired with an old host that is not yet removed (the pool's size never grows or shrinks).
 */
export const REPLACES_TAG = 'gip.rollout.replaces';

/** Old VM tag: ISO time its drain started (never drained twice; timeouts resume from it). */
export const DRAINED_TAG = 'gip.rollout.drained';
/** Old VM tag when kept deallocated: `<ISO time> <image version it ran>`. */
export const RETIRED_TAG = 'gip.rollout.retired';
/** Value of the scaling plan's exclusion tag on a drained host (the tag's name is the plan's). */
export const EXCLUSION_TAG_VALUE = 'gip.rollout';

/** The lease on a pool: who rolls it, onto what, until when. */
export interface Lease {
  /** The pipeline run's URL (build results or release). */
  run: string;
  /** System.JobId: a rerun of the same job takes its own lease back. */
  job: string;
  /** System.JobAttempt. */
  attempt: number;
  /** The target image version id. */
  target: string;
  /** ISO time after which another run may take the lease over. */
  expires: string;
}

export function formatLease(lease: Lease): string {
  return JSON.stringify({
    run: lease.run,
    job: lease.job,
    attempt: lease.attempt,
    target: lease.target,
    expires: lease.expires,
  });
}

/** The lease in a pool tag's value; undefined when absent or not a lease this task wrote. */
export function parseLease(value: string | undefined): Lease | undefined {
  if (!value) return undefined;
  try {
    const v = JSON.parse(value) as Partial<Lease>;
    if (
      typeof v.run === 'string' &&
      typeof v.job === 'string' &&
      typeof v.attempt === 'number' &&
      typeof v.target === 'string' &&
      typeof v.expires === 'string'
    )
      return { run: v.run, job: v.job, attempt: v.attempt, target: v.target, expires: v.expires };
  } catch {
    // Not JSON: someone else's value under our name; treated as no lease of ours.
  }
  return undefined;
}

export function formatRetired(time: Date, imageVersionId: string): string {
  return `${time.toISOString()} ${imageVersionId}`;
}

export function parseRetired(
  value: string | undefined,
): { time: Date; imageVersionId: string } | undefined {
  const m = value ? /^(\S+) (.+)$/.exec(value.trim()) : null;
  if (!m || Number.isNaN(Date.parse(m[1]))) return undefined;
  return { time: new Date(m[1]), imageVersionId: m[2] };
}

/** The host index in a pool tag's value; 0 when absent or malformed. */
export function parseHostIndex(value: string | undefined): number {
  return value && /^\d+$/.test(value.trim()) ? Number(value.trim()) : 0;
}
