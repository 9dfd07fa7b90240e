// Faults from the scenario: a matching request is delayed, dropped (socket destroyed) or answered
// with an error status; each fault hits `times` requests (default 1) after letting `skip` through.
// Faults of `service: 'blob'` apply to Azurite alone, the others never to it.
import type { Fault } from '../types';

export interface FaultHit {
  delayMs: number;
  drop: boolean;
  /** Carry the request out, then destroy the connection instead of answering. */
  dropAfter: boolean;
  status?: number;
  retryAfter?: number;
}

export class FaultInjector {
  private readonly faults: Array<{
    fault: Fault;
    re: RegExp;
    skip: number;
    remaining: number;
    hits: number;
  }>;

  constructor(faults: Fault[] = []) {
    this.faults = faults.map((fault) => ({
      fault,
      re: new RegExp(fault.path, 'i'),
      skip: fault.skip ?? 0,
      remaining: fault.times ?? 1,
      hits: 0,
    }));
  }

  /** Requests each fault hit so far, in the scenario's order. */
  hits(): number[] {
    return this.faults.map((f) => f.hits);
  }

  /** The fault a request meets, consuming one of its hits; undefined when none applies. */
  match(method: string, pathAndQuery: string, service?: 'blob'): FaultHit | undefined {
    for (const f of this.faults) {
      if (f.remaining <= 0) continue;
      if (f.fault.service !== service) continue;
      if (f.fault.method && f.fault.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!f.re.test(pathAndQuery)) continue;
      if (f.skip > 0) {
        f.skip--;
        continue;
      }
      f.remaining--;
      f.hits++;
      const hasEffect = f.fault.drop || f.fault.dropAfter || f.fault.status !== undefined;
      return {
        delayMs: f.fault.delayMs ?? 0,
        drop: !!f.fault.drop,
        dropAfter: !!f.fault.dropAfter,
        // A fault with neither status, drop nor delay answers 500.
        status: f.fault.status ?? (hasEffect || f.fault.delayMs ? undefined : 500),
        retryAfter: f.fault.retryAfter,
      };
    }
    return undefined;
  }
}
