// The fault matrix, fast part (issue 16 §1): each task in-process against the simulator, once
// clean and once per fault kind with that fault on one call of every class of ARM call the task
// makes (PUT, LRO poll, POST action, DELETE, list, PATCH); plus BuildImage's artifacts upload
// interrupted in Azurite. Every faulted run must end as the clean one did and leave the same state,
// with at most one more write per fault. The four tasks run side by side (their simulators are
// separate) so the whole file takes about a minute. One fault per run, every (class, kind) on its
// own, is in tests/hardening/faults.test.ts.
import * as assert from 'assert';
import * as fs from 'fs';
import type { Fault } from '../../sim';
import {
  assertHit,
  assertLikeClean,
  Baseline,
  CALL_CLASSES,
  callClass,
  FAULT_KINDS,
  FaultKind,
  faultFor,
  runWorld,
} from './faultMatrix';
import { assertWholeArchive, UsedBlob, usedArtifactBlob } from './faultBlobs';
import {
  artifactsFolder,
  attachWorld,
  buildImageWorld,
  distributeWorld,
  EXPECTED_CLASSES,
  FaultWorld,
  hostPoolWorld,
  POLLS,
} from './faultWorlds';

interface Faulted {
  faults: Fault[];
  run: Baseline;
}

const WORLDS: FaultWorld[] = [buildImageWorld(), distributeWorld, hostPoolWorld, attachWorld];

/** Each kind's faults for `world`, one per class the clean run made; one kind after another. */
async function matrixFor(world: FaultWorld) {
  const clean = await runWorld(world);
  const byKind = new Map<FaultKind, Faulted>();
  for (const kind of FAULT_KINDS) {
    const faults = CALL_CLASSES.map((c) =>
      faultFor(clean.state.requests, c, kind, POLLS[world.task]),
    ).filter((f): f is Fault => !!f);
    byKind.set(kind, { faults, run: await runWorld(world, faults) });
  }
  return { clean, byKind };
}

/** The 2nd block of the archive (block ids end in base64 of the block's index, here "1"). */
const SECOND_BLOCK = '(?=.*comp=block(&|$))(?=.*blockid=[^&]*MQ(%3D|=)(%3D|=))';
const BLOCK_LIST = 'comp=blocklist';
const UPLOAD_FAULTS: Record<string, Fault[]> = {
  'the connection drops while the 2nd of 2 blocks is sent': [
    { service: 'blob', method: 'PUT', path: SECOND_BLOCK, drop: true },
  ],
  'the commit of the block list answers 500, then 503': [
    { service: 'blob', method: 'PUT', path: BLOCK_LIST, status: 500 },
    { service: 'blob', method: 'PUT', path: BLOCK_LIST, status: 503 },
  ],
};

describe('hardening: fault matrix, each fault kind on every call class (in-process)', function () {
  this.timeout(600_000);
  const results = new Map<string, Awaited<ReturnType<typeof matrixFor>>>();
  const uploads = new Map<string, { run: Baseline; blob?: UsedBlob }>();
  let folder: string;
  let upload: FaultWorld;

  before(async () => {
    folder = artifactsFolder();
    upload = buildImageWorld(folder);
    await Promise.all([
      ...WORLDS.map(async (w) => results.set(w.task, await matrixFor(w))),
      (async () => {
        for (const [name, faults] of Object.entries(UPLOAD_FAULTS)) {
          let blob: UsedBlob | undefined;
          const run = await runWorld(upload, faults, async (sim) => {
            blob = await usedArtifactBlob(sim);
          });
          uploads.set(name, { run, blob });
        }
      })(),
    ]);
  });
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  for (const w of WORLDS) {
    const classes = EXPECTED_CLASSES[w.task].join(', ');
    it(`${w.task}: a clean run ends ${w.result} and calls ${classes}`, () => {
      const { clean } = results.get(w.task)!;
      assert.strictEqual(clean.run.outcome.result, w.result, clean.run.outcome.message);
      const classes = new Set(clean.state.requests.map((r) => callClass(r, POLLS[w.task])));
      assert.deepStrictEqual(
        CALL_CLASSES.filter((c) => classes.has(c)),
        EXPECTED_CLASSES[w.task],
      );
    });
    for (const kind of FAULT_KINDS) {
      it(`${w.task}: ${kind} on one call of each class ends as the clean run, same state`, () => {
        const { clean, byKind } = results.get(w.task)!;
        const { faults, run } = byKind.get(kind)!;
        assert.strictEqual(faults.length, EXPECTED_CLASSES[w.task].length);
        assertHit(run, faults);
        assertLikeClean(clean, run, faults);
      });
    }
  }

  for (const name of Object.keys(UPLOAD_FAULTS)) {
    it(`BuildImage artifacts upload: ${name}: the build succeeds from the whole archive`, () => {
      const { run, blob } = uploads.get(name)!;
      assert.strictEqual(run.run.outcome.result, 'Succeeded', run.run.outcome.message);
      assertHit(run, UPLOAD_FAULTS[name]);
      assert.ok(blob);
      assertWholeArchive(blob, folder);
    });
  }
});
