// The fault matrix: which class each ARM call of a run belongs to, the faults injected into one
// call of a class, and the comparison of a faulted run with a clean one (same result, same state
// once normalised, writes not amplified).
import * as assert from 'assert';
import type { Fault, RecordedRequest, RunningSim, Scenario, StateDump } from '../../sim';
import { startSimulator } from '../../sim';
import { CoreRun, runCore } from './faultHarness';
import type { FaultWorld } from './faultWorlds';

export const CALL_CLASSES = ['PUT', 'poll', 'POST', 'DELETE', 'list', 'PATCH'] as const;
export type CallClass = (typeof CALL_CLASSES)[number];

export const FAULT_KINDS = ['429', '503', '500', 'drop', 'slow', 'lostAnswer'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What each kind injects; a kind hits one request once (the client's retry gets through). */
const KIND: Record<FaultKind, Omit<Fault, 'path'>> = {
  '429': { status: 429, retryAfter: 1 },
  '503': { status: 503 },
  '500': { status: 500 },
  drop: { drop: true },
  slow: { delayMs: 1500 },
  lostAnswer: { dropAfter: true },
};

const STATUS_SEGMENTS = [
  'operations',
  'operationStatuses',
  'operationResults',
  'asyncoperations',
  'DiskOperations',
  'capsOperations',
];
const OPERATION_STATUS = new RegExp(
  `^/subscriptions/[^/]+/providers/[^/]+/locations/[^/]+/(${STATUS_SEGMENTS.join('|')})/`,
  'i',
);
const ARM = '^(?=/subscriptions(/|\\?|$)).*?';

const bare = (r: RecordedRequest) => r.path.split('?')[0];

/** A GET naming a collection (an odd number of segments after the provider namespace). */
function isList(path: string): boolean {
  const segments = path.split('/').filter(Boolean);
  const p = segments.map((s) => s.toLowerCase()).lastIndexOf('providers');
  if (p < 0) return segments.length % 2 === 1;
  const rest = segments.length - (p + 2);
  return rest < 0 || rest % 2 === 1;
}

/**
 * The class of an ARM call; `polls` adds the GETs a world polls a resource with (a gallery
 * version's replication). Reads of one resource are no class of the matrix.
 */
export function callClass(r: RecordedRequest, polls?: RegExp): CallClass | undefined {
  const path = bare(r);
  if (!path.startsWith('/subscriptions')) return undefined;
  if (r.method === 'PUT' || r.method === 'POST' || r.method === 'DELETE' || r.method === 'PATCH')
    return r.method;
  if (r.method !== 'GET') return undefined;
  if (OPERATION_STATUS.test(path) || polls?.test(r.path)) return 'poll';
  return isList(path) ? 'list' : undefined;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The fault of `kind` on one call of class `cls` in the clean run's order (a read: the first, a
 * write: the middle one): matched by method and exact path (a poll: any operation status or the
 * world's poll GET), skipping the earlier calls the same pattern matches.
 */
export function faultFor(
  clean: RecordedRequest[],
  cls: CallClass,
  kind: FaultKind,
  polls?: RegExp,
): Fault | undefined {
  const calls = clean.filter((r) => callClass(r, polls) === cls);
  if (calls.length === 0) return undefined;
  // Reads: the first, as how many follow depends on timing (log and status polls); writes: the
  // middle one, a call in the thick of the run.
  const read = cls === 'poll' || cls === 'list';
  const target = calls[read ? 0 : Math.floor((calls.length - 1) / 2)];
  const method = read ? 'GET' : cls;
  // A template's name carries a hash of its content, which carries the simulator's port
  // (provenance tags) when run through the runner: any template name matches.
  const exact = escape(bare(target)).replace(/\/imageTemplates\/[^/]+/i, '/imageTemplates/[^/?]+');
  const path =
    cls === 'poll'
      ? `${OPERATION_STATUS.source}${polls ? `|${polls.source}` : ''}`
      : `^${exact}(\\?|$)`;
  const re = new RegExp(path, 'i');
  const index = clean.indexOf(target);
  const skip = clean
    .slice(0, index)
    .filter(
      (r) => r.method === method && re.test(r.path) && r.path.startsWith('/subscriptions'),
    ).length;
  return { method, path: `${ARM}(${path})`, skip, times: 1, ...KIND[kind] };
}

export interface Baseline {
  run: CoreRun;
  state: StateDump;
  normalised: string[];
}

/**
 * A run of `world`'s task in-process against a simulator of its own with `faults`; `during` runs
 * beside the task (to read what the state dump does not show, such as blobs, while they exist).
 */
export async function runWorld(
  world: FaultWorld,
  faults: Fault[] = [],
  during?: (sim: RunningSim) => Promise<void>,
): Promise<Baseline> {
  const scenario: Scenario = { ...world.scenario(), faults };
  const sim = await startSimulator({ scenario });
  try {
    const [run] = await Promise.all([runCore(world.task, sim, world.inputs()), during?.(sim)]);
    const state = sim.state();
    return { run, state, normalised: normalise(state) };
  } finally {
    await sim.stop();
  }
}

const MASKS: [RegExp, string][] = [
  [/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?/g, '<time>'],
  [/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<guid>'],
  [/[0-9a-f]{32}/gi, '<hex>'],
  [/IntermediateImage_[0-9a-f]+/g, 'IntermediateImage_<hex>'],
  [/"macAddress":"[^"]*"/g, '"macAddress":"<mac>"'],
  // Each simulator listens on a port of its own (the runner's collection URI in provenance tags).
  [/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>'],
  // ...and so does a template's name (its content hash), in the image version's provenance tags.
  [/(gip-[a-z0-9-]+-)[0-9a-f]{10}(?![0-9a-f])/g, '$1<hash>'],
];

/**
 * Every resource as one line of JSON with what differs from run to run masked (times, generated
 * GUIDs, tokens), sorted: two runs that left the same things compare equal, one that made
 * something twice or left something behind does not.
 */
export function normalise(state: StateDump): string[] {
  return state.resources
    .map((r) =>
      MASKS.reduce((text, [re, to]) => text.replace(re, to), JSON.stringify(r, sortedKeys)),
    )
    .sort();
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** Every fault hit as many requests as it was meant to (the simulator counts them). */
export function assertHit(faulted: Baseline, faults: Fault[]): void {
  assert.deepStrictEqual(
    faulted.state.faultHits,
    faults.map((f) => f.times ?? 1),
    `the faults hit: ${JSON.stringify(faults)}`,
  );
}

const writes = (requests: RecordedRequest[]) =>
  requests.filter((r) => r.method !== 'GET' && r.path.startsWith('/subscriptions')).length;

/**
 * The faulted run ended as the clean one, left the same state, and made at most one more write
 * per fault (the retry) and a bounded number of extra reads.
 */
export function assertLikeClean(clean: Baseline, faulted: Baseline, faults: Fault[]): void {
  const tail = () =>
    `${faulted.run.outcome.message}\n${faulted.run.log.lines.slice(-25).join('\n')}\n` +
    `faults: ${JSON.stringify(faults)}`;
  assert.strictEqual(faulted.run.outcome.result, clean.run.outcome.result, tail());
  assert.deepStrictEqual(faulted.normalised, clean.normalised, `state differs\n${tail()}`);
  const hits = faulted.state.requests.length;
  assert.ok(
    writes(faulted.state.requests) <= writes(clean.state.requests) + faults.length,
    `writes ${writes(faulted.state.requests)} vs clean ${writes(clean.state.requests)}\n${tail()}`,
  );
  assert.ok(
    hits <= clean.state.requests.length * 1.5 + 10 * faults.length,
    `requests ${hits} vs clean ${clean.state.requests.length}: retries amplified\n${tail()}`,
  );
}
