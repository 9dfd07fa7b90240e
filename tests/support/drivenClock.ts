import { Clock } from '../../tasks/common/core/clock';

/**
 * A clock that advances when slept on: no real waiting. `at[n]` runs during the n-th wait (what
 * happens meanwhile, e.g. a role finishing replication). An aborted signal rejects as a real sleep
 * does.
 */
export function drivenClock(
  at: Record<number, () => Promise<void>> = {},
): Clock & { waits: number[] } {
  let t = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: async (ms, signal) => {
      if (signal.aborted) throw signal.reason;
      waits.push(ms);
      t += ms;
      await at[waits.length]?.();
    },
  };
}
