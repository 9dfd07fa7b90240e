// The fault matrix, slow part (issue 16 §1), run by `npm run test:hardening`: every task, every
// class of ARM call it makes, every fault kind, one fault per run in-process (so a failure names
// its one cause); the artifacts upload under each blob fault; and a sample of each fault kind
// through the runner (the bundled task in its own process, as the agent runs it). Each run must
// end as its clean run did and leave the same state, with the fault seen to hit.
import * as assert from 'assert';
import * as fs from 'fs';
import { runTask } from '../../scripts/runner/runner';
import { MemoryLogger } from '../../tasks/common/core/logger';
import type { Fault } from '../sim';
import { startSimulator } from '../sim';
import { assertWholeArchive, UsedBlob, usedArtifactBlob } from '../unit/hardening/faultBlobs';
import {
  assertHit,
  assertLikeClean,
  Baseline,
  CallClass,
  FAULT_KINDS,
  FaultKind,
  faultFor,
  normalise,
  runWorld,
} from '../unit/hardening/faultMatrix';
import {
  artifactsFolder,
  attachWorld,
  buildImageWorld,
  distributeWorld,
  EXPECTED_CLASSES,
  FaultWorld,
  hostPoolWorld,
  POLLS,
} from '../unit/hardening/faultWorlds';

const WORLDS: FaultWorld[] = [buildImageWorld(), distributeWorld, hostPoolWorld, attachWorld];

describe('hardening: fault matrix, one fault per run (in-process)', function () {
  this.timeout(120_000);
  for (const world of WORLDS) {
    describe(world.task, () => {
      let clean: Baseline;
      before(async () => {
        clean = await runWorld(world);
        assert.strictEqual(clean.run.outcome.result, world.result, clean.run.outcome.message);
      });
      for (const cls of EXPECTED_CLASSES[world.task])
        for (const kind of FAULT_KINDS)
          it(`${kind} on a ${cls} call: same result and state as a clean run`, async () => {
            const fault = faultFor(clean.state.requests, cls, kind, POLLS[world.task]);
            assert.ok(fault, `the clean run made a ${cls} call`);
            const run = await runWorld(world, [fault]);
            assertHit(run, [fault]);
            assertLikeClean(clean, run, [fault]);
          });
    });
  }
});

/**
 * A lost answer on each distinct write of a clean run (method and path; the image build's staging
 * group, named by the service at random, left out): the retried call meets what the lost one did.
 */
