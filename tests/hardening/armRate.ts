/**
 * Resource Manager's request rate, read from the simulator's request journal (each request's
 * arrival time), against Azure's documented limits, and how throttled requests were retried.
 *
 * Limits: "Understand how Azure Resource Manager throttles requests"
 * (learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling):
 * since 2024 a token bucket per subscription, per service principal, per operation type and per
 * region: reads 250 (refill 25/s), writes 200 (refill 10/s), deletes 200 (refill 10/s). Every run
 * of a test uses one principal and one subscription, so they all draw from the same buckets.
 */
import type { RecordedRequest } from '../sim';

export type OperationType = 'reads' | 'writes' | 'deletes';

export const ARM_LIMITS: Record<OperationType, { bucket: number; refillPerSecond: number }> = {
  reads: { bucket: 250, refillPerSecond: 25 },
  writes: { bucket: 200, refillPerSecond: 10 },
  deletes: { bucket: 200, refillPerSecond: 10 },
};

export const operationType = (method: string): OperationType =>
  method === 'GET' || method === 'HEAD' ? 'reads' : method === 'DELETE' ? 'deletes' : 'writes';

export interface Rate {
  requests: number;
  durationS: number;
  meanPerS: number;
  /** Most requests in any one-second window. */
  peakPerS: number;
  /** Per operation type: count, peak in a second, the lowest the token bucket went. */
  byType: Record<OperationType, { requests: number; peakPerS: number; lowestTokens: number }>;
}

/** The rate of `requests` (all with `at`), and each operation type's token bucket played out. */
export function rateOf(requests: RecordedRequest[]): Rate {
  const timed = requests.filter((q) => q.at !== undefined);
  const times = timed.map((q) => q.at!);
  const durationS = times.length ? (Math.max(...times) - Math.min(...times)) / 1000 : 0;
  const byType = {} as Rate['byType'];
  for (const type of Object.keys(ARM_LIMITS) as OperationType[]) {
    const at = timed.filter((q) => operationType(q.method) === type).map((q) => q.at!);
    byType[type] = { requests: at.length, peakPerS: peak(at), lowestTokens: bucket(type, at) };
  }
  return {
    requests: timed.length,
    durationS,
    meanPerS: durationS ? timed.length / durationS : timed.length,
    peakPerS: peak(times),
    byType,
  };
}

function peak(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** Plays the token bucket of `type` over arrival times; the fewest tokens it held (< 0: 429). */
function bucket(type: OperationType, times: number[]): number {
  const { bucket: size, refillPerSecond } = ARM_LIMITS[type];
  let tokens = size;
  let lowest = size;
  let last = times.length ? Math.min(...times) : 0;
  for (const t of [...times].sort((a, b) => a - b)) {
    tokens = Math.min(size, tokens + ((t - last) / 1000) * refillPerSecond) - 1;
    last = t;
    lowest = Math.min(lowest, tokens);
  }
  return lowest;
}

export interface Retries {
  /** Requests answered 429. */
  throttled: number;
  /**
   * For each 429, how often that request was sent again: the later requests with its client
   * request id (the SDK keeps it across retries), up to one throttled again.
   */
  retriesPer429: number[];
  /** The same request sent again before Retry-After had passed (not honoured). */
  early: number;
  /** The shortest time between a 429 and the same request sent again. */
  shortestGapMs: number;
}

/** How 429s answered with `Retry-After: retryAfterS` were retried. */
export function retriesOf(requests: RecordedRequest[], retryAfterS: number): Retries {
  const retriesPer429: number[] = [];
  let early = 0;
  let shortestGapMs = Infinity;
  requests.forEach((q, i) => {
    if (q.status !== 429) return;
    // Its retries: the later requests with its client request id, up to one throttled again
    // (which counts as a 429 of its own). Another request to the same URL has another id.
    const same = requests
      .slice(i + 1)
      .filter((r) => q.clientRequestId !== undefined && r.clientRequestId === q.clientRequestId);
    const throttledAgain = same.findIndex((r) => r.status === 429);
    retriesPer429.push(throttledAgain === -1 ? same.length : throttledAgain + 1);
    if (!same.length) return;
    const gap = same[0].at! - q.at!;
    shortestGapMs = Math.min(shortestGapMs, gap);
    if (gap < retryAfterS * 1000) early++;
  });
  return { throttled: retriesPer429.length, retriesPer429, early, shortestGapMs };
}

/** One line for the test's output: the figures the report gives. */
export function describeRate(what: string, r: Rate, retries?: Retries): string {
  const t = (k: OperationType) =>
    `${k} ${r.byType[k].requests} (peak ${r.byType[k].peakPerS}/s, bucket low ` +
    `${Math.floor(r.byType[k].lowestTokens)}/${ARM_LIMITS[k].bucket})`;
  const base =
    `${what}: ${r.requests} ARM requests in ${r.durationS.toFixed(1)} s, mean ` +
    `${r.meanPerS.toFixed(1)}/s, peak ${r.peakPerS}/s; ${t('reads')}, ${t('writes')}, ` +
    `${t('deletes')}`;
  if (!retries) return base;
  const total = retries.retriesPer429.reduce((a, b) => a + b, 0);
  return (
    `${base}; ${retries.throttled} answered 429, ${total} retries ` +
    `(${(total / Math.max(1, retries.throttled)).toFixed(2)} per 429, ${retries.early} early, ` +
    `shortest gap ${retries.shortestGapMs} ms)`
  );
}
