/**
 * Time as the core sees it: the one abortable sleep, and a clock that polls and retries take so
 * that tests drive time instead of waiting for it.
 */
import { abortReason } from './errors';

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
    if (signal.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const systemClock: Clock = { now: () => Date.now(), sleep };
