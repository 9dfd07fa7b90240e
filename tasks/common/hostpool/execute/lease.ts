/**
 * The lease on a pool: pool tag `gip.rollout` naming the run, job, attempt and target, and when it
 * expires. One rollout at a time: another run is refused naming the holder; a rerun of the same
 * job (same run URL and job id) takes its own lease back; an expired lease may be taken over.
 *
 * Not atomic: a tag has no ETag, so two runs reading the pool at the same moment could both write.
 * Each write is read back, so the one whose write was overwritten learns it and stops; the window
 * left is the time between one run's read-back and the other's write (a second or two).
 */
import { formatDuration } from '../../core/duration';
import { formatLease, Lease, LEASE_TAG, parseLease } from '../tags';
import type { HostPoolPatch } from '@azure/arm-desktopvirtualization';
import { ExecContext, readPoolTags, Tags, updatePoolTags } from './context';

/** Who takes a lease. */
export interface LeaseHolder {
  /** The run's URL (build results or release). */
  run: string;
  /** System.JobId. */
  job: string;
  /** System.JobAttempt. */
  attempt: number;
  /** The target image version id. */
  target: string;
}

export interface TakeLeaseOptions {
  ctx: ExecContext;
  holder: LeaseHolder;
  /** How long the lease holds without renewal (renewed while running, see HeldLease). */
  ttlMs: number;
  /** More pool tags written with the lease (gip.hostIndex), in the same request. */
  alsoTags?: Record<string, string>;
  /**
   * Called when the lease's write was sent but taking it did not finish (a cancel or an error
   * between the PATCH and its read-back): the lease may be on the pool, so the caller releases it
   * as it would at the run's end; the error is thrown after.
   */
  releaseInterrupted?: (lease: HeldLease) => Promise<void>;
}

export interface TakeLeaseResult {
  lease: HeldLease;
  /** The lease found on the pool and replaced: this job's earlier attempt, or an expired one. */
  replaced?: Lease;
}

/** Another run holds the pool's lease. */
export class LeaseRefusedError extends Error {
  constructor(
    readonly holder: Lease | undefined,
    detail: string,
  ) {
    super(detail);
    this.name = 'LeaseRefusedError';
  }
}

/**
 * More changes for the release's PATCH, decided on the pool's tags as read: tag changes and other
 * pool properties (registrationInfo).
 */
export type PoolCleanup = (
  tags: Tags,
) => { tags: Record<string, string | undefined>; patch?: Omit<HostPoolPatch, 'tags'> } | undefined;

const sameJob = (a: { run: string; job: string }, b: { run: string; job: string }) =>
  a.run === b.run && a.job === b.job;

function describeHolder(lease: Lease): string {
  return (
    `run ${lease.run} (job ${lease.job}, attempt ${lease.attempt}) rolling onto ` +
    `${lease.target}, until ${lease.expires}`
  );
}

export interface AssertLeaseFreeOptions {
  /** The pool's name, for the message. */
  pool: string;
  /** The pool's tags as read. */
  tags: Tags;
  holder: Pick<LeaseHolder, 'run' | 'job'>;
  /** Epoch ms. */
  now: number;
}

/**
 * Throws LeaseRefusedError naming the holder when another run holds the pool's lease (or the tag
 * holds something this task did not write); returns the lease found, if any. No request: the
 * dispatcher checks the pool it read before planning, takeLease checks again before writing.
 */
export function assertLeaseFree(o: AssertLeaseFreeOptions): Lease | undefined {
  const raw = o.tags[LEASE_TAG];
  const found = parseLease(raw);
  if (raw && !found)
    throw new LeaseRefusedError(
      undefined,
      `Host pool ${o.pool}: its tag ${LEASE_TAG} holds '${raw}', which is not a lease this ` +
        'task wrote. If no rollout is running on this pool, remove the tag and run again.',
    );
  if (found && !sameJob(found, o.holder) && Date.parse(found.expires) > o.now)
    throw new LeaseRefusedError(
      found,
      `Host pool ${o.pool} is being rolled out by another run: ${describeHolder(found)}. ` +
        'Wait for it to finish, or stop it with action: abort from that pipeline.',
    );
  return found;
}