describe('hardening: a lost answer on every write, one per run (in-process)', function () {
  this.timeout(600_000);
  for (const world of WORLDS)
    it(`${world.task}: each distinct write, its answer lost, ends as the clean run`, async () => {
      const clean = await runWorld(world);
      const seen = new Set<string>();
      const writes = clean.state.requests.filter((r) => {
        const key = `${r.method} ${r.path.split('?')[0]}`;
        if (r.method === 'GET' || /\/resourceGroups\/IT_/i.test(r.path) || seen.has(key))
          return false;
        seen.add(key);
        return true;
      });
      assert.ok(writes.length > 0);
      const failures: string[] = [];
      for (const w of writes) {
        const path = w.path.split('?')[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const fault: Fault = { method: w.method, path: `^${path}(\\?|$)`, dropAfter: true };
        const run = await runWorld(world, [fault]);
        try {
          assertHit(run, [fault]);
          assertLikeClean(clean, run, [fault]);
        } catch (err) {
          failures.push(`${w.method} ${w.path.split('?')[0]}: ${(err as Error).message}`);
        }
      }
      assert.deepStrictEqual(failures, [], `${failures.length} of ${writes.length} writes`);
    });
});

const BLOCK = '(?=.*comp=block(&|$))';
const BLOCK_LIST = 'comp=blocklist';
const BLOB_KINDS: Record<string, Omit<Fault, 'path'>> = {
  '503': { status: 503 },
  '500': { status: 500 },
  drop: { drop: true },
  slow: { delayMs: 1500 },
};

describe('hardening: the artifacts upload under blob faults (in-process)', function () {
  this.timeout(180_000);
  let folder: string;
  let world: FaultWorld;
  before(() => {
    folder = artifactsFolder();
    world = buildImageWorld(folder);
  });
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  for (const [call, path] of [
    ['Put Block (the 2nd of 2)', `${BLOCK}(?=.*blockid=[^&]*MQ(%3D|=)(%3D|=))`],
    ['Put Block List', BLOCK_LIST],
  ])
    for (const [kind, effect] of Object.entries(BLOB_KINDS))
      it(`${kind} on ${call}: the build succeeds from the whole archive`, async () => {
        const faults: Fault[] = [{ service: 'blob', method: 'PUT', path, ...effect }];
        let blob: UsedBlob | undefined;
        const run = await runWorld(world, faults, async (sim) => {
          blob = await usedArtifactBlob(sim);
        });
        assert.strictEqual(run.run.outcome.result, 'Succeeded', run.run.outcome.message);
        assertHit(run, faults);
        assert.ok(blob);
        assertWholeArchive(blob, folder);
      });

  it(
    'every attempt at the 2nd block dropped: the task fails naming the upload, and no template ' +
      'is made (a half-written archive is never built from)',
    async () => {
      const faults: Fault[] = [
        {
          service: 'blob',
          method: 'PUT',
          path: `${BLOCK}(?=.*blockid=[^&]*MQ)`,
          drop: true,
          times: 20,
        },
      ];
      const run = await runWorld(world, faults);
      assert.strictEqual(run.run.outcome.result, 'Failed', run.run.outcome.message);
      assert.ok(
        !run.state.requests.some((r) => r.method === 'PUT' && /\/imageTemplates\//i.test(r.path)),
        'no template was created',
      );
    },
  );
});

/**
 * A sample of each fault kind through the runner: task, call class, kind, and the time scale. A
 * lost answer to BuildImage's run runs its build at 0.02 of real time: the bundle's SDK retries
 * after about 2 s, and a build squeezed into less than that would have ended before the retry,
 * which then starts a second build (a race a real build, minutes long, never loses; noted in the
 * report of issue 16).
 */
const RUNNER_SAMPLE: [FaultWorld, CallClass, FaultKind, number?][] = [
  [WORLDS[0], 'PUT', '429'],
  [WORLDS[1], 'poll', '503'],
  [WORLDS[2], 'DELETE', '500'],
  [WORLDS[3], 'PUT', 'drop'],
  [WORLDS[2], 'PATCH', 'slow'],
  [WORLDS[0], 'POST', 'lostAnswer', 0.02],
];

/** The bundled task through the runner against a simulator of its own with `faults`. */
async function runBundled(
  world: FaultWorld,
  faults: Fault[] = [],
  timeScale?: number,
): Promise<Baseline> {
  const scenario = { ...world.scenario(), faults, ...(timeScale ? { timeScale } : {}) };
  const sim = await startSimulator({ scenario });
  try {
    const r = await runTask({ task: world.task, sim, inputs: world.inputs() });
    const log = new MemoryLogger();
    for (const line of r.stdout.split('\n')) log.info(line);
    return {
      run: {
        outcome: { result: r.result ?? 'Failed', message: r.message ?? '(no result)' },
        log,
        ms: r.durationMs,
      },
      state: r.state,
      normalised: normalise(r.state),
    };
  } finally {
    await sim.stop();
  }
}

describe('hardening: fault kinds through the runner (bundled tasks)', function () {
  this.timeout(180_000);
  const cleanRuns = new Map<string, Baseline>();
  const cleanRun = async (world: FaultWorld, timeScale?: number) => {
    const key = `${world.task} ${timeScale}`;
    if (!cleanRuns.has(key)) cleanRuns.set(key, await runBundled(world, [], timeScale));
    return cleanRuns.get(key)!;
  };

  for (const [world, cls, kind, timeScale] of RUNNER_SAMPLE)
    it(`${world.task}: ${kind} on a ${cls} call ends as its clean run, same state`, async () => {
      const clean = await cleanRun(world, timeScale);
      assert.strictEqual(clean.run.outcome.result, world.result, clean.run.outcome.message);
      const fault = faultFor(clean.state.requests, cls, kind, POLLS[world.task]);
      assert.ok(fault);
      const run = await runBundled(world, [fault], timeScale);
      assertHit(run, [fault]);
      assertLikeClean(clean, run, [fault]);
    });
});
