// The scenario key `sessionHostUpdateBehaviour`: per host pool (first entry whose `hostPool`
// regex matches), a batch of the simulated session host update that fails (the update reads
// `Error` until `Retry`) and a batch after which the update pauses itself (`Paused` until
// `Resume`).
import type { SimServices } from '../arm/framework';
import type { SessionHostUpdateBehaviourSpec } from '../types';

const positive = (v: unknown) => v === undefined || (Number.isInteger(v) && (v as number) >= 1);

/** Checks the scenario key at start (a malformed key fails the simulator's start). */
export function checkUpdateBehaviours(value: unknown): SessionHostUpdateBehaviourSpec[] {
  if (value === undefined) return [];
  const ok =
    Array.isArray(value) &&
    value.every(
      (b: any) =>
        b &&
        typeof b === 'object' &&
        (b.hostPool === undefined || typeof b.hostPool === 'string') &&
        positive(b.failBatch) &&
        positive(b.failTimes) &&
        positive(b.pauseAfterBatch) &&
        (b.error === undefined ||
          (typeof b.error?.code === 'string' && typeof b.error?.message === 'string')),
    );
  if (!ok)
    throw new Error(
      'scenario.sessionHostUpdateBehaviour must be an array of { hostPool?: "<regex>", ' +
        'failBatch?: n >= 1, failTimes?: n >= 1, error?: { code, message }, ' +
        'pauseAfterBatch?: n >= 1 }',
    );
  for (const b of value) if (b.hostPool !== undefined) new RegExp(b.hostPool, 'i');
  return value;
}

export function updateBehaviourFor(
  sim: SimServices,
  poolName: string,
): SessionHostUpdateBehaviourSpec {
  return (
    checkUpdateBehaviours(sim.scenario.sessionHostUpdateBehaviour).find(
      (b) => b.hostPool === undefined || new RegExp(b.hostPool, 'i').test(poolName),
    ) ?? {}
  );
}
