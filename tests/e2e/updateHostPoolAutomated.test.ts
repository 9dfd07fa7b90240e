// Issue 13's "Done when", end to end: the bundled UpdateHostPool run by the runner against the
// simulator's AVD session host update (preview). An Automated pool gets its configuration
// pointed at the image and Azure's update started with the run's settings and followed; a failing
// batch and a pause fail the task with Azure's error or the way out (a rerun retries or resumes);
// Ctrl+C
// cancels Azure's update; a rerun follows the update in progress; a Standard pool takes the
// Standard path with no preview call but the one read that tells them apart.
import * as assert from 'assert';
import { RunResult } from '../../scripts/runner/runner';
import { RunningSim, startSimulator, StateDump } from '../sim';
import { armToken, rawRequest } from '../sim/testSupport';
import {
  AutomatedWorld,
  automatedScenario,
  bodiesOf,
  CONFIGURATION,
  CONTROL,
  hostImages,
  INITIATE,
  PREVIEW_API,
  previewCalls,
  SAVED_SETTINGS,
  UPDATE_STATUS,
} from './automatedPoolFixtures';
import { PoolWorld, runUpdateHostPool, TARGET } from './hostPoolFixtures';

const done = new AutomatedWorld('auto3', 3);
const failing = new AutomatedWorld('autofail', 3);
const pausing = new AutomatedWorld('autopause', 2);
// Signed-in users make each batch wait its log-off delay: time to cancel, or to run again.
const cancelled = new AutomatedWorld('autocancel', 2, [0, 1]);
const rerun = new AutomatedWorld('autorerun', 3, [0, 1, 2]);
const standard = new PoolWorld({ key: 'autostd', hosts: 1, scalingPlan: false });

/** Requests that write in Compute (the task's own VM writes: none on an Automated pool). */
const computeWrites = (state: StateDump, rg: string) =>
  state.requests.filter(
    (r) =>
      r.method !== 'GET' &&
      r.path.toLowerCase().startsWith(`${rg.toLowerCase()}/providers/microsoft.compute/`),
  );