/** Takes the pool's lease, or throws LeaseRefusedError naming who holds it. */
export async function takeLease(o: TakeLeaseOptions): Promise<TakeLeaseResult> {
  const { ctx, holder } = o;
  const tags = await readPoolTags(ctx);
  const found = assertLeaseFree({ pool: ctx.pool.name, tags, holder, now: ctx.clock.now() });
  const lease = new HeldLease(ctx, holder, o.ttlMs);
  try {
    await lease.write(
      found && !sameJob(found, holder) ? 'took over an expired lease' : 'took the lease',
      { current: tags, alsoTags: o.alsoTags },
    );
  } catch (err) {
    // Refused on read-back: the lease on the pool is another run's, not ours to remove.
    if (!(err instanceof LeaseRefusedError)) await o.releaseInterrupted?.(lease);
    throw err;
  }
  if (found && !sameJob(found, holder))
    ctx.run.log.warn(`The expired lease of ${describeHolder(found)} was taken over.`);
  else if (found) ctx.run.log.info(`Took back this job's own lease (attempt ${found.attempt}).`);
  return { lease, replaced: found };
}

/** A lease this run holds: renewed while the rollout runs, released at its end. */
export class HeldLease {
  private current: Lease;

  constructor(
    private readonly ctx: ExecContext,
    private readonly holder: LeaseHolder,
    private readonly ttlMs: number,
  ) {
    this.current = this.fresh();
  }

  /** The lease as last written. */
  get value(): Lease {
    return this.current;
  }

  /**
   * Renews the lease when less than half its time is left (cheap to call from any poll). A lease
   * that is no longer this run's (removed by `action: abort`, or taken over) stops the run.
   */
  async renewIfDue(): Promise<void> {
    if (Date.parse(this.current.expires) - this.ctx.clock.now() >= this.ttlMs / 2) return;
    const tags = await readPoolTags(this.ctx);
    const found = parseLease(tags[LEASE_TAG]);
    if (!found || !sameJob(found, this.holder))
      throw new LeaseRefusedError(
        found,
        `Host pool ${this.ctx.pool.name}: this run's lease ${
          found ? `was taken over by ${describeHolder(found)}` : 'was removed (action: abort?)'
        }; the rollout stops here.`,
      );
    await this.write('renewed the lease', { current: tags });
  }

  /**
   * Removes the lease tag if it is still this run's. `ctx` overrides the signal (a cancelled run
   * releases with a short signal of its own). `also` adds changes to the same PATCH (the created
   * token's deletion, see tokenCleanup).
   */
  async release(ctx: ExecContext = this.ctx, also?: PoolCleanup): Promise<void> {
    const tags = await readPoolTags(ctx);
    const found = parseLease(tags[LEASE_TAG]);
    const ours = !found || sameJob(found, this.holder);
    if (!ours)
      ctx.run.log.warn(
        `The pool's lease is now held by ${describeHolder(found)}; it is left as it is.`,
      );
    const cleanup = also?.(tags);
    await updatePoolTags(
      ctx,
      { ...cleanup?.tags, ...(found && ours ? { [LEASE_TAG]: undefined } : {}) },
      { current: tags, also: cleanup?.patch },
    );
    if (ours) ctx.run.log.info('Released the lease on the pool.');
  }

  /** Writes the lease with a new expiry (and `o.alsoTags`) and reads it back. */
  async write(what: string, o: { current?: Tags; alsoTags?: Tags } = {}): Promise<void> {
    const lease = this.fresh();
    await updatePoolTags(
      this.ctx,
      { ...o.alsoTags, [LEASE_TAG]: formatLease(lease) },
      { current: o.current },
    );
    const back = parseLease((await readPoolTags(this.ctx))[LEASE_TAG]);
    if (!back || formatLease(back) !== formatLease(lease))
      throw new LeaseRefusedError(
        back,
        `Host pool ${this.ctx.pool.name}: the lease written was replaced at once by ` +
          `${back ? describeHolder(back) : 'another value'}: another rollout started at the ` +
          'same moment. This run stops; run it again when that one is done.',
      );
    this.current = lease;
    this.ctx.run.log.debug(
      `${what}: ${LEASE_TAG} until ${lease.expires} (${formatDuration(this.ttlMs)}).`,
    );
  }

  private fresh(): Lease {
    return {
      ...this.holder,
      expires: new Date(this.ctx.clock.now() + this.ttlMs).toISOString(),
    };
  }
}
