// Faults from the scenario: a matching request is delayed, dropped (socket destroyed) or answered
// with an error status; each fault hits `times` requests (default 1).
import type { Fault } from '../types';

export interface FaultHit {
  delayMs: number;
  drop: boolean;
  status?: number;
  retryAfter?: number;
}

export class FaultInjector {
  private readonly faults: Array<{ fault: Fault; re: RegExp; remaining: number }>;

  constructor(faults: Fault[] = []) {
    this.faults = faults.map((fault) => ({
      fault,
      re: new RegExp(fault.path, 'i'),
      remaining: fault.times ?? 1,
    }));
  }

  /** The fault a request meets, consuming one of its hits; undefined when none applies. */
  match(method: string, pathAndQuery: string): FaultHit | undefined {
    for (const f of this.faults) {
      if (f.remaining <= 0) continue;
      if (f.fault.method && f.fault.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!f.re.test(pathAndQuery)) continue;
      f.remaining--;
      const hasEffect = f.fault.drop || f.fault.status !== undefined;
      return {
        delayMs: f.fault.delayMs ?? 0,
        drop: !!f.fault.drop,
        // A fault with neither status, drop nor delay answers 500.
        status: f.fault.status ?? (hasEffect || f.fault.delayMs ? undefined : 500),
        retryAfter: f.fault.retryAfter,
      };
    }
    return undefined;
  }
}