describe('UpdateHostPool on pools with a session host configuration (Automated)', function () {
  this.timeout(60_000);
  let sim: RunningSim;
  // The first runs of the independent pools start together (each test filters the journal by its
  // pool): the runs mostly wait on Azure, so the file stays well under a minute.
  let firstRuns: Record<'done' | 'failing' | 'pausing' | 'standard', Promise<RunResult>>;

  before(async () => {
    sim = await startSimulator({
      scenario: automatedScenario([done, failing, pausing, cancelled, rerun], {
        standard: [standard],
        behaviour: [
          { hostPool: `^${failing.poolName}$`, failBatch: 2 },
          { hostPool: `^${pausing.poolName}$`, pauseAfterBatch: 1 },
        ],
      }),
    });
    firstRuns = {
      done: runUpdateHostPool(
        sim,
        done.inputs({ batchSize: '2', drainTimeout: '1m', oldHosts: 'delete' }),
      ),
      failing: runUpdateHostPool(sim, failing.inputs({ batchSize: '2' })),
      pausing: runUpdateHostPool(sim, pausing.inputs()),
      standard: runUpdateHostPool(sim, standard.inputs()),
    };
  });
  after(async () => {
    await Promise.allSettled(Object.values(firstRuns ?? {}));
    await sim?.stop();
  });

  const status = async (world: AutomatedWorld) =>
    (
      await rawRequest(sim, 'GET', `${world.pool}${UPDATE_STATUS}?api-version=${PREVIEW_API}`, {
        token: await armToken(sim),
      })
    ).body as { status: string };

  /** Runs the task until `when` shows in its log, then hands the log and the run to `then`. */
  function runUntil(inputs: Record<string, string>, when: RegExp, signal?: AbortSignal) {
    let log = '';
    let seen!: () => void;
    const shown = new Promise<void>((resolve) => (seen = resolve));
    const run = runUpdateHostPool(sim, inputs, {
      signal,
      onOutput: (chunk) => {
        log += chunk;
        if (when.test(log)) seen();
      },
    });
    return { run, shown: Promise.race([shown, run.then(() => undefined)]) };
  }

  it(
    'Done-when 1: 3 hosts on 1.0.0 -> 1.0.1: the configuration set, the update started with ' +
      "the run's settings (the rest left to the pool's), followed to Succeeded; no VM write; " +
      'a rerun changes nothing',
    async () => {
      const run = await firstRuns.done;
      assert.strictEqual(run.result, 'Succeeded', run.stdout);
      const calls = previewCalls(run.state, done.pool);
      assert.strictEqual(calls[0], 'GET /', 'the pool is read with the preview api-version');
      assert.deepStrictEqual(
        calls.filter((c) => !c.startsWith('GET')),
        [`PATCH ${CONFIGURATION}`, `POST ${INITIATE}`],
      );
      assert.deepStrictEqual(bodiesOf(run.state, done.pool, 'PATCH', CONFIGURATION), [
        { properties: { imageInfo: { type: 'Custom', customInfo: { resourceId: TARGET } } } },
      ]);
      // Only what the run gives: logOffMessage stays the pool's saved one.
      assert.deepStrictEqual(bodiesOf(run.state, done.pool, 'POST', INITIATE), [
        { update: { maxVmsRemoved: 2, logOffDelayMinutes: 1, deleteOriginalVm: true } },
      ]);
      assert.deepStrictEqual(computeWrites(run.state, done.rg), []);
      const hosts = hostImages(run.state, done.pool);
      assert.strictEqual(hosts.length, 3);
      assert.deepStrictEqual(
        hosts.map((h) => h.image),
        [TARGET, TARGET, TARGET],
      );
      assert.ok(
        hosts.every((h) => /^auto3-\d-\d{14}$/.test(h.host)),
        JSON.stringify(hosts),
      );
      assert.deepStrictEqual(run.outputs, {
        hostsAdded: '3',
        hostsRemoved: '3',
        hostsKept: '0',
        imageVersionId: TARGET,
        rolloutState: 'Completed',
      });
      assert.match(run.stdout, /update {2}session host configuration of hp-auto3/);
      assert.match(run.stdout, /logOffMessage|log-off message: "Saved message/);
      assert.match(run.stdout, /Session host update: UpdatingSessionHosts: \d of 3 hosts done/);
      assert.match(
        run.message!,
        /Succeeded \(Succeeded: 3 of 3 hosts done\); its hosts run 1\.0\.1\.$/,
      );
      const saved = run.state.resources.find(
        (r) => r.id.toLowerCase() === `${done.pool}/sessionHostManagements/default`.toLowerCase(),
      );
      assert.deepStrictEqual(saved?.properties?.update, SAVED_SETTINGS);

      const again = await runUpdateHostPool(sim, done.inputs({ batchSize: '2' }));
      assert.strictEqual(again.result, 'Succeeded', again.stdout);
      assert.match(again.message!, /Every host of hp-auto3 runs 1\.0\.1; nothing was changed/);
      const writesAfter = again.state.requests
        .slice(run.state.requests.length)
        .filter(
          (r) => r.method !== 'GET' && r.path.toLowerCase().startsWith(done.rg.toLowerCase()),
        );
      assert.deepStrictEqual(writesAfter, []);
    },
  );

  it(
    "Done-when 2a: a failing batch fails the task with Azure's error and says how to retry; " +
      'the rerun sends Retry and ends Succeeded',
    async () => {
      const run = await firstRuns.failing;
      assert.strictEqual(run.result, 'Failed', run.stdout);
      assert.match(run.message!, /stopped in Error: AllocationFailed: Allocation failed/);
      assert.match(run.message!, /action: rollout to retry it, or action: abort/);
      assert.strictEqual(run.outputs.rolloutState, 'PartiallyCompleted');
      assert.strictEqual(run.outputs.hostsAdded, '1');

      const again = await runUpdateHostPool(sim, failing.inputs({ batchSize: '2' }));
      assert.strictEqual(again.result, 'Succeeded', again.stdout);
      assert.deepStrictEqual(bodiesOf(again.state, failing.pool, 'POST', CONTROL), [
        { action: 'Retry' },
      ]);
      assert.strictEqual(bodiesOf(again.state, failing.pool, 'POST', INITIATE).length, 1);
      assert.deepStrictEqual(
        hostImages(again.state, failing.pool).map((h) => h.image),
        [TARGET, TARGET, TARGET],
      );
    },
  );

  it('Done-when 2b: a paused update fails naming Paused, the way out; rerun: Resume', async () => {
    const run = await firstRuns.pausing;
    assert.strictEqual(run.result, 'Failed', run.stdout);
    assert.match(run.message!, /is Paused .*does not go on by itself.*action: rollout to resume/);
    const again = await runUpdateHostPool(sim, pausing.inputs());
    assert.strictEqual(again.result, 'Succeeded', again.stdout);
    assert.deepStrictEqual(bodiesOf(again.state, pausing.pool, 'POST', CONTROL), [
      { action: 'Resume' },
    ]);
    assert.strictEqual(bodiesOf(again.state, pausing.pool, 'POST', INITIATE).length, 1);
  });

  it('Done-when 2c: Ctrl+C sends Cancel naming the run, ends Cancelled once Canceled', async () => {
    const ctrlC = new AbortController();
    const { run, shown } = runUntil(
      cancelled.inputs({ drainTimeout: '60m' }),
      /Session host update: UpdatingSessionHosts/,
      ctrlC.signal,
    );
    await shown;
    ctrlC.abort();
    const result: RunResult = await run;
    assert.strictEqual(result.result, 'Cancelled', result.stdout);
    const [cancel] = bodiesOf(result.state, cancelled.pool, 'POST', CONTROL);
    assert.strictEqual(cancel?.action, 'Cancel');
    assert.match(String(cancel.cancelMessage), /golden-image run .* was cancelled: https:\/\//);
    assert.match(result.stdout, /hp-autocancel is Canceled/);
    assert.strictEqual((await status(cancelled)).status, 'Canceled');
  });

  it('Done-when 3: a rerun during a running update follows it (one initiate)', async () => {
    // The second job starts as the first sends initiateSessionHostUpdate: it finds the update
    // running, or (the first one slower) is answered Conflict and takes the update as its own.
    const inputs = rerun.inputs({ batchSize: '2', drainTimeout: '60m' });
    const first = runUntil(inputs, /Starting Azure's session host update/);
    await first.shown;
    const second = await runUpdateHostPool(sim, inputs);
    const firstResult = await first.run;
    assert.strictEqual(firstResult.result, 'Succeeded', firstResult.stdout);
    assert.strictEqual(second.result, 'Succeeded', second.stdout);
    assert.match(second.stdout, /is in progress .*following it, not starting another/);
    const state = sim.state();
    assert.strictEqual(bodiesOf(state, rerun.pool, 'POST', INITIATE).length, 1);
    assert.strictEqual(bodiesOf(state, rerun.pool, 'PATCH', CONFIGURATION).length, 1);
    assert.deepStrictEqual(
      hostImages(state, rerun.pool).map((h) => h.image),
      [TARGET, TARGET, TARGET],
    );
  });

  it('Done-when 4: the same job on a Standard pool: Standard path, one preview read', async () => {
    const run = await firstRuns.standard;
    assert.strictEqual(run.result, 'Succeeded', run.stdout);
    assert.deepStrictEqual(previewCalls(run.state, standard.pool), ['GET /']);
    assert.strictEqual(run.outputs.rolloutState, 'Completed');
    assert.strictEqual(run.outputs.hostsAdded, '1');
  });
});
