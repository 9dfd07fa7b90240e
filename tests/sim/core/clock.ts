// Simulated time: durations are given in real-Azure terms and scaled by the scenario's timeScale.

export class SimClock {
  constructor(readonly timeScale: number) {}

  /** Real milliseconds for a nominal (Azure-like) duration. */
  scaled(nominalMs: number): number {
    return Math.max(0, Math.round(nominalMs * this.timeScale));
  }

  /** Retry-After header value (whole seconds, as ARM sends) for a nominal interval. */
  retryAfterSeconds(nominalSeconds: number): number {
    return Math.max(0, Math.round(nominalSeconds * this.timeScale));
  }

  /** Waits a nominal duration (scaled). Rejects with the signal's reason when aborted. */
  sleep(nominalMs: number, signal?: AbortSignal): Promise<void> {
    return sleepReal(this.scaled(nominalMs), signal);
  }
}

export function sleepReal(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(abortReason(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Why a signal aborted, as an Error: the simulator aborts with its own errors (ArmError,
 * BuildStop), a bare abort() with a DOMException (an Error too).
 */
export function abortReason(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}
