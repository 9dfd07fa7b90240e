/**
 * The one poll loop: read, decide, wait (the service's Retry-After when it gives one, else the
 * interval, growing by `backoff` up to `maxIntervalMs`), until done, the timeout or an abort; and
 * the one retry loop for an error that goes away by itself (a role or principal still replicating).
 */
import { Clock, systemClock } from './clock';

export interface PollOptions<T> {
  /**
   * One look at what is waited for. `retryAfter` passes on a wait (seconds) the service asked for.
   */
  read(poll: {
    attempt: number;
    elapsedMs: number;
    retryAfter: (seconds: number) => void;
  }): Promise<T>;
  /** Whether the value read is the end of the wait. */
  done(value: T, elapsedMs: number): boolean;
  intervalMs: number;
  /** Each wait is the previous one times this (default 1: a fixed interval)... */
  backoff?: number;
  /** ...up to this. */
  maxIntervalMs?: number;
  /**
   * No timeout when unset. The last wait is cut to end at the deadline, which gets one last read.
   */
  timeoutMs?: number;
  signal: AbortSignal;
  clock?: Clock;
}

export interface PollResult<T> {
  /** The last value read. */
  value: T;
  /** False when the timeout came first. */
  done: boolean;
  elapsedMs: number;
}

export async function poll<T>(o: PollOptions<T>): Promise<PollResult<T>> {
  const clock = o.clock ?? systemClock;
  const started = clock.now();
  let interval = o.intervalMs;
  for (let attempt = 1; ; attempt++) {
    let retryAfterMs = 0;
    const value = await o.read({
      attempt,
      elapsedMs: clock.now() - started,
      retryAfter: (s) => {
        retryAfterMs = s * 1000;
      },
    });
    const elapsedMs = clock.now() - started;
    if (o.done(value, elapsedMs)) return { value, done: true, elapsedMs };
    const left = o.timeoutMs === undefined ? Infinity : o.timeoutMs - elapsedMs;
    if (left <= 0) return { value, done: false, elapsedMs };
    await clock.sleep(Math.min(retryAfterMs > 0 ? retryAfterMs : interval, left), o.signal);
    interval = Math.min(interval * (o.backoff ?? 1), o.maxIntervalMs ?? Infinity);
  }
}

export interface RetryOptions<T> {
  run(attempt: number): Promise<T>;
  /** Whether this error may go away by itself; any other is thrown at once. */
  retryable(err: unknown): boolean;
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before attempt n + 1. */
  delayMs(attempt: number): number;
  /** Told before each wait (to say why the task waits). */
  onRetry?(err: unknown, attempt: number, delayMs: number): void;
  signal: AbortSignal;
  clock?: Clock;
}

export async function retry<T>(o: RetryOptions<T>): Promise<T> {
  const clock = o.clock ?? systemClock;
  for (let attempt = 1; ; attempt++) {
    try {
      return await o.run(attempt);
    } catch (err) {
      if (attempt >= o.attempts || o.signal.aborted || !o.retryable(err)) throw err;
      const delay = o.delayMs(attempt);
      o.onRetry?.(err, attempt, delay);
      await clock.sleep(delay, o.signal);
    }
  }
}
