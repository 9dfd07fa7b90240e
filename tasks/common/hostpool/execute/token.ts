/**
 * The registration token new session hosts join the pool with. The pool's own token is reused when
 * it has at least two hours left; otherwise a new one is made for the rollout's expected length
 * plus a margin, within the one hour to 30 days AVD accepts. The token is masked the moment it is
 * read and is never printed or tagged; pool tag `gip.rollout.token=created` remembers that the
 * task made it, so the run that ends the rollout (this one or a later one) deletes it.
 */
import { formatDuration } from '../../core/duration';
import { TOKEN_CREATED, TOKEN_TAG } from '../tags';
import { ExecContext, mergeTags, readPoolTags, updatePoolTags } from './context';
import type { PoolCleanup } from './lease';

const HOUR = 3_600_000;
/** A pool token with at least this much left is reused. */
export const REUSE_MIN_MS = 2 * HOUR;
/** Added to the expected length of the rollout. */
const MARGIN_MS = HOUR;
/** AVD's bounds for a new token's lifetime, kept a few minutes inside so the request is valid. */
const MIN_MS = HOUR + 5 * 60_000;
const MAX_MS = 30 * 24 * HOUR - 5 * 60_000;

export interface EnsureTokenOptions {
  ctx: ExecContext;
  /** How long the rollout is expected to take (the new token's lifetime is this + a margin). */
  expectedMs: number;
}

export interface EnsureTokenResult {
  /** The token: already masked (Logger.secret); never print it. */
  token: string;
  expiresOn: Date;
  /** True when this call made a new token (and tagged the pool `gip.rollout.token=created`). */
  created: boolean;
}

/** A new token's lifetime: expected + margin, within AVD's one hour to 30 days. */
export function tokenLifetimeMs(expectedMs: number): number {
  return Math.min(MAX_MS, Math.max(MIN_MS, expectedMs + MARGIN_MS));
}

/** A registration token with time enough for the rollout. */
export async function ensureToken(o: EnsureTokenOptions): Promise<EnsureTokenResult> {
  const { ctx } = o;
  const { resourceGroup, name } = ctx.pool;
  const current = await ctx.avd.hostPools.retrieveRegistrationToken(resourceGroup, name, {
    abortSignal: ctx.signal,
  });
  if (current.token) ctx.run.log.secret(current.token);
  const left = current.expirationTime ? current.expirationTime.getTime() - ctx.clock.now() : 0;
  if (current.token && current.expirationTime && left >= REUSE_MIN_MS) {
    ctx.run.log.info(
      `Registration token: the pool's own, valid for ${formatDuration(left)} more ` +
        `(until ${current.expirationTime.toISOString()}).`,
    );
    return { token: current.token, expiresOn: current.expirationTime, created: false };
  }
  const lifetime = tokenLifetimeMs(o.expectedMs);
  const expiresOn = new Date(ctx.clock.now() + lifetime);
  // One PATCH: the token and the tag saying the task made it, so no kill can leave one without
  // the other.
  const tags = mergeTags(await readPoolTags(ctx), { [TOKEN_TAG]: TOKEN_CREATED });
  await ctx.avd.hostPools.update(resourceGroup, name, {
    hostPool: {
      ...(tags ? { tags } : {}),
      registrationInfo: { expirationTime: expiresOn, registrationTokenOperation: 'Update' },
    },
    abortSignal: ctx.signal,
  });
  const made = await ctx.avd.hostPools.retrieveRegistrationToken(resourceGroup, name, {
    abortSignal: ctx.signal,
  });
  if (!made.token)
    throw new Error(
      `Host pool ${name}: a registration token was requested until ` +
        `${expiresOn.toISOString()}, but the pool returned none.`,
    );
  ctx.run.log.secret(made.token);
  ctx.run.log.info(
    `Registration token: ${
      current.token ? `the pool's had ${formatDuration(Math.max(0, left))} left; ` : ''
    }made a new one valid for ${formatDuration(lifetime)} (until ${expiresOn.toISOString()}); ` +
      'it is deleted when the rollout ends.',
  );
  return { token: made.token, expiresOn: made.expirationTime ?? expiresOn, created: true };
}

export interface DeleteCreatedTokenOptions {
  ctx: ExecContext;
}

/**
 * The deletion of a token the task made (pool tag `gip.rollout.token=created`) and of its tag, as
 * changes to the pool's PATCH (the lease's release makes it); undefined when the task made none.
 */
export const createdTokenCleanup: PoolCleanup = (tags) =>
  tags[TOKEN_TAG] === TOKEN_CREATED
    ? {
        tags: { [TOKEN_TAG]: undefined },
        patch: { registrationInfo: { registrationTokenOperation: 'Delete' } },
      }
    : undefined;

/** Deletes the pool's token if the task made it, and its tag. Returns whether it did. */
export async function deleteCreatedToken(o: DeleteCreatedTokenOptions): Promise<boolean> {
  const { ctx } = o;
  const tags = await readPoolTags(ctx);
  const cleanup = createdTokenCleanup(tags);
  if (!cleanup) return false;
  await updatePoolTags(ctx, cleanup.tags, { current: tags, also: cleanup.patch });
  ctx.run.log.info('Deleted the registration token this rollout made.');
  return true;
}
