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
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
