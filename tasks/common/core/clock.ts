/**
 * Time as the core sees it: the one abortable sleep, and a clock that polls and retries take so
 * that tests drive time instead of waiting for it.
 */
import { CancelledError } from './errors';

export interface Clock {
  now(): number;
  /**
   * Resolves after `ms`, or rejects at once when the signal aborts (with its reason, or
   * CancelledError).
   */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Waits `ms`; an abort rejects at once and the abort listener is removed either way. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = () => (signal.reason instanceof Error ? signal.reason : new CancelledError());
    if (signal.aborted) return reject(cancelled());
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const systemClock: Clock = { now: () => Date.now(), sleep };
